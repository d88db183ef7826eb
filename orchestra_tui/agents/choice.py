"""Dialogs no profile describes, recognised by structure alone: a list of options at the bottom
of the screen, one of them under a cursor glyph, the others aligned with it, and under the
list only a key-hint footer that names enter or esc ("Press enter to continue", "Enter to
confirm · Esc to cancel") or, for a numbered list, a question above it. Nothing live below
it: no composer, working row, new transcript entry or turn end (else the dialog was answered).

A picker that marks the current value (✔, as in a model menu) is a menu the person opened,
not a request: it is left to `unknown`.
"""

from __future__ import annotations

import re

from orchestra_tui.agents.text import Line, clip, joined
from orchestra_tui.agents.view import Verdict, View
from orchestra_tui.models import State

_GLYPHS = "›❯>▶▸➜→●◉"
# Spaces, never `\s`: the rows are matched joined with newlines, and a match must not run on
# into the next row.
_CURSOR = re.compile(
    rf"^(?P<lead> *(?:▌ *)?)[{_GLYPHS}] +(?P<num>(?P<n>\d{{1,2}})[.)] +)?(?P<text>\S)",
    re.MULTILINE)
_NUMBERED = re.compile(r"^(?P<lead> *(?:▌ *)?(?:[○◯] +)?)(?P<n>\d{1,2})[.)] +\S")
_RADIO = re.compile(r"^(?P<lead> *(?:▌ *)?)[○◯] +\S")
_INDENT = re.compile(r"^ *(?:▌ *)?")
_KEY_HINT = re.compile(r"\b(?:enter|return|esc|escape)\s+to\s+\w", re.IGNORECASE)
_QUESTION = re.compile(r"\?(?:\s|\)|$)")
_TRUST = re.compile(r"\btrust\b", re.IGNORECASE)
_CURRENT = re.compile(r"[✔✓]")
# The options (at most 9, with wrapped rows) and the footer fit in the bottom rows.
_WINDOW = 30
_MAX_OPTIONS = 9
_MAX_BELOW = 4
_MAX_ABOVE = 12


def choice_dialog(v: View) -> Verdict | None:
    if not v.p.dialog.structural:
        return None
    window = v.s.tail(_WINDOW)
    text = "\n".join(ln.text for ln in window)  # one scan for cursor rows, not one per row
    composer = v.composer.line.index if v.composer else -1
    rows = [window[text.count("\n", 0, hit.start())] for hit in _CURSOR.finditer(text)]
    cursor = next((ln for ln in reversed(rows) if ln.index != composer), None)
    if cursor is None:
        return None
    block = _block(v, cursor)
    if block is None:
        return None
    first, last, options, numbered = block
    if any(_CURRENT.search(ln.text) for ln in options):
        return None  # a settings picker showing its current value
    below = [ln for ln in v.s.lines[last + 1:] if not ln.blank and not ln.rule]
    if len(below) > _MAX_BELOW or any(_live(v, ln) for ln in below):
        return None
    above = _above(v, first)
    question = next((ln for ln in reversed(above) if _QUESTION.search(ln.body)), None)
    if not (_KEY_HINT.search(joined(below)) or (numbered and question)):
        return None
    rows = (*above, *options, *below)
    texts = ("\n".join(ln.text for ln in rows), joined(rows))
    kind = next((k for k, t in v.p.dialog.titles if any(t.search(x) for x in texts)), None)
    if kind is None:
        kind = "trust" if _TRUST.search(texts[1]) else "choice"
    title = question or (above[0] if above else cursor)
    return Verdict(State.APPROVAL, f'approval: "{clip(title.body)}" dialog', dialog=kind)


def _column(line: Line) -> int:
    return len(_INDENT.match(line.text).group(0))  # type: ignore[union-attr]


def _block(v: View, cursor: Line) -> tuple[int, int, list[Line], bool] | None:
    """The option rows around the cursor row: (first row, last row, options, numbered)."""
    found = _CURSOR.match(cursor.text)
    assert found is not None
    numbered = found.group("num") is not None
    column = found.start("num") if numbered else found.start("text")
    lines = v.s.lines

    def option(line: Line) -> bool:
        if line.index == cursor.index:
            return True
        if numbered:
            row = _NUMBERED.match(line.text)
            return bool(row and row.end("lead") == column)
        radio = _RADIO.match(line.text)
        return bool(radio and len(radio.group("lead")) == found.end("lead")) or (
            not _RADIO.match(line.text) and _column(line) == column)

    def belongs(line: Line) -> bool:
        return not line.blank and not line.rule and (option(line) or _column(line) > column)

    first = cursor.index
    while first > 0 and belongs(lines[first - 1]):
        first -= 1
    while first < cursor.index and not option(lines[first]):
        first += 1
    last = cursor.index
    while last + 1 < len(lines) and belongs(lines[last + 1]):
        last += 1
    options = [ln for ln in lines[first:last + 1] if option(ln)]
    if not 2 <= len(options) <= _MAX_OPTIONS:
        return None
    if numbered:
        numbers = [int(m.group("n")) if (m := _NUMBERED.match(ln.text) or _CURSOR.match(ln.text))
                   and m.group("n") else -1 for ln in options]
        if numbers != list(range(1, len(options) + 1)):
            return None
    return first, last, options, numbered


def _above(v: View, first: int) -> list[Line]:
    """The dialog's title and text: the rows above the options up to a rule or older output."""
    rows: list[Line] = []
    for line in reversed(v.s.lines[max(0, first - 3 * _MAX_ABOVE):first]):
        if line.rule or v.is_item(line) or v.is_echo(line) or len(rows) >= _MAX_ABOVE:
            break
        if not line.blank:
            rows.append(line)
    return rows[::-1]


def _live(v: View, line: Line) -> bool:
    """A row that proves the screen moved on past the dialog."""
    if v.composer and v.composer.top <= line.index <= v.composer.bottom:
        return True
    return bool(v.is_item(line) or v.is_echo(line) or v.status_match(line)
                or v.is_finished(line) or v.is_interrupt(line))
