"""Line numbers for the keys of a TOML document, which `tomllib` does not give.

`locate(text)` scans text that `tomllib` has already accepted and maps every key path to the
line where it is first written. A path is a tuple of keys and 0-based array indices, the way
the parsed document is indexed: `("agent", 1, "forbid", 0)` is the first regex of the second
`[[agent]]`. Headers, dotted keys, inline tables and arrays of inline tables are followed.

>>> text = '[[agent]]\\nname = "a"\\n\\n[[agent]]\\nname = "b"\\n'
>>> lines = locate(text + 'forbid = [\\n  "x",\\n]\\n')
>>> lines[("agent", 1)], lines[("agent", 1, "name")], lines[("agent", 1, "forbid", 0)]
(4, 5, 7)
>>> line_of(lines, ("agent", 1, "cwd"))  # not written: its table's header
4
"""

from __future__ import annotations

from collections.abc import Mapping

Path = tuple[str | int, ...]

_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def locate(text: str) -> dict[Path, int]:
    """Map key paths of a valid TOML document to 1-based line numbers (best effort: a scan
    that meets something it does not follow returns what it found so far)."""
    scanner = _Scanner(text)
    try:
        scanner.document()
    except (IndexError, ValueError):
        pass
    return scanner.lines


def line_of(lines: Mapping[Path, int], path: Path, default: int = 1) -> int:
    """The line of `path`, else of its nearest written ancestor (a table's header)."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return default


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.lines: dict[Path, int] = {}
        self.array_tables: dict[Path, int] = {}  # resolved path -> count of [[x]] seen

    # -- characters -------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        return self.text[j] if j < len(self.text) else ""

    def advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.text[self.i] == "\n":
                self.line += 1
            self.i += 1

    def skip_blank(self, newlines: bool) -> None:
        """Skip spaces, tabs, comments and (when `newlines`) line ends."""
        while self.i < len(self.text):
            c = self.text[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.advance()
            elif c == "#":
                while self.i < len(self.text) and self.text[self.i] != "\n":
                    self.i += 1
            else:
                return

    def record(self, path: Path, line: int) -> None:
        self.lines.setdefault(path, line)

    # -- grammar ----------------------------------------------------------------------------

    def document(self) -> None:
        table: Path = ()
        while True:
            self.skip_blank(newlines=True)
            if self.i >= len(self.text):
                return
            line = self.line
            if self.peek() == "[":
                table = self.header(line)
            else:
                keys = self.key()
                self.keyed_value(table, keys, line)

    def header(self, line: int) -> Path:
        is_array = self.peek(1) == "["
        self.advance(2 if is_array else 1)
        self.skip_blank(newlines=False)
        keys = self.key()
        self.skip_blank(newlines=False)
        self.advance(2 if is_array else 1)
        resolved: Path = ()
        for depth, key in enumerate(keys):
            resolved += (key,)
            last = depth == len(keys) - 1
            if last and is_array:
                count = self.array_tables.get(resolved, 0)
                self.array_tables[resolved] = count + 1
                self.record(resolved, line)
                resolved += (count,)
            elif resolved in self.array_tables:
                resolved += (self.array_tables[resolved] - 1,)
            self.record(resolved, line)
        return resolved

    def key(self) -> list[str]:
        keys = [self.simple_key()]
        while True:
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return keys
            self.advance()
            self.skip_blank(newlines=False)
            keys.append(self.simple_key())

    def simple_key(self) -> str:
        c = self.peek()
        if c in ('"', "'"):
            return self.string()
        start = self.i
        while self.peek() and self.peek() in _BARE_KEY:
            self.i += 1
        if self.i == start:
            raise ValueError(f"no key at offset {start}")
        return self.text[start:self.i]

    def keyed_value(self, table: Path, keys: list[str], line: int) -> None:
        path = table
        for key in keys:
            path += (key,)
            self.record(path, line)
        self.skip_blank(newlines=False)
        if self.peek() != "=":
            raise ValueError("expected '='")
        self.advance()
        self.skip_blank(newlines=False)
        self.value(path)

    def value(self, path: Path) -> None:
        c = self.peek()
        if c in ('"', "'"):
            self.string()
        elif c == "[":
            self.array(path)
        elif c == "{":
            self.inline_table(path)
        else:
            start = self.i
            while self.peek() and self.peek() not in ",]}\n#":
                self.i += 1
            if self.i == start:
                raise ValueError("no value")

    def array(self, path: Path) -> None:
        self.advance()
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "]":
                self.advance()
                return
            self.record(path + (index,), self.line)
            self.value(path + (index,))
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()
            index += 1

    def inline_table(self, path: Path) -> None:
        self.advance()
        while True:
            self.skip_blank(newlines=True)  # newlines are TOML 1.1; harmless to follow
            if self.peek() == "}":
                self.advance()
                return
            line = self.line
            keys = self.key()
            self.keyed_value(path, keys, line)
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()

    def string(self) -> str:
        quote = self.peek()
        if self.text.startswith(quote * 3, self.i):
            self.advance(3)
            end = self.text.index(quote * 3, self.i) if quote == "'" else self._basic_end(True)
            # A closing delimiter may be preceded by up to two more quotes that belong to the
            # string: `""""a"""""`.
            while self.text.startswith(quote * 4, end):
                end += 1
            raw = self.text[self.i:end]
            self.advance(end - self.i + 3)
            return raw
        self.advance()
        end = self.text.index("'", self.i) if quote == "'" else self._basic_end(False)
        raw = self.text[self.i:end]
        self.advance(end - self.i + 1)
        return raw if quote == "'" else _unescape(raw)

    def _basic_end(self, multiline: bool) -> int:
        j = self.i
        delimiter = '"""' if multiline else '"'
        while True:
            if self.text[j] == "\\":
                j += 2
            elif self.text.startswith(delimiter, j):
                return j
            elif self.text[j] == "\n" and not multiline:
                raise ValueError("newline in a basic string")
            else:
                j += 1


def _unescape(raw: str) -> str:
    """Decode the escapes of a one-line basic string (enough to name a quoted key)."""
    out: list[str] = []
    j = 0
    while j < len(raw):
        c = raw[j]
        if c != "\\":
            out.append(c)
            j += 1
            continue
        e = raw[j + 1]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            j += 2
        elif e in "uU":
            width = 4 if e == "u" else 8
            out.append(chr(int(raw[j + 2:j + 2 + width], 16)))
            j += 2 + width
        elif e == "e":  # TOML 1.1
            out.append("\x1b")
            j += 2
        elif e == "x":  # TOML 1.1
            out.append(chr(int(raw[j + 2:j + 4], 16)))
            j += 4
        else:
            raise ValueError("bad escape")
    return "".join(out)
