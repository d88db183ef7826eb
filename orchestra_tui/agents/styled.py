"""A colour capture (`tmux capture-pane -e`) read cell by cell: each character with whether it
was drawn faint (dim, or a mid-grey colour) or in reverse video (a cursor drawn by the program).

The agents draw a composer's placeholder faint and the text a person typed in their normal
colour; only the attributes tell the two apart, so the plain capture cannot. tmux writes an
SGR sequence only where the attributes change, so the state carries from one row to the next.

>>> rows = styled_rows("❯\\xa0\\x1b[7mT\\x1b[0;2mry it\\x1b[0m\\n\\x1b[1m›\\x1b[0m fix")
>>> "".join(c.char for c in rows[0]), [c.char for c in rows[0] if c.faint]
('❯ Try it', ['r', 'y', ' ', 'i', 't'])
>>> [c.char for c in rows[0] if c.inverse], "".join(c.char for c in rows[1] if not c.faint)
(['T'], '› fix')
"""

from __future__ import annotations

import re
from typing import NamedTuple

_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
# Every other escape (cursor moves, OSC titles and links, charset switches) draws no cell.
_OTHER = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
                    r"|[PX^_][^\x1b\n]*(?:\x1b\\)?|[()*+\-./][ -~]|[ -/]*[0-~])?")
_TOKENS = re.compile(_SGR.pattern + "|" + _OTHER.pattern)
_SPACES = {"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\t": " "}


class Cell(NamedTuple):
    char: str
    faint: bool  # dim (SGR 2) or a mid-grey foreground: how placeholders and hints are drawn
    inverse: bool  # reverse video: the cursor Ink-based CLIs draw themselves
    colour: str = ""  # the foreground as its SGR parameters ("" the terminal's default)


def _grey_256(index: int) -> bool:
    # 8 is bright black; 232-255 the grey ramp (the lightest few read as white text); the
    # colour cube's own greys (r = g = b) at mid levels.
    return index == 8 or 237 <= index <= 250 or index in (59, 102, 145)


def _grey_rgb(red: int, green: int, blue: int) -> bool:
    low, high = min(red, green, blue), max(red, green, blue)
    return high - low <= 40 and 0x50 <= (red + green + blue) // 3 <= 0xB8


class _Pen:
    """The SGR attributes that matter here, as an SGR parameter list changes them."""

    def __init__(self) -> None:
        self.dim = self.inverse = self.grey = False
        self.colour = ""

    def apply(self, params: str) -> None:
        codes = [int(p) if p.isdigit() else 0 for p in re.split(r"[;:]", params)] or [0]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code == 0:
                self.dim = self.inverse = self.grey = False
                self.colour = ""
            elif code == 2:
                self.dim = True
            elif code == 22:
                self.dim = False
            elif code == 7:
                self.inverse = True
            elif code == 27:
                self.inverse = False
            elif 30 <= code <= 37 or 90 <= code <= 97 or code == 39:
                self.grey = code == 90
                self.colour = "" if code == 39 else str(code)
            elif code in (38, 48) and i + 1 < len(codes):
                mode = codes[i + 1]
                if mode == 5 and i + 2 < len(codes):
                    if code == 38:
                        self.grey = _grey_256(codes[i + 2])
                        self.colour = f"5;{codes[i + 2]}"
                    i += 2
                elif mode == 2 and i + 4 < len(codes):
                    if code == 38:
                        self.grey = _grey_rgb(*codes[i + 2:i + 5])
                        self.colour = "2;" + ";".join(map(str, codes[i + 2:i + 5]))
                    i += 4
                else:
                    i += 1
            i += 1


def has_attributes(capture: str) -> bool:
    """True when the capture carries SGR attributes at all (`-e` was used and the program
    draws with them): without them a placeholder and typed text look the same."""
    return _SGR.search(capture) is not None


def styled_rows(capture: str) -> list[list[Cell]]:
    """The capture's rows as cells. Control characters draw nothing; the non-breaking and
    figure spaces read as plain spaces."""
    pen = _Pen()
    rows: list[list[Cell]] = []
    for raw in capture.split("\n"):
        row: list[Cell] = []
        at = 0
        for match in _TOKENS.finditer(raw):
            _text(raw[at:match.start()], pen, row)
            if match.group(1) is not None:
                pen.apply(match.group(1))
            at = match.end()
        _text(raw[at:], pen, row)
        rows.append(row)
    return rows


def _text(text: str, pen: _Pen, row: list[Cell]) -> None:
    for char in text:
        if char < " " and char != "\t" or char == "\x7f":
            continue
        row.append(Cell(_SPACES.get(char, char), pen.dim or pen.grey, pen.inverse, pen.colour))
