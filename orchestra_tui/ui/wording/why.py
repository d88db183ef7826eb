"""An `Explanation` (`core.why`) in words, line by line: what `orchestra why` prints and the
app's `w` panel shows. Each line comes with a style name (`title`, `label`, `text`, `row`,
`dim`) so the panel can colour it; the command prints the text alone. Screen text is quoted
with its control bytes shown, never passed through to a terminal."""

from __future__ import annotations

from orchestra_tui.agents.inert import visible_controls
from orchestra_tui.core.why import Authority, Explanation
from orchestra_tui.ui.wording.costs import cost_lines
from orchestra_tui.ui.wording.states import STATE_PHRASES

_AGO_WIDTH = 9

AUTHORITY_WORDS = {
    Authority.HOOK: "its own hook event",
    Authority.SCREEN: "its screen, as orchestra reads it",
    Authority.TMUX: "tmux",
    Authority.HOST: "its host",
    Authority.PERSON: "you",
    Authority.LOOP: "orchestra's loop watch",
    Authority.NONE: "nothing kept",
}


def ago(at: float | None, now: float) -> str:
    """How long before `now` a clue was seen (`12s ago`, right-aligned); blanks for a clue
    with no moment of its own.

    >>> [ago(90.0, 100.0), ago(None, 100.0)]
    ['  10s ago', '         ']
    """
    return f"{span(now - at)} ago".rjust(_AGO_WIDTH) if at else " " * _AGO_WIDTH


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
    """(style, text) lines, in reading order: the state, who decided, what comes next (the
    lines a short panel must keep), then the evidence."""
    since = f" for {span(told.at - told.since)}" if told.since else ""
    lines = [("title", f"{told.agent} {STATE_PHRASES[told.state]}{since}"),
             ("text", f"  {visible_controls(told.reason)}"),
             ("label", f"decided by {AUTHORITY_WORDS[told.authority]}"),
             ("text", f"  {told.authority_why}")]
    lines += [("label", "what orchestra does next"),
              ("text", f"  {visible_controls(told.next_step)}")]
    if told.done_today:
        lines.append(("label", "done for you today"))
        lines += [("text", f"  {ago(at, told.at)}  {visible_controls(text)}")
                  for at, text in told.done_today]
    lines.append(("label", "what it cost"))
    lines += [("text", f"  {line}") for line in cost_lines(told.cost, told.cost_unknown)]
    if told.budget is not None and told.budget.level:
        budget = told.budget
        lines.append(("row", f"  {budget.hold_reason() if budget.holds else budget.words()}"
                             f"{'; you resumed it today' if budget.resumed else ''}"))
    if told.clues:
        lines.append(("label", "evidence"))
    for clue in told.clues:
        lines.append(("row" if clue.kind == "screen" and clue.rows else "text",
                      f"  {ago(clue.at, told.at)}  {clue.kind:<12} {visible_controls(clue.text)}"))
    return lines


def why_text(told: Explanation) -> str:
    return "\n".join(text for _, text in why_lines(told))
