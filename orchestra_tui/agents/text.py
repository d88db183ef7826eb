"""Screen text as the detector reads it: normalised lines, rules, durations, fingerprints.

Everything here is pure string work. The engine and the profiles only ever see `Screen`, so the
normalisation rules (NBSP, curly quotes, box borders) live in one place.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property

# Claude prints U+00A0 after its prompt glyphs and Codex 0.155 prints U+2019 in "You’ve": both
# silently defeat a regex written with a plain space or quote.
_TRANSLATE = str.maketrans({
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\t": " ",
    "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
    "\r": None, "\x1b": None,
})
# Box sides and the scrollbar column Ink draws beside them; stripping them lets one pattern match
# a row whether or not it sits inside a frame (Claude 1.0 and Gemini draw frames, 2.x does not).
_LEADING_BORDER = re.compile(r"^\s*(?:[│┃║]\s?)+")
_TRAILING_BORDER = re.compile(r"(?:\s*[│┃║])+[█▄▀▐░▓]?$")
# A row drawn only of line characters: Claude's composer rules, Gemini's box top and bottom,
# Aider's io.rule(), Codex's "Worked for" divider ends. Half blocks (▀▄) are not rules: Gemini
# draws its user-message echo between them and it must not look like a composer frame.
_RULE = re.compile(r"^[\s─━═╌╍┄┅\-╭╮╰╯┌┐└┘]{3,}[█▄▀]?$")
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


def normalise_line(raw: str) -> str:
    line = raw.translate(_TRANSLATE).rstrip()
    # Control characters (other than the ones translated above) are never meaningful in a
    # capture; dropping them keeps every regex below on printable text.
    if any(ord(ch) < 32 for ch in line):
        line = "".join(ch for ch in line if ord(ch) >= 32)
    return line


@dataclass(frozen=True)
class Line:
    index: int
    text: str  # normalised, borders stripped, right-stripped; leading indent kept
    rule: bool

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def body(self) -> str:
        return self.text.strip()


class Screen:
    """A capture split into normalised lines with trailing blank rows removed."""

    def __init__(self, text: str) -> None:
        rows = [normalise_line(row) for row in text.split("\n")]
        while rows and not rows[-1].strip():
            rows.pop()
        lines: list[Line] = []
        for i, row in enumerate(rows):
            body = _TRAILING_BORDER.sub("", _LEADING_BORDER.sub("", row)).rstrip()
            is_rule = bool(_RULE.match(body)) and bool(_HAS_LINE_CHAR.search(body))
            lines.append(Line(i, body, is_rule))
        self.lines: tuple[Line, ...] = tuple(lines)

    @cached_property
    def nonblank(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if not line.blank)

    def tail(self, count: int, start: int = 0) -> tuple[Line, ...]:
        """The last `count` non-blank lines at or after line index `start`."""
        rows = [line for line in self.nonblank if line.index >= start]
        return tuple(rows[-count:]) if count else ()

    @property
    def last(self) -> Line | None:
        return self.nonblank[-1] if self.nonblank else None


def joined(lines: tuple[Line, ...] | list[Line]) -> str:
    """Lines joined with single spaces: phrases wrapped by the TUI itself match again."""
    return " ".join(" ".join(line.body.split()) for line in lines if not line.blank)


def clip(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# Every frame of every spinner the agents draw, plus Codex's braille sparkles and its blinking
# status bullet: masked so an idle screen hashes the same from one frame to the next. Counters
# are deliberately left alone, so a frozen counter gives a frozen fingerprint.
_ANIMATION = re.compile(r"[·✢✳✶✻✽✺✹✷✸*•◦●○⏺\u2800-\u28ff]")


def fingerprint(screen: str) -> str:
    rows = [normalise_line(row) for row in screen.split("\n")]
    while rows and not rows[-1].strip():
        rows.pop()
    masked = "\n".join(_ANIMATION.sub("~", row) for row in rows)
    return hashlib.blake2b(masked.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()
