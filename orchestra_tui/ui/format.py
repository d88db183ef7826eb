"""How states, durations and context look on screen: one place, so every widget agrees."""

from __future__ import annotations

from rich.text import Text

from orchestra_tui.models import ContextTrend, State

STATE_STYLES: dict[State, str] = {
    State.APPROVAL: "bold black on #e5c07b",
    State.BLOCKED: "bold white on #d0463b",
    State.STUCK: "bold white on #b3569e",
    State.EXITED: "bold white on #6b6f7a",
    State.IDLE: "bold black on #7fb77e",
    State.WORKING: "bold black on #5fa8d3",
    State.UNKNOWN: "bold white on #3b3f4a",
}

TREND_ARROWS: dict[ContextTrend, str] = {
    ContextTrend.FALLING: "↓",
    ContextTrend.FLAT: "→",
    ContextTrend.RISING: "↑",
    ContextTrend.UNKNOWN: " ",
}


def state_badge(state: State) -> Text:
    return Text(f" {state.value.upper():<8} ", style=STATE_STYLES[state])


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def context_bar(percent: int | None, trend: ContextTrend, *, width: int = 8,
                warn: int = 20, critical: int = 10) -> Text:
    if percent is None:
        return Text("   —".ljust(width + 6), style="dim")
    filled = round(width * max(0, min(100, percent)) / 100)
    style = "red" if percent <= critical else "yellow" if percent <= warn else "green"
    bar = Text("█" * filled, style=style)
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {percent:>3}%{TREND_ARROWS[trend]}")
    return bar


def lane(repo: str, branch: str) -> str:
    if not repo:
        return "—"
    return repo if branch in ("", "*") else f"{repo} @ {branch}"
