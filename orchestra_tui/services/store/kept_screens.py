"""Screens the reader could not read, kept on disk (`screens/` in the data dir) for the person
to replay (`orchestra detect FILE`) and report. What to keep and its redaction are
`core.unknown_screens`'; this module writes, bounds and lists the files.

A file is written whole (a temp file linked into place): never half a screen, and never over
another file of the same name (two agents showing one screen keep one file; a writer that
loses the race leaves the winner's file as it was). At most `limit` files are kept: the oldest
go first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from orchestra_tui.paths import private_dir, storage_error

DIRECTORY = "screens"
SCREENS_KEPT = 50
_HEADER_LINES = 12  # a kept file's header is shorter; a longer look is a screen's text


@dataclass(frozen=True)
class KeptFile:
    """A kept screen as `orchestra screens` lists it: its header's fields."""

    path: Path
    kept_at: str = ""
    agent: str = ""
    tool: str = ""
    version: str = ""
    reason: str = ""


class ScreenKeep:
    def __init__(self, directory: Path, limit: int = SCREENS_KEPT) -> None:
        self.directory = directory
        self.limit = max(1, limit)

    def keep(self, name: str, text: str) -> Path | None:
        """Write `text` as `name`; None when a file of that name is there already."""
        if os.sep in name or name.startswith("."):
            raise ValueError(f"not a file name: {name!r}")
        private_dir(self.directory)
        path = self.directory / name
        temporary = self.directory / f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        try:
            temporary.write_bytes(text.encode("utf-8", "replace"))
            temporary.chmod(0o600)
            os.link(temporary, path)  # fails, changing nothing, when `path` exists
        except FileExistsError:
            return None
        except OSError as error:
            raise storage_error(error, path, writing=True, operation="keep screen") from None
        finally:
            temporary.unlink(missing_ok=True)
        self._prune()
        return path

    def _prune(self) -> None:
        files = self._files()
        for stale in files[:max(0, len(files) - self.limit)]:
            stale.unlink(missing_ok=True)  # another process may have pruned it first

    def _files(self) -> list[Path]:
        """The kept files, oldest first."""
        found = []
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return []
        except OSError as error:
            raise storage_error(error, self.directory, writing=False) from None
        for entry in entries:
            if entry.name.endswith(".txt") and not entry.name.startswith("."):
                try:
                    found.append((entry.stat().st_mtime_ns, entry.name, Path(entry.path)))
                except FileNotFoundError:
                    continue
        return [path for _, _, path in sorted(found)]

    def listing(self) -> list[KeptFile]:
        """Every kept screen, newest first."""
        return [_read_header(path) for path in reversed(self._files())]


def _read_header(path: Path) -> KeptFile:
    fields: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for _ in range(_HEADER_LINES):
                line = handle.readline()
                if not line.startswith("# ") or ":" not in line:
                    break
                key, _, value = line[2:].partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        pass  # pruned meanwhile, or unreadable: listed by its name alone
    return KeptFile(path=path, kept_at=fields.get("kept_at", ""), agent=fields.get("agent", ""),
                    tool=fields.get("tool", ""), version=fields.get("version", ""),
                    reason=fields.get("reason", ""))
