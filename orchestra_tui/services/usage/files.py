"""Where the session records' bytes come from: the files under a home folder on this machine
(`LocalSessionFiles`) or on a host through ssh (`remote.SshSessionFiles`). Both answer the same
two questions, so the reader (reader.py) reads and parses a host's records with the code it
uses here: which files a listing finds, with their sizes; and some bytes of some files, each
from an offset and at most a length (the reader never asks for a whole file at once).

>>> from tempfile import TemporaryDirectory
>>> with TemporaryDirectory() as home:
...     folder = Path(home, ".claude", "projects", "-srv")
...     folder.mkdir(parents=True)
...     _ = (folder / "a.jsonl").write_bytes(b"one\\ntwo\\n")
...     files = LocalSessionFiles(Path(home))
...     [(Path(path).name, size) for path, size in
...      files.sizes([Listing(".claude/projects/-srv", "*.jsonl")]).items()]
...     files.read([(str(folder / "a.jsonl"), 4, 100)]), files.bytes_read
[('a.jsonl', 8)]
([b'two\\n'], 4)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["Listing", "LocalSessionFiles", "SessionFiles", "Want"]

# (path as the listing gave it, or `in_home`'s; offset; at most this many bytes)
Want = tuple[str, int, int]


@dataclass(frozen=True)
class Listing:
    """Files named like `name` (a shell pattern) exactly `depth` folders below `folder`, a
    folder under the home folder ("/"-separated)."""

    folder: str
    name: str
    depth: int = 1


class SessionFiles(Protocol):
    """A machine's session record files. Blocking: called off the event loop."""

    @property
    def bytes_read(self) -> int:
        """Bytes of files read so far (how much an incremental read saves is measured)."""
        ...

    def in_home(self, relative: str) -> str:
        """The path of a file under the home folder there, for `read`."""
        ...

    def sizes(self, listings: Sequence[Listing]) -> dict[str, int]:
        """Every regular file the listings find, with its size now."""
        ...

    def read(self, wants: Sequence[Want]) -> list[bytes]:
        """Each want's bytes (fewer at the end of its file; none for a missing file), in
        order."""
        ...


class LocalSessionFiles:
    """The files under `home` on this machine."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.bytes_read = 0

    def in_home(self, relative: str) -> str:
        return str(self.home / relative)

    def sizes(self, listings: Sequence[Listing]) -> dict[str, int]:
        found: dict[str, int] = {}
        for listing in listings:
            folder = self.home / listing.folder
            pattern = "/".join(["*"] * (listing.depth - 1) + [listing.name])
            for path in sorted(folder.glob(pattern)):
                try:
                    if path.is_file():
                        found[str(path)] = path.stat().st_size
                except OSError:
                    continue
        return found

    def read(self, wants: Sequence[Want]) -> list[bytes]:
        chunks = []
        for path, offset, length in wants:
            try:
                with open(path, "rb") as handle:
                    handle.seek(offset)
                    chunk = handle.read(length)
            except OSError:
                chunk = b""
            self.bytes_read += len(chunk)
            chunks.append(chunk)
        return chunks
