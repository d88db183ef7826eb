"""How states, durations and context look on screen: one place, so every widget agrees."""

from __future__ import annotations

import re

from rich.text import Text

from orchestra_tui.core.fleet.find import Grouping
from orchestra_tui.models import AgentStatus, BranchFigures, ContextTrend, State

STATE_STYLES: dict[State, str] = {
    State.APPROVAL: "bold black on #e5c07b",
    State.BLOCKED: "bold white on #d0463b",
    State.STUCK: "bold white on #b3569e",
    State.EXITED: "bold white on #6b6f7a",
    State.IDLE: "bold black on #7fb77e",
    State.WORKING: "bold black on #5fa8d3",
    State.UNKNOWN: "bold white on #3b3f4a",
    State.UNREACHABLE: "bold white on #8a5a2b",
}

TREND_ARROWS: dict[ContextTrend, str] = {
    ContextTrend.FALLING: "↓",
    ContextTrend.FLAT: "→",
    ContextTrend.RISING: "↑",
    ContextTrend.UNKNOWN: " ",
}


# One word per state everywhere (list, status, README): the badge is as wide as the longest.
BADGE_WIDTH = max(len(state.value) for state in State)


def state_badge(state: State, limit_left: float | None = None) -> Text:
    """A state as a coloured badge of fixed width, in the state's own word; blocked on a usage
    limit whose reset is known, the countdown to it (`limit_left` seconds).

    >>> state_badge(State.UNREACHABLE).plain, state_badge(State.APPROVAL).plain
    ('UNREACHABLE', 'APPROVAL   ')
    >>> state_badge(State.BLOCKED, 3900).plain
    'LIMIT 1h05m'
    """
    word = state.value.upper()
    if state is State.BLOCKED and limit_left is not None:
        word = f"LIMIT {duration(limit_left)}"
    return Text(f"{word:<{BADGE_WIDTH}}", style=STATE_STYLES[state])


def duration(seconds: float) -> str:
    """Time in a state, at most 5 cells and coarse on purpose: seconds only in the first minute,
    so a fleet's rows do not all change every second.

    >>> [duration(s) for s in (0, 59.9, 60, 3599, 3600, 35999, 36000, 86400 * 3 + 3600 * 4)]
    ['0s', '59s', '1m', '59m', '1h00m', '9h59m', '10h', '3d04h']
    >>> duration(86400 * 12)
    '12d'
    """
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 10:
        return f"{hours}h{minutes:02d}m"
    if hours < 24:
        return f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h" if days < 10 else f"{days}d"


def since(seconds: float) -> str:
    """How long an agent has been in its state, for the fleet's "for" column and the live
    pane's bottom line: `duration` from the first minute on, and "<1m" before it. A fleet's
    agents change state a few times a minute each, so many rows are in their first minute at
    any time: counted in seconds (or tens of them) every such row changed, and the screen was
    drawn again, every few seconds for a figure no decision waits on.

    >>> [since(s) for s in (0, 9.9, 59.9, 60, 125, 3600)]
    ['<1m', '<1m', '<1m', '1m', '2m', '1h00m']
    """
    return "<1m" if seconds < 60 else duration(seconds)


DURATION_WIDTH = 5  # the widest `duration()`: the fleet's "for" column has this fixed width


def context_bar(percent: int | None, trend: ContextTrend, *, width: int = 8,
                warn: int = 20, critical: int = 10) -> Text:
    """Context left as a bar and a figure; `width=0` keeps the coloured figure alone (narrow
    terminals). Always `width + 6` cells wide, or 5 without a bar."""
    if percent is None:
        return Text("   —".ljust(width + 6 if width else 5), style="dim")
    style = "red" if percent <= critical else "yellow" if percent <= warn else "green"
    if not width:
        return Text(f"{percent:>3}%{TREND_ARROWS[trend]}", style=style)
    filled = round(width * max(0, min(100, percent)) / 100)
    bar = Text("█" * filled, style=style)
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {percent:>3}%{TREND_ARROWS[trend]}")
    return bar


def needs_you(count: int) -> str:
    """The status line's count of agents waiting on the person.

    >>> [needs_you(n) for n in (1, 3)]
    ['1 needs you', '3 need you']
    """
    return f"{count} {'needs' if count == 1 else 'need'} you"


def ellipsis(text: str, width: int) -> str:
    """`text` cut to `width` cells with an ellipsis at the end, so a long name shortens instead
    of pushing a whole column off the screen.

    >>> ellipsis("acme/web @ feature/very-long-branch-name", 20)
    'acme/web @ feature/…'
    """
    return text if len(text) <= width else text[:width - 1] + "…"


def lane(repo: str, branch: str) -> str:
    if not repo:
        return "—"
    return repo if branch in ("", "*") else f"{repo} @ {branch}"


_SGR = re.compile(r"\x1b\[[0-9;:]*m")


def split_capture(capture: str, rows: int | None) -> tuple[list[str], int]:
    r"""A pane's capture (one line per row, no newline after the last, as `TmuxService.capture`
    returns it) as lines, and the index of the first line of the current screen: the pane's
    last `rows` lines, history above them. Blank rows at the end of the screen are dropped: a
    screen drawn from the top leaves them, and they hold nothing to read.

    >>> split_capture("old frame\nframe 2\n\n", rows=3)
    (['old frame', 'frame 2'], 1)
    >>> split_capture("a\nb\n", rows=None)
    (['a', 'b'], 0)
    """
    lines = capture.split("\n")
    top = max(0, len(lines) - rows) if rows else 0
    end = len(lines)
    while end > top and not _SGR.sub("", lines[end - 1]).strip():
        end -= 1
    return lines[:end], top


# How each reason a queued prompt waits is shown: those that need the person stand out.
WAIT_STYLES = {"held": "yellow", "budget": "bold yellow", "draft": "bold yellow",
               "unreachable": "bold red", "uncertain": "bold red", "sending": "cyan",
               "busy": "dim", "next": "green", "behind": "dim"}


def why_text(wait) -> Text:
    """A `core.queue_reasons.QueueWait` as a cell: its kind, then what it says."""
    text = Text(f"{wait.kind}", style=WAIT_STYLES.get(str(wait.kind), ""))
    text.append(f": {ellipsis(wait.why, 70)}", style="dim")
    return text


def figures_text(work: BranchFigures) -> str:
    """`codex/7 ↑2 ↓0 · 3 files +40 −2`, as much as is known."""
    parts = [work.branch or "(detached)"]
    if work.ahead is not None:
        parts[0] += f" ↑{work.ahead} ↓{work.behind}"
    if work.files_changed:
        parts.append(f"{work.files_changed} file{'s' if work.files_changed != 1 else ''} "
                     f"+{work.insertions} −{work.deletions}")
    if work.merged:
        parts.append("merged: X retires it")
    return " · ".join(parts)


def cut_words(filter_text: str, shown: int, grouping: Grouping, frozen: bool) -> str:
    """How the list is cut, for the status line: filter, grouping, frozen order."""
    words = [f"/{filter_text}: {shown} shown"] if filter_text else []
    if grouping is not Grouping.NONE:
        words.append(f"by {grouping}")
    if frozen:
        words.append("❄ order frozen")
    return " · ".join(words)


def pane_subtitle(status: AgentStatus, work: BranchFigures | None, at: float) -> Text:
    """The live pane's bottom line: alerts, state and time in it, why, branch figures. The
    time goes in the table's steps (`since`): a count of seconds repainted the screen every
    second.

    >>> from orchestra_tui.models import AgentSpec
    >>> status = AgentStatus(name="api", pane_id="%1", tool="codex", state=State.IDLE,
    ...                      reason="composer ready", since=100.0, spec=AgentSpec("api"))
    >>> pane_subtitle(status, None, 223.0).plain
    'idle 2m · composer ready'
    """
    subtitle = Text()
    if status.alerts:
        subtitle.append(f"⚠ {'; '.join(status.alerts)}", style="bold red")
        subtitle.append(" (!) · ")
    shown_since = since(at - status.since) if status.since else ""
    subtitle.append(f"{status.state} {shown_since} · {status.reason}")
    if work is not None:
        subtitle.append(f" · {figures_text(work)}")
    return subtitle
