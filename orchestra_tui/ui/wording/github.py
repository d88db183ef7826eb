"""How GitHub things look on screen: severity, authors, checks, gates, review decisions. One
place, so the inbox, the merge panel and the issues agree. Everything returns rich `Text`
(data, never markup): a comment or a title with `[/]` in it stays literal."""

from __future__ import annotations

import re

from rich.text import Text

from orchestra_tui.models import Check, CheckState, Gate, PullRequest, ReviewThread

RED = "bold white on #d0463b"
ORANGE = "bold black on #e08a3c"
YELLOW = "bold black on #e5c07b"
GREEN = "bold black on #7fb77e"

SEVERITY_STYLES: dict[str, str] = {
    "critical": RED,
    "high": RED,
    "major": ORANGE,
    "medium": ORANGE,
    "minor": YELLOW,
    "low": YELLOW,
}

CHECK_MARKS: dict[CheckState, tuple[str, str]] = {
    CheckState.PASSING: ("✓", "green"),
    CheckState.FAILING: ("✗", "bold red"),
    CheckState.PENDING: ("●", "yellow"),
    CheckState.NEUTRAL: ("–", "dim"),
}

REVIEW_STYLES: dict[str, tuple[str, str]] = {
    "APPROVED": ("approved", "green"),
    "CHANGES_REQUESTED": ("changes requested", "bold red"),
    "REVIEW_REQUIRED": ("review required", "yellow"),
}

BADGE_WIDTH = 10

ERROR_TITLES = {
    "auth": "GitHub refused the token",
    "rate_limited": "GitHub rate limit reached",
    "network": "GitHub unreachable",
    "timeout": "GitHub did not answer",
    "server": "GitHub server error",
    "not_found": "GitHub: not found",
}


def error_title(kind: str) -> str:
    return ERROR_TITLES.get(kind, "GitHub error")


def repo_error_text(repo: str, kind: str, message: str, width: int = 0) -> Text:
    """`⚠ acme/docs  GitHub did not answer: <message>`: one repository's failure, as the row
    that stands for its PRs, threads or issues while the other repositories still show."""
    text = Text.assemble((" ⚠ ", RED), (f" {repo} ", "bold red"))
    text.append(f" {error_title(kind)}", style="bold")
    detail = f": {message}"
    text.append(clip(detail, max(8, width - len(text))) if width else detail, style="red")
    return text


def severity_badge(severity: str | None) -> Text:
    """critical/high red, major/medium orange, minor/low yellow, anything else or none dim."""
    if not severity:
        return Text(" —".ljust(BADGE_WIDTH), style="dim")
    style = SEVERITY_STYLES.get(severity.lower(), "dim")
    return Text(f" {severity.upper()[:BADGE_WIDTH - 2]:<{BADGE_WIDTH - 2}} ", style=style)


def author_text(author: str, is_bot: bool, width: int = 0) -> Text:
    text = Text.assemble((author, "bold" if not is_bot else ""))
    text.append(" bot" if is_bot else " human", style="dim italic" if is_bot else "cyan italic")
    if width:
        text.truncate(width, overflow="ellipsis", pad=True)
    return text


def where(thread: ReviewThread) -> str:
    return f"{thread.path}:{thread.line}" if thread.line is not None else thread.path


def short_sha(sha: str) -> str:
    return sha[:7] if sha else "—"


def clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def gate_badge(gate: Gate) -> Text:
    if gate.ready:
        return Text(" READY ", style=GREEN)
    return Text(" wait  ", style="dim")


def checks_cell(pr: PullRequest) -> Text:
    """`✓3 ✗1 ●1` counts, or `none`."""
    if not pr.checks:
        return Text("none", style="dim")
    text = Text()
    for state in (CheckState.PASSING, CheckState.FAILING, CheckState.PENDING):
        count = sum(1 for c in pr.checks if c.state is state)
        if count:
            mark, style = CHECK_MARKS[state]
            if text:
                text.append(" ")
            text.append(f"{mark}{count}", style=style)
    return text or Text("neutral", style="dim")


def check_line(check: Check, width: int = 0) -> Text:
    """` ✗ ci/test   required  failing`; names padded to `width`."""
    mark, style = CHECK_MARKS[check.state]
    text = Text.assemble((f" {mark} ", style))
    text.append(check.name.ljust(width), style="bold" if check.required else "")
    text.append("  required" if check.required else "          ", style="cyan")
    text.append(f"  {check.state.value}", style=style)
    return text


def review_cell(decision: str | None) -> Text:
    if decision is None:
        return Text("not required", style="dim")
    label, style = REVIEW_STYLES.get(decision, (decision.lower().replace("_", " "), ""))
    return Text(label, style=style)


def merge_cell(pr: PullRequest) -> Text:
    style = {"CLEAN": "green", "HAS_HOOKS": "green", "DIRTY": "bold red", "BEHIND": "yellow",
             "BLOCKED": "yellow", "UNSTABLE": "yellow"}.get(pr.merge_state, "dim")
    return Text(pr.merge_state.lower(), style=style)


def in_time(seconds: float) -> str:
    """`in 12m`, `in 1h05m`, `now`: a wait, rounded up to the minute after the first."""
    seconds = int(seconds + 0.999)
    if seconds <= 0:
        return "now"
    if seconds < 60:
        return f"in {seconds}s"
    minutes = -(-seconds // 60)
    if minutes < 60:
        return f"in {minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"in {hours}h{minutes:02d}m"


def age(created_at: str, now: float) -> str:
    """`3h`, `2d` old, from an ISO 8601 time; '' when unreadable or `now` is 0."""
    from datetime import datetime

    if not created_at or not now:
        return ""
    try:
        when = datetime.fromisoformat(created_at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return ""
    seconds = max(0, int(now - when))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def quoted_as_code(prompt: str) -> str:
    """A PR-loop prompt as Markdown for the inbox's detail: each run of quoted lines (`> …`, a
    CI log's tail) becomes a fenced block, so the log reads line by line, as sent, instead of
    as a blockquote whose lines Markdown joins and whose `<…>` it drops as HTML.

    >>> print(quoted_as_code("Fix it.\\n\\n> E  assert <A x=1>.calls\\n>\\n> done\\nThanks"))
    Fix it.
    <BLANKLINE>
    ```text
    E  assert <A x=1>.calls
    <BLANKLINE>
    done
    ```
    Thanks
    """
    lines = prompt.splitlines()
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    out: list[str] = []
    quoted = False
    for line in lines:
        inside = line == ">" or line.startswith("> ")
        if inside != quoted:
            out.append(f"{fence}text" if inside else fence)
            quoted = inside
        out.append(line[2:] if inside else line)
    if quoted:
        out.append(fence)
    return "\n".join(out)
