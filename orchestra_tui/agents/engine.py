"""The classifier: one screen's text in, a `Detection` out.

The engine is the same for every tool; what differs lives in the profiles. It finds the live
bottom region (after the last user-prompt echo, above and around the composer) and decides in
priority order, first match wins: approval, blocked, working, idle, unknown. Approval and
blocked come before working because their rows can carry "esc to interrupt" too (pitfall 4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestra_tui.agents.profiles import PROFILES
from orchestra_tui.agents.profiles.base import WALLS, Marker, Profile
from orchestra_tui.agents.text import Line, Screen, clip, joined, parse_duration
from orchestra_tui.models import Detection, State

_ELAPSED = re.compile(r"[(,·•]\s*(?P<el>(?:\d+h\s?)?(?:\d+m\s?)?\d+s)\b")
_QUESTION = re.compile(r"\?\s*(?:\(esc\))?$")
_LEADING_BAR = re.compile(r"^\s*▌")
_INDENTED = re.compile(r"^\s{3,}\S")
_OPTION_NUMBER = re.compile(r"(\d+)\.\s")
_SIGNATURE_ROWS = 300  # rows of a long capture worth scanning to recognise the tool
_DIALOG_ROWS = 40
_BLOCKED_ROWS = 20
_WALL_ROWS = 8
_MIN_SCORE = 2


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
        echoes = [line.index for line in screen.nonblank
                  if line.index < limit and self._is_echo(line)]
        self.live_start = echoes[-1] + 1 if echoes else 0

    def _composer(self) -> Composer | None:
        pattern, lines = self.p.composer, self.s.lines
        if pattern is None:
            return None
        if not self.p.composer_framed:
            for line in reversed(self.s.tail(self.p.composer_window)):
                if self._is_item(line):
                    return None  # output below it: that row was a prompt echo
                if pattern.match(line.text):
                    return Composer(line, line.index, line.index)
            return None
        # A framed composer has a rule right above it and another a few rows below (a draft
        # can span rows); a prompt echo or a dialog option never sits right under a rule.
        for line in reversed(self.s.tail(_DIALOG_ROWS)):
            i = line.index
            if i == 0 or not lines[i - 1].rule or not pattern.match(line.text):
                continue
            for j in range(i + 1, min(len(lines), i + 12)):
                if lines[j].rule:
                    return Composer(line, i - 1, j)
        return None

    def _status(self) -> Status | None:
        rows = [line for line in self.s.nonblank if line.index < self.end]
        rows = rows[-self.p.working_window:]
        for line in reversed(rows):
            found = self._status_match(line)
            if found:
                return found
            if self._is_item(line):
                return None  # agent output below any spinner: that spinner is history
        if self.p.working_joined and rows:
            text = joined(rows[-4:])
            for marker in self.p.working_joined:
                match = marker.pattern.search(text)
                if match:
                    return Status(marker, rows[-1], match)
        return None

    def _status_match(self, line: Line) -> Status | None:
        if any(f.pattern.search(line.text) for f in self.p.finished):
            return None
        for marker in self.p.working:
            match = marker.pattern.search(line.text)
            if match:
                return Status(marker, line, match)
        return None

    def _is_echo(self, line: Line) -> bool:
        if self.p.echo is None or (self.composer and line.index == self.composer.line.index):
            return False
        cursor = self.p.dialog.option
        return bool(self.p.echo.match(line.text)) and not (cursor and cursor.match(line.text))

    def _is_item(self, line: Line) -> bool:
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


def _approval(v: View) -> Verdict | None:
    d, s = v.p.dialog, v.s
    last = s.last
    if last is None:
        return None
    for kind, pattern in d.last_line:
        if pattern.search(last.text):
            return Verdict(State.APPROVAL, f'approval: "{clip(last.body)}" prompt', dialog=kind)
    bottom = joined(s.tail(4))
    for kind, pattern in d.standalone:
        if pattern.search(bottom):
            return Verdict(State.APPROVAL, f'approval: "{clip(bottom, 60)}" dialog', dialog=kind)
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
    if len(options) < 2 or (numbers and numbers[0] != 1) or (not numbers and not radio):
        return None
    below = [ln for ln in s.lines[last_row + 1:] if not ln.blank and not ln.rule]
    if len(below) > 6 or any(_is_live_input(v, ln) for ln in below):
        return None  # a composer or new output under the options: that dialog is history
    above = _rows_above(s, first)
    titles = [ln for ln in above if any(t.search(ln.text) for _, t in d.titles)]
    asked = [ln for ln in above if _QUESTION.search(ln.body)]
    # The reason quotes the question: a title that asks one, else the last question (a Codex
    # "Reason: …?" row can ask one too), else a title that asks nothing ("URLs to fetch:").
    question = next((ln for ln in titles if ln in asked), None) or (asked or titles or [None])[-1]
    if question is None:
        return None
    if d.footer_required and d.footer and not d.footer.search(joined(below)):
        if not (d.footer_alternative and d.footer_alternative.search(joined(options))):
            return None
    everything = "\n".join(ln.text for ln in (*above, *options, *below))
    kind = next((k for k, t in d.titles if t.search(everything)), d.default_kind)
    quoted = clip(_LEADING_BAR.sub("", question.text).strip())
    return Verdict(State.APPROVAL, f'approval: "{quoted}" dialog', dialog=kind)


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
    if v.composer and v.composer.line.index == line.index:
        return True
    if v.p.item and v.p.item.match(line.text):
        return True
    return bool(v.p.echo and v.p.echo.match(line.text) and not v.p.composer_framed)


def _blocked(v: View) -> Verdict | None:
    p, s = v.p, v.s
    chrome_from = v.composer.top if v.composer else len(s.lines)
    rows = [ln for ln in s.tail(_BLOCKED_ROWS) if ln.index >= v.live_start
            and not (v.composer and v.composer.top <= ln.index)]
    for line in reversed(rows):
        if any(ne.search(line.text) for ne in p.not_error):
            continue
        retry = next((mk for mk in p.retrying if mk.pattern.search(line.text)), None)
        marker = retry or next((mk for mk in p.failed if mk.pattern.search(line.text)), None)
        if marker is None:
            continue
        for later in s.lines[line.index + 1:chrome_from]:
            if later.blank or any(mk.pattern.search(later.text) for mk in (*p.retrying,
                                                                            *p.failed)):
                continue
            if v._status_match(later):
                if retry is None:
                    return None  # a new turn started after the failure
                continue
            if v._is_item(later) or v._is_echo(later) or any(
                    mk.pattern.search(later.text) for mk in p.interrupted):
                return None
        how = "retrying" if retry else "failed"
        return Verdict(State.BLOCKED, f'blocked ({how}): {marker.label} "{clip(line.body)}"')
    return None


def _working(v: View) -> Verdict | None:
    if v.at_prompt:
        return None
    if v.status:
        line, match = v.status.line, v.status.match
        el = match.groupdict().get("el")
        if el is None and (found := _ELAPSED.search(line.text)):
            el = found.group("el")
        return Verdict(State.WORKING, f'working: {v.status.marker.label} "{clip(line.body)}"',
                       elapsed=parse_duration(el))
    for line in v.footer():
        for marker in v.p.working_footer:
            if marker.pattern.search(line.text):
                return Verdict(State.WORKING, f'working: {marker.label} "{clip(line.body)}"')
    return None


def _wall(v: View) -> Verdict | None:
    rows = [ln for ln in v.s.nonblank if v.live_start <= ln.index < v.end][-_WALL_ROWS:]
    for line in reversed(rows):
        for marker in WALLS:
            if marker.pattern.search(line.text):
                return Verdict(State.BLOCKED, f'blocked: {marker.label} "{clip(line.body)}"')
    return None


def _idle(v: View) -> Verdict | None:
    if v.at_prompt and v.s.last:
        return Verdict(State.IDLE, f'idle: prompt "{clip(v.s.last.body)}"')
    if v.composer:
        glyph = v.composer.line.body[:1]
        return Verdict(State.IDLE, f'idle: composer "{glyph}" with no working marker')
    last = v.s.last
    if last and any(mk.pattern.search(last.text) for mk in v.p.finished):
        return Verdict(State.IDLE, f'idle: turn over "{clip(last.body)}"')
    return None


def _context(v: View) -> int | None:
    footer = v.s.tail(4)
    for line in reversed(footer):
        for pattern, kind in v.p.context:
            match = pattern.search(line.text)
            if match:
                if kind == "none":
                    return None
                value = max(0, min(100, int(match.group(1))))
                return value if kind == "left" else 100 - value
    if v.p.context_column:
        return _context_column(footer)
    return None


_USED = re.compile(r"\b(\d{1,3})% used\b")
_CONTEXT_HEADER = re.compile(r"\bcontext\b(?! left)")


def _context_column(footer: tuple[Line, ...]) -> int | None:
    """Gemini's footer table: pick the `N% used` under the `context` header, not the quota."""
    for header, values in zip(footer, footer[1:]):
        column = _CONTEXT_HEADER.search(header.text)
        if not column:
            continue
        hits = list(_USED.finditer(values.text))
        if hits:
            best = min(hits, key=lambda h: abs(h.start() - column.start()))
            return 100 - max(0, min(100, int(best.group(1))))
    return None


def _queued(v: View) -> int | None:
    p, s, count = v.p, v.s, 0
    top = v.composer.top if v.composer else len(s.lines)
    start = v.status.line.index if v.status else v.live_start
    between = [ln for ln in s.lines[start:top] if not ln.blank]
    if p.queue_row:
        count += sum(1 for ln in between if p.queue_row.match(ln.text))
    if p.queue_block and v.status and v.composer:
        count += sum(1 for ln in between[1:] if p.queue_block.match(ln.text))
    if p.queue_header:
        count += _queue_under_header(v, p)
    if p.queue_hint and any(p.queue_hint.search(ln.text) for ln in s.tail(12)):
        count = max(count, 1)
    return count or None


def _queue_under_header(v: View, p: Profile) -> int:
    assert p.queue_header is not None
    rows = v.s.tail(30)
    header = next((ln for ln in reversed(rows) if p.queue_header.search(ln.text)), None)
    if header is None:
        return 0
    count = 0
    for line in v.s.lines[header.index + 1:]:
        if line.blank or line.rule or (v.composer and line.index >= v.composer.top):
            break
        more = p.queue_more.match(line.text) if p.queue_more else None
        count += int(more.group(1)) if more else 1
    return count


def detect_in(s: Screen) -> str | None:
    rows = s.lines[-_SIGNATURE_ROWS:]
    text = "\n".join(line.text for line in rows)
    best, best_score = None, 0
    for name, profile in PROFILES.items():
        score = sum(weight for pattern, weight in profile.signatures if pattern.search(text))
        if score > best_score:
            best, best_score = name, score
    if best_score >= _MIN_SCORE:
        return best
    shell = PROFILES["shell"].prompt_line
    if s.last and shell and shell.match(s.last.text):
        return "shell"
    return None


def classify_screen(s: Screen, tool: str) -> Detection:
    profile = PROFILES[tool]
    v = View(s, profile)
    verdict = None
    for decide in (_approval, _blocked, _working, _wall, _idle):
        verdict = decide(v)
        if verdict:
            break
    if verdict is None:
        verdict = Verdict(State.UNKNOWN, "unknown: no dialog, error, working marker, composer "
                                         "or prompt in the bottom rows")
    background = any(b.search(ln.text) for ln in s.tail(10) for b in profile.background)
    return Detection(tool=tool, state=verdict.state, context_left=_context(v),
                     queued=_queued(v), reason=verdict.reason,
                     elapsed_seconds=verdict.elapsed, background=background,
                     dialog=verdict.dialog)
