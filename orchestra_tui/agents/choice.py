"""Dialogs no profile describes, recognised by structure alone: a list of options at the bottom
of the screen and, under it, nothing but a few footer rows. The list is either

- options aligned under a cursor glyph (`›`, `❯`, `●`, …), numbered or not, with a key-hint
  footer that names enter or esc ("Press enter to continue", "Enter to confirm · Esc to
  cancel", "enter submit  esc dismiss") or, for a numbered list, a question above it; or
- options numbered from 1 with no cursor drawn (the highlight was only a colour), right above
  a key-hint footer.

A numbered list under a cursor needs neither footer nor question mark: the row over it is
the question, however it is worded ("Claude in Chrome wants to navigate on example.com").
Its options say what it asks: consent (a yes, an allow, a no, a skip: approval) or an answer
among others (a question, which `y` or Enter must not answer for the person).

Nothing live may sit below it: no composer, working row, new transcript entry or turn end
(else the dialog was answered). A picker that marks the current value (✔, as in a model menu)
is a menu the person opened, not a request: it is left to `unknown`.
"""

from __future__ import annotations

import re

from orchestra_tui.agents.text import Line, clip, joined, option_identity
from orchestra_tui.agents.view import Verdict, View, evidence
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
_KEY_HINT = re.compile(r"\b(?:enter|return|esc|escape)\b (?:to )?[a-z]{3,}", re.IGNORECASE)
_QUESTION = re.compile(r"\?(?:\s|\)|$)")
_TRUST = re.compile(r"\btrust\b", re.IGNORECASE)
_CURRENT = re.compile(r"[✔✓]")
# An option that consents (first, as the default) or one that declines: the list asks for
# consent. Else its options are answers to a question.
_CONSENT = re.compile(r"^(?:yes|allow|approve|accept|proceed|confirm|trust|ok(?:ay)?|always"
                      r"|grant|run|apply|continue|enable)\b", re.IGNORECASE)
_REFUSAL = re.compile(r"^(?:no|deny|decline|reject|cancel|don't|do not|never|skip|keep|quit"
                      r"|exit|abort|dismiss|not now|later|stop|disable)\b|\bwithout\b",
                      re.IGNORECASE)
_LABEL = re.compile(r"^[\s❯›>▶▸➜→●◉○◯•*▌]*(?:\d{1,2}[.)]\s*)?(?:\(.\)\s*)?")
_WORD = re.compile(r"[\w'-]+")
# The options (at most 9, with wrapped rows) and the footer fit in the bottom rows.
_WINDOW = 30
_MAX_OPTIONS = 9
_MAX_BELOW = 4
_MAX_ABOVE = 12


class _Block:
    """Option rows found around one anchor row."""

    def __init__(self, first: int, last: int, options: list[Line]) -> None:
        self.first, self.last, self.options = first, last, options


def choice_dialog(v: View) -> Verdict | None:
    if not v.p.dialog.structural:
        return None
    window = v.s.tail(_WINDOW)
    cursor = _cursor_row(v, window)
    if cursor is not None:
        found = _CURSOR.match(cursor.text)
        assert found is not None
        numbered = found.group("num") is not None
        column = found.start("num") if numbered else found.start("text")
        block = _block(v, cursor, column, numbered, glyph_column=found.end("lead"))
        return _verdict(v, block, numbered, needs_footer=False) if block else None
    anchor = _numbered_above_footer(v, window)
    if anchor is None:
        return None
    found = _NUMBERED.match(anchor.text)
    assert found is not None
    block = _block(v, anchor, found.end("lead"), numbered=True, glyph_column=-1)
    return _verdict(v, block, numbered=True, needs_footer=True) if block else None


def _cursor_row(v: View, window: tuple[Line, ...]) -> Line | None:
    text = "\n".join(ln.text for ln in window)  # one scan for cursor rows, not one per row
    composer = v.composer.line.index if v.composer else -1
    rows = [window[text.count("\n", 0, hit.start())] for hit in _CURSOR.finditer(text)]
    return next((ln for ln in reversed(rows) if ln.index != composer), None)


def _numbered_above_footer(v: View, window: tuple[Line, ...]) -> Line | None:
    """With no cursor drawn: the last numbered row above a key-hint footer at the bottom."""
    bottom = window[-_MAX_BELOW:]
    footer = next((ln for ln in reversed(bottom) if _KEY_HINT.search(ln.body)), None)
    if footer is None:
        return None
    for line in reversed(window):
        if line.index < footer.index and _NUMBERED.match(line.text):
            return line
    return None


def _verdict(v: View, block: _Block, numbered: bool, needs_footer: bool) -> Verdict | None:
    if any(_CURRENT.search(ln.text) for ln in block.options):
        return None  # a settings picker showing its current value
    below = [ln for ln in v.s.lines[block.last + 1:] if not ln.blank and not ln.rule]
    if len(below) > _MAX_BELOW or any(_live(v, ln) for ln in below):
        return None
    footer = bool(_KEY_HINT.search(joined(below)))
    above = _above(v, block.first)
    question = next((ln for ln in reversed(above) if _QUESTION.search(ln.body)), None)
    # Under a cursor, a numbered list with a line over it: that line asks, whatever its words.
    if not (footer or (numbered and above and not needs_footer)):
        return None
    rows = (*above, *block.options, *below)
    texts = ("\n".join(ln.text for ln in rows), joined(rows))
    kind = next((k for k, t in v.p.dialog.titles if any(t.search(x) for x in texts)), None)
    title = question or (above[0] if above else block.options[0])
    if kind is None:
        kind = ("trust" if _TRUST.search(texts[1])
                else "choice" if asks_consent(block.options, title) else "question")
    return Verdict(State.APPROVAL, f'approval: "{clip(title.body)}" dialog', dialog=kind,
                   subject=joined(above), options=option_identity(block.options),
                   rule="choice_dialog",
                   evidence=evidence(title, block.options[0], block.options[-1],
                                     below[0] if below else None))


def asks_consent(options: list[Line], question: Line | None) -> bool:
    """Whether a list's options are allow/deny-like: one declines ("No", "Deny (esc)", "Skip",
    "Keep the current model", "Continue without it"), or the first consents ("Yes", "Allow",
    "Proceed") or repeats the question's verb ("Switch to the cheaper model?" / "1. Switch").
    Else they are answers ("1. Postgres", "2. SQLite")."""
    labels = [_LABEL.sub("", line.body) for line in options]
    if not labels:
        return False
    if _CONSENT.search(labels[0]) or any(_REFUSAL.search(label) for label in labels):
        return True
    first = _WORD.findall(labels[0].lower())[:1]
    asked = _WORD.findall(_LABEL.sub("", question.body).lower())[:1] if question else []
    return bool(first) and first == asked


def _column(line: Line) -> int:
    return len(_INDENT.match(line.text).group(0))  # type: ignore[union-attr]


def _block(v: View, anchor: Line, column: int, numbered: bool,
           glyph_column: int) -> _Block | None:
    """The option rows around `anchor`: numbered rows whose number starts at `column`, or rows
    whose text starts there (a radio `○` at the cursor's glyph column counts too)."""
    lines = v.s.lines

    def option(line: Line) -> bool:
        if line.index == anchor.index:
            return True
        if numbered:
            # Numbers under the cursor's, or further left where a capture lost the indent.
            row = _NUMBERED.match(line.text)
            return bool(row and row.end("lead") <= column)
        radio = _RADIO.match(line.text)
        if radio:
            return len(radio.group("lead")) == glyph_column
        return _column(line) == column

    def belongs(line: Line) -> bool:
        # An option's wrapped text or description sits under it, at the option's column or
        # deeper (Claude's question picker indents descriptions to the number's column).
        return not line.blank and not line.rule and (option(line) or _column(line) >= column)

    first = anchor.index
    while first > 0 and belongs(lines[first - 1]):
        first -= 1
    while first < anchor.index and not option(lines[first]):
        first += 1
    last = anchor.index
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
    return _Block(first, last, options)


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
