"""Approval dialogs, recognised by their structure (pitfall 2): a highlighted option row
in a numbered block that starts at 1, a question above it, the tool's footer under it, and no
composer or new output below. A phrase alone is never enough. The tool's own shapes are tried
first (they name the dialog's kind); a list no profile knows falls to `choice.choice_dialog`."""

from __future__ import annotations

import re

from orchestra_tui.agents.choice import asks_consent, choice_dialog
from orchestra_tui.agents.text import Line, Screen, clip, joined, option_identity
from orchestra_tui.agents.view import Verdict, View, evidence
from orchestra_tui.models import State

_QUESTION = re.compile(r"\?\s*(?:\(esc\))?$")
_LEADING_BAR = re.compile(r"^\s*▌")
_INDENTED = re.compile(r"^\s{3,}\S")
_OPTION_NUMBER = re.compile(r"(\d+)\.\s")
_DIALOG_ROWS = 40


def approval(v: View) -> Verdict | None:
    return _tool_dialog(v) or choice_dialog(v)


def _tool_dialog(v: View) -> Verdict | None:
    d, s = v.p.dialog, v.s
    last = s.last
    if last is None:
        return None
    for kind, pattern in d.last_line:
        if pattern.search(last.text):
            return Verdict(State.APPROVAL, f'approval: "{clip(last.body)}" prompt', dialog=kind,
                           subject=joined(s.tail(6)), rule="approval", evidence=evidence(last))
    bottom = s.tail(4)
    for kind, pattern in d.standalone:
        if pattern.search(joined(bottom)):
            row = next((ln for ln in bottom if pattern.search(ln.text)), bottom[-1])
            return Verdict(State.APPROVAL, f'approval: "{clip(row.body)}" dialog', dialog=kind,
                           subject=joined(s.tail(8)), rule="approval", evidence=evidence(row))
    if d.cursor is None or d.option is None:
        return None
    window = s.tail(_DIALOG_ROWS)
    cursor = next((ln for ln in reversed(window) if d.cursor.match(ln.text)), None)
    if cursor is None:
        return None
    first, last_row = _option_block(s, cursor.index, d.option)
    options = [ln for ln in s.lines[first:last_row + 1] if d.option.match(ln.text)]
    numbers = [int(n.group(1)) for ln in options if (n := _OPTION_NUMBER.search(ln.text))]
    radio = any("○" in ln.text for ln in options)
    if (numbers and numbers[0] != 1) or (not numbers and not radio):
        return None
    below = [ln for ln in s.lines[last_row + 1:] if not ln.blank and not ln.rule]
    waiting = d.waiting is not None and any(d.waiting.search(ln.text) for ln in below)
    if not waiting and (len(below) > 6 or any(_is_live_input(v, ln) for ln in below)):
        return None  # a composer or new output under the options: that dialog is history
    above = _rows_above(s, first)
    titles = [ln for ln in above if any(t.search(ln.text) for _, t in d.titles)]
    if len(options) < 2 and not titles:
        return None  # one option row is only a dialog under a title the tool is known to use
    asked = [ln for ln in above if _QUESTION.search(ln.body)]
    # The reason quotes the question: a title that asks one, else the last question (a Codex
    # "Reason: …?" row can ask one too), else a title that asks nothing ("URLs to fetch:").
    question = next((ln for ln in titles if ln in asked), None) or (
        asked[-1] if asked else titles[-1] if titles else None)
    if question is None:
        return None
    # The footer proves a live dialog; where a build draws none (Claude's plan picker, ≤2.0
    # boxes), an option's own "(esc)" shortcut or a title the tool is known to use does.
    if d.footer_required and d.footer and not d.footer.search(joined(below)) and not titles:
        if not (d.footer_alternative and d.footer_alternative.search(joined(options))):
            return None
    rows = (*above, *options, *below)
    # Rows as drawn (for anchored titles) and joined (for titles the TUI wrapped).
    texts = ("\n".join(ln.text for ln in rows), joined(rows))
    named = next((k for k, t in d.titles if any(t.search(x) for x in texts)), None)
    if named is None:
        # No title the tool is known to use: options that are answers make it a question;
        # else the tool's usual dialog when they carry its shortcuts ("(y)", "(esc)"), and a
        # list whose keys are unknown when they do not.
        shortcuts = d.footer_alternative and d.footer_alternative.search(joined(options))
        named = ("question" if not asks_consent(options, question)
                 else d.default_kind if shortcuts else "choice")
    return Verdict(State.APPROVAL, f'approval: "{_paragraph(s, question)}" dialog', dialog=named,
                   subject=joined(above), options=option_identity(options), rule="approval",
                   evidence=evidence(question, cursor, options[-1], below[0] if below else None))


def _paragraph(s: Screen, line: Line) -> str:
    """The question with the rows it was wrapped from (pitfall 8)."""
    first = line.index
    # Only a row that starts mid-sentence ("proceed?", "command?") continues the one above.
    wrapped = _LEADING_BAR.sub("", line.text).strip()[:1].islower()
    while wrapped and first > 0 and line.index - first < 3:
        prev = s.lines[first - 1]
        if prev.rule or not _LEADING_BAR.sub("", prev.text).strip() or _QUESTION.search(prev.body):
            break
        first -= 1
    rows = s.lines[first:line.index + 1]
    return clip(" ".join(_LEADING_BAR.sub("", ln.text).strip() for ln in rows))


def _option_block(s: Screen, index: int, option: re.Pattern[str]) -> tuple[int, int]:
    """The contiguous rows of options (and their wrapped continuations) around `index`."""
    def belongs(line: Line) -> bool:
        if line.blank or line.rule:
            return False
        text = _LEADING_BAR.sub("", line.text)
        return bool(option.match(line.text) or _INDENTED.match(text))

    first = index
    while first > 0 and belongs(s.lines[first - 1]) and not _QUESTION.search(
            s.lines[first - 1].body):
        first -= 1
    while first < index and not option.match(s.lines[first].text):
        first += 1
    last = index
    while last + 1 < len(s.lines) and belongs(s.lines[last + 1]):
        last += 1
    return first, last


def _rows_above(s: Screen, first: int) -> list[Line]:
    rows: list[Line] = []
    for line in reversed(s.lines[max(0, first - 30):first]):
        if line.rule and rows:
            break
        if not line.blank and not line.rule:
            rows.append(line)
    return rows[::-1]


def _is_live_input(v: View, line: Line) -> bool:
    """A row under the options that proves the dialog was answered: the composer came back,
    a new entry, a working row or a turn end was printed."""
    if v.composer and v.composer.line.index == line.index:
        return True
    if v.is_item(line) or v.status_match(line) or v.is_finished(line) or v.is_interrupt(line):
        return True
    return bool(v.p.echo and v.p.echo.match(line.text) and not v.p.composer_framed)
