"""Whether the person looks at an orchestra app on this data dir, told across processes.

Each app writes `looking/<pid>` (`1` or `0`) when its terminal's focus changes; the process
that acts while the person is away (the app or `orchestra watch`, whichever holds `away.lock`)
reads them, so a push is held while the person looks at an app, whichever process sends it.
A file whose process is gone is removed by the next reader.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["Presence"]

DIRECTORY = "looking"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


class Presence:
    def __init__(self, data_dir: Path, pid: int | None = None) -> None:
        self.directory = Path(data_dir) / DIRECTORY
        self.pid = os.getpid() if pid is None else pid
        self._told: bool | None = None

    def tell(self, looking: bool) -> None:
        """Say whether the person looks at this process's app (written when it changes)."""
        if looking is self._told:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            temporary = self.directory / f".{self.pid}.tmp"
            temporary.write_text("1" if looking else "0", encoding="ascii")
            os.replace(temporary, self.directory / str(self.pid))
        except OSError:
            return  # told again at the next change; the acting process assumes away
        self._told = looking

    def others_looking(self) -> bool:
        """Whether another live process's app says the person looks at it."""
        try:
            entries = list(self.directory.iterdir())
        except OSError:
            return False
        looking = False
        for entry in entries:
            if not entry.name.isdigit() or int(entry.name) == self.pid:
                continue
            if not _alive(int(entry.name)):
                entry.unlink(missing_ok=True)
                continue
            try:
                looking = looking or entry.read_text(encoding="ascii").strip() == "1"
            except (OSError, UnicodeDecodeError):
                continue
        return looking

    def withdraw(self) -> None:
        """This process's app is gone: its word is removed."""
        if self._told is not None:
            (self.directory / str(self.pid)).unlink(missing_ok=True)
            self._told = None
