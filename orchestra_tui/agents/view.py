"""The parts of one screen every decision shares: the composer, the working status row and
the live region, worked out once per classification."""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestra_tui.agents.profiles.base import Marker, Profile
from orchestra_tui.agents.text import Line, Screen, joined
from orchestra_tui.models import State

_DIALOG_ROWS = 40
_LIVE_ROWS = 80
_FOOTER_ROWS = 4
_HINT_ROWS = 3
_GROUP_NAME = re.compile(r"\(\?P<\w+>")
_NEVER = re.compile(r"(?!)")
_ANY: dict[int, tuple[tuple[Marker, ...], re.Pattern[str]]] = {}


def any_of(markers: tuple[Marker, ...]) -> re.Pattern[str]:
    """One pattern that matches where any of `markers` does: a row is tested once, not once per
    marker (the rows of a screen are read many times per classification)."""
    cached = _ANY.get(id(markers))
    if cached is None or cached[0] is not markers:
        parts = []
        for marker in markers:
            flags = "i" if marker.pattern.flags & re.IGNORECASE else ""
            body = _GROUP_NAME.sub("(?:", marker.pattern.pattern)
            parts.append(f"(?{flags}:{body})" if flags else f"(?:{body})")
        cached = (markers, re.compile("|".join(parts), re.MULTILINE) if parts else _NEVER)
        _ANY[id(markers)] = cached
    return cached[1]


@dataclass(frozen=True)
class Composer:
    line: Line
    top: int  # first row of the composer block (its top rule when framed)
    bottom: int  # last row of the block (its bottom rule when framed)


@dataclass(frozen=True)
class Status:
    marker: Marker
    line: Line
    match: re.Match[str]


class View:
    """The parts of one screen the decisions share, worked out once."""

    def __init__(self, screen: Screen, profile: Profile) -> None:
        self.s = screen
        self.p = profile
        self.composer = self._composer()
        self.end = self.composer.top if self.composer else len(screen.lines)
        self.at_prompt = bool(profile.prompt_line and screen.last
                              and profile.prompt_line.match(screen.last.text))
        self.status = None if self.at_prompt else self._status()
        self.ready_prompt = None if self.composer or self.at_prompt else self._ready_prompt()
        limit = self.status.line.index if self.status else self.end
        # With no echo in the last _LIVE_ROWS rows, the live region starts there: anything
        # older is history whether or not an echo scrolled past.
        rows = screen.between(0, limit)[-_LIVE_ROWS:]
        echo = next((line.index for line in reversed(rows) if self.is_echo(line)), None)
        self.live_start = echo + 1 if echo is not None else (rows[0].index if rows else 0)

    def _composer(self) -> Composer | None:
        pattern, lines = self.p.composer, self.s.lines
        if pattern is None:
            return None
        if not self.p.composer_framed:
            for line in reversed(self.s.tail(self.p.composer_window)):
                if self.is_item(line):
                    return None  # output below it: that row was a prompt echo
                if pattern.match(line.text):
                    return Composer(line, line.index, line.index)
            return None
        # A framed composer has a rule right above it and another a few rows below (a draft
        # can span rows); a prompt echo or a dialog option never sits right under a rule.
        # One rule is enough at the very bottom (the frame's other edge cut off or not drawn):
        # then nothing but a few footer rows may follow, and the row must not be an option.
        edges, padded = self.p.composer_edges, self.p.composer_padded
        option = self.p.dialog.option
        for line in reversed(self.s.tail(_DIALOG_ROWS)):
            i = line.index
            if not pattern.match(line.text):
                continue
            above = lines[i - 1] if i else None
            top = bool(above and (above.rule or (edges and above.edge)
                                  or (padded and above.blank)))
            bottom = None
            for j in range(i + 1, min(len(lines), i + 12)):
                if lines[j].rule or (edges and lines[j].edge) or (padded and lines[j].blank):
                    bottom = j
                    break
            ruled = bool(above and above.rule and bottom is not None and lines[bottom].rule)
            if top and bottom is not None and (ruled or self._only_footer_after(bottom)):
                return Composer(line, i - 1 if ruled else self._hint_rows_above(i - 1), bottom)
            if (top or bottom is not None) and not (option and option.match(line.text)):
                after = bottom if bottom is not None else i
                if self._only_footer_after(after):
                    return Composer(line, i - 1 if top else i, after)
        return None

    def _ready_prompt(self) -> Line | None:
        """The prompt glyph alone on the last row with no frame around it (a capture that lost
        the composer's rules, a plain terminal): an empty composer, ready for input."""
        last = self.s.last
        if last is None or self.p.composer is None or len(last.body) != 1:
            return None
        return last if self.p.composer.match(last.text) else None

    def _hint_rows_above(self, top: int) -> int:
        """The rule a few rows over an input framed by edges or padding, when only the input's
        own hint rows lie between (Gemini's mode row, "Shift+Tab to accept edits"): the block
        from that rule down is the composer's; else `top`."""
        for line in reversed(self.s.lines[max(0, top - _HINT_ROWS):top]):
            if line.rule:
                return line.index
            if (self.is_item(line) or self.status_match(line) or self.is_interrupt(line)
                    or (self.p.echo and self.p.echo.match(line.text))):
                break
        return top

    def _only_footer_after(self, index: int) -> bool:
        rows = [ln for ln in self.s.lines[index + 1:] if not ln.blank]
        return len(rows) <= _FOOTER_ROWS and not any(
            ln.rule or self.is_item(ln) or self.status_match(ln) for ln in rows)

    def _status(self) -> Status | None:
        rows = self.s.between(0, self.end)[-self.p.working_window:]
        for line in reversed(rows):
            if self.is_finished(line) or self.is_interrupt(line):
                return None  # the turn ended below any older spinner
            found = self._working(line)
            if found:
                return found
            if self.is_item(line):
                return None  # agent output below any spinner: that spinner is history
        if self.p.working_joined and rows:
            text = joined(rows[-4:])
            for marker in self.p.working_joined:
                match = marker.pattern.search(text)
                if match:
                    return Status(marker, rows[-1], match)
        return None

    def status_match(self, line: Line) -> Status | None:
        if self.is_finished(line):
            return None
        return self._working(line)

    def _working(self, line: Line) -> Status | None:
        for marker in self.p.working:
            match = marker.search(line.text)
            if match:
                return Status(marker, line, match)
        return None

    def is_echo(self, line: Line) -> bool:
        if self.p.echo is None or (self.composer and line.index == self.composer.line.index):
            return False
        cursor = self.p.dialog.option
        return bool(self.p.echo.match(line.text)) and not (cursor and cursor.match(line.text))

    def is_item(self, line: Line) -> bool:
        return bool(self.p.item and self.p.item.match(line.text))

    def is_finished(self, line: Line) -> bool:
        return bool(self.p.finished) and bool(any_of(self.p.finished).search(line.text))

    def is_interrupt(self, line: Line) -> bool:
        return bool(self.p.interrupted) and bool(any_of(self.p.interrupted).search(line.text))

    def interrupt_label(self, line: Line) -> str:
        """How the person stopped the turn, as the notice says: "interrupted" or "canceled"."""
        marker = next((mk for mk in self.p.interrupted if mk.search(line.text)), None)
        return "canceled" if marker and marker.label == "canceled" else "interrupted"

    def footer(self) -> tuple[Line, ...]:
        if self.composer:
            return self.s.between(self.composer.bottom + 1)[:4]
        return self.s.tail(2)


@dataclass(frozen=True)
class Verdict:
    state: State
    reason: str
    elapsed: int | None = None
    dialog: str | None = None
    resumes_at: str | None = None
    limit: str | None = None  # an account limit's kind: "usage limit", "quota"
    # An approval's identity parts: what it asks (rows above its options) and its options.
    subject: str = ""
    options: tuple[str, ...] = ()
    interrupted: bool = False  # the turn ended on the tool's own interrupt notice
    rule: str = ""  # which rule decided: a short stable name `orchestra why` shows
    evidence: tuple[tuple[int, str], ...] = ()  # the rows it matched, newest last


_EVIDENCE_ROWS = 4


def evidence(*lines: Line | None) -> tuple[tuple[int, str], ...]:
    """The rows a rule matched as (row index, text), in screen order, the newest few."""
    rows = sorted({line.index: line.body for line in lines if line is not None}.items())
    return tuple(rows[-_EVIDENCE_ROWS:])
