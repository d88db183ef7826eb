"""An `Explanation` (`core.why`) in words, line by line: what `orchestra why` prints and the
app's `w` panel shows. Each line comes with a style name (`title`, `label`, `text`, `row`,
`dim`) so the panel can colour it; the command prints the text alone. Screen text is quoted
with its control bytes shown, never passed through to a terminal."""

from __future__ import annotations

import time

from orchestra_tui.agents.inert import visible_controls
from orchestra_tui.core.why import Authority, Explanation
from orchestra_tui.ui.words import STATE_PHRASES

AUTHORITY_WORDS = {
    Authority.HOOK: "its own hook event",
    Authority.SCREEN: "its screen, as orchestra reads it",
    Authority.TMUX: "tmux",
    Authority.HOST: "its host",
    Authority.PERSON: "you",
    Authority.LOOP: "orchestra's loop watch",
    Authority.NONE: "nothing kept",
}


def clock(at: float | None) -> str:
    """`14:03:07` in local time; blanks for a clue with no moment of its own."""
    return time.strftime("%H:%M:%S", time.localtime(at)) if at else " " * 8


def span(seconds: float) -> str:
    """`42s`, `5m 3s`, `2h 10m`.

    >>> [span(s) for s in (4.2, 303, 7860)]
    ['4s', '5m 3s', '2h 11m']
    """
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60}m"


def why_lines(told: Explanation) -> list[tuple[str, str]]:
    """(style, text) lines, in reading order."""
    since = f" for {span(told.at - told.since)}" if told.since else ""
    lines = [("title", f"{told.agent} {STATE_PHRASES[told.state]}{since}"),
             ("text", f"  {visible_controls(told.reason)}"),
             ("label", f"decided by {AUTHORITY_WORDS[told.authority]}"),
             ("text", f"  {told.authority_why}")]
    if told.clues:
        lines.append(("label", "evidence"))
    for clue in told.clues:
        style = "row" if clue.kind == "screen" and clue.text.startswith("row ") else "text"
        lines.append((style, f"  {clock(clue.at)}  {clue.kind:<12} "
                             f"{visible_controls(clue.text)}"))
    lines += [("label", "what orchestra does next"),
              ("text", f"  {visible_controls(told.next_step)}")]
    return lines


def why_text(told: Explanation) -> str:
    return "\n".join(text for _, text in why_lines(told))
