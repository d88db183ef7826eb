"""Screen text as the detector reads it: normalised lines, rules, durations, fingerprints.

Everything here is pure string work. The engine and the profiles only ever see `Screen`, so the
normalisation rules (NBSP, curly quotes, box borders) live in one place.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from functools import cached_property
from typing import NamedTuple

# Claude prints U+00A0 after its prompt glyphs and Codex 0.155 prints U+2019 in "You’ve": both
# silently defeat a regex written with a plain space or quote.
_REPLACE = (("\u00a0", " "), ("\u2007", " "), ("\u202f", " "), ("\t", " "), ("\r", ""),
            ("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'))
# Control characters are never meaningful in a capture (newline excepted: it splits rows).
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
# Escape sequences, as `capture-pane -e` and raw pipes give them: CSI (SGR colours, cursor
# moves, erases), OSC (titles, hyperlinks: the link text stays), DCS/SOS/PM/APC strings,
# charset designations and the two-byte escapes; the 8-bit CSI too. A string left open ends at
# the row's end, so it never swallows the rest of the screen. A pattern written for plain
# text must match a coloured capture the same.
_ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]"
    r"|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    r"|[PX^_][^\x1b\n]*(?:\x1b\\)?"
    r"|[()*+\-./][ -~]"
    r"|[ -/]*[0-~])?"
    r"|\x9b[0-?]*[ -/]*[@-~]")
# Box sides and the scrollbar column Ink draws beside them; stripping them lets one pattern match
# a row whether or not it sits inside a frame (Claude 1.0 and Gemini draw frames, 2.x does not).
_LEADING_BORDER = re.compile(r"^\s*(?:[│┃║]\s?)+")
_TRAILING_BORDER = re.compile(r"(?:\s*[│┃║])+[█▄▀▐░▓]?$")
# A row drawn only of line characters: Claude's composer rules, Gemini's box top and bottom,
# Aider's io.rule(), Codex's "Worked for" divider ends. Half blocks (▀▄) are not rules: Gemini
# draws its user-message echo between them and it must not look like a composer frame.
_RULE = re.compile(r"^[\s─━═╌╍┄┅\-╭╮╰╯┌┐└┘]{3,}[█▄▀]?$")
_SPARKLES_ONLY = re.compile(r"^[\u2800-\u28ff\s]+$")
_RULE_START = frozenset("─━═╌╍┄┅-╭╮╰╯┌┐└┘")
_HAS_LINE_CHAR = re.compile(r"[─━═╌╍┄┅╭╮╰╯┌┐└┘]|-{3}")

DURATION = r"(?:\d+h\s?)?(?:\d+m\s?)?\d+s|\d+h(?:\s?\d+m)?|\d+m"
_DURATION_PARTS = re.compile(r"(?:(?P<h>\d+)h)?\s*(?:(?P<m>\d+)m)?\s*(?:(?P<s>\d+)s)?")


def parse_duration(text: str | None) -> int | None:
    """`12s`, `1m 05s`, `1h 05m 15s`, `2h 3m` -> seconds; None when no part is present."""
    if not text:
        return None
    match = _DURATION_PARTS.fullmatch(text.strip())
    if not match or not any(match.group(k) for k in "hms"):
        return None
    hours, minutes, seconds = (int(match.group(k) or 0) for k in "hms")
    return hours * 3600 + minutes * 60 + seconds


def strip_escapes(text: str) -> str:
    """`text` without terminal escape sequences.

    >>> strip_escapes("\\x1b[1;32m• Working\\x1b[0m (3s \\x1b]8;;https://x\\x07link\\x1b]8;;\\x07)")
    '• Working (3s link)'
    """
    if "\x1b" in text or "\x9b" in text:
        return _ESCAPES.sub("", text)
    return text


def normalise(text: str) -> str:
    text = strip_escapes(text)
    for old, new in _REPLACE:  # str.replace is a C scan: far cheaper than a regex per char
        if old in text:
            text = text.replace(old, new)
    return _CONTROL.sub("", text)


def normalise_line(raw: str) -> str:
    return normalise(raw).replace("\n", "").rstrip()


def rows_of(text: str) -> list[str]:
    """Normalised rows with the trailing blank ones dropped."""
    rows = [row.rstrip() for row in normalise(text).split("\n")]
    while rows and not rows[-1]:
        rows.pop()
    return rows


class Line(NamedTuple):
    # A NamedTuple, not a frozen dataclass: a 200-row capture builds 200 of these per poll.
    # The row number: a field named like tuple's own `index` method, on purpose.
    index: int  # type: ignore[assignment]
    text: str  # normalised, borders stripped, right-stripped; leading indent kept
    rule: bool
    blank: bool
    edge: str  # "▀" or "▄" for a row drawn only of that half block (Gemini's input frame)

    @property
    def body(self) -> str:
        return self.text.strip()


class Screen:
    """A capture split into normalised lines with trailing blank rows removed."""

    def __init__(self, text: str) -> None:
        lines: list[Line] = []
        for i, row in enumerate(rows_of(text)):
            if "│" in row or "┃" in row or "║" in row:
                row = _TRAILING_BORDER.sub("", _LEADING_BORDER.sub("", row)).rstrip()
            is_rule = (row.lstrip()[:1] in _RULE_START and bool(_RULE.match(row))
                       and bool(_HAS_LINE_CHAR.search(row)))
            body = row.strip()
            if body and _SPARKLES_ONLY.match(body):
                row = body = ""  # Codex's animated sparkles around an empty area (pitfall 13)
            edge = body[0] if body and body[0] in "▀▄" and body.strip(body[0]) == "" else ""
            lines.append(Line(i, row, is_rule, not body, edge))
        self.lines: tuple[Line, ...] = tuple(lines)

    @cached_property
    def nonblank(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if not line.blank)

    @cached_property
    def _nonblank_index(self) -> list[int]:
        return [line.index for line in self.nonblank]

    def between(self, start: int, end: int | None = None) -> tuple[Line, ...]:
        """The non-blank lines with `start <= index < end` (to the last line when `end` is
        None), found by bisection: a long capture is not walked row by row for it."""
        rows = self._nonblank_index
        lo = bisect_left(rows, start)
        hi = len(rows) if end is None else bisect_left(rows, end)
        return self.nonblank[lo:hi]

    def tail(self, count: int) -> tuple[Line, ...]:
        """The last `count` non-blank lines."""
        return self.nonblank[-count:] if count > 0 else ()

    @property
    def last(self) -> Line | None:
        rows = self.nonblank
        return rows[-1] if rows else None


def joined(lines: tuple[Line, ...] | list[Line]) -> str:
    """Lines joined with single spaces: phrases wrapped by the TUI itself match again."""
    return " ".join(" ".join(line.body.split()) for line in lines if not line.blank)


# A highlight or radio mark at an option row's start: moving it is the same dialog.
_OPTION_MARK = re.compile(r"^[\s❯›>▶▸➤→●○◉◯•*]+")


def option_identity(lines: tuple[Line, ...] | list[Line]) -> tuple[str, ...]:
    """A dialog's option rows as its identity holds them: no cursor or radio mark, spaces
    collapsed (a highlight that moved is the same dialog)."""
    return tuple(" ".join(_OPTION_MARK.sub("", line.body).split()) for line in lines
                 if not line.blank)


def clip(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# Every frame of every spinner the agents draw, plus Codex's braille sparkles and its blinking
# status bullet: masked so an idle screen hashes the same from one frame to the next. Counters
# are deliberately left alone, so a frozen counter gives a frozen fingerprint.
_ANIMATION = re.compile(r"[·✢✳✶✻✽✺✹✷✸*•◦●○⏺\u2800-\u28ff]")


def fingerprint(screen: str) -> str:
    masked = _ANIMATION.sub("~", "\n".join(rows_of(screen)))
    return hashlib.blake2b(masked.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()
