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
        limit = self.status.line.index if self.status else self.end
        # With no echo in the last _LIVE_ROWS rows, the live region starts there: anything
        # older is history whether or not an echo scrolled past.
        rows = [line for line in screen.nonblank if line.index < limit][-_LIVE_ROWS:]
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
        edges = self.p.composer_edges
        for line in reversed(self.s.tail(_DIALOG_ROWS)):
            i = line.index
            if i == 0 or not pattern.match(line.text):
                continue
            above = lines[i - 1]
            if not (above.rule or (edges and above.edge == "▀")):
                continue
            for j in range(i + 1, min(len(lines), i + 12)):
                if lines[j].rule or (edges and lines[j].edge == "▄"):
                    return Composer(line, i - 1, j)
                if edges and lines[j].edge:
                    break
        return None

    def _status(self) -> Status | None:
        rows = [line for line in self.s.nonblank if line.index < self.end]
        rows = rows[-self.p.working_window:]
        for line in reversed(rows):
            found = self.status_match(line)
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
        if any(f.pattern.search(line.text) for f in self.p.finished):
            return None
        for marker in self.p.working:
            match = marker.pattern.search(line.text)
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

    def footer(self) -> tuple[Line, ...]:
        if self.composer:
            return tuple(line for line in self.s.nonblank if line.index > self.composer.bottom)[:4]
        return self.s.tail(2)


@dataclass(frozen=True)
class Verdict:
    state: State
    reason: str
    elapsed: int | None = None
    dialog: str | None = None
