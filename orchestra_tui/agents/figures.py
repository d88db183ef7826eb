"""Readings that are not the state: context left and the agent's own queue length. Both are
read only from the rows that mean them (footer, queue section), never from scrollback."""

from __future__ import annotations

import re

from orchestra_tui.agents.profiles.base import Profile
from orchestra_tui.agents.text import Line
from orchestra_tui.agents.view import View


def context_left(v: View) -> int | None:
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


def queued(v: View) -> int | None:
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
