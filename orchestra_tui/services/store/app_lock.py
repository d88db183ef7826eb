"""Exclusive locks on a data dir, held by one live process at a time.

`app.lock`: which running app owns a data dir's in-flight sends. An item left `sending` is
turned `uncertain` at an app's start-up because the app that was sending it died mid-send. A
second app opened beside a live one (another terminal, a laptop over ssh) must not do that to
the first one's send in flight: only the app that holds this lock runs the recovery.

`away.lock`: which process acts for the person while they are away (notifications, limit
resumes, rules, `auto_approve`): the app or `orchestra watch`, never both. The other one stands
by and takes the lock at its next tick once the holder is gone.

The kernel drops a `flock` with its process, however it ends (SIGKILL included), so a crashed
holder never keeps the next one out; what the file says (the holder's pid and role) is only
for telling the person who holds it, so a garbled file changes nothing.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from orchestra_tui.errors import OrchestraError
from orchestra_tui.paths import display_path

__all__ = ["APP_LOCK_NAME", "AWAY_LOCK_NAME", "AppLock", "LockUnusable"]

APP_LOCK_NAME = "app.lock"
AWAY_LOCK_NAME = "away.lock"


class LockUnusable(OrchestraError):
    """The lock file cannot be opened or locked (a directory in its place, a read-only data
    dir, no permission): said in one line, naming the file."""


class AppLock:
    def __init__(self, directory: Path, name: str = APP_LOCK_NAME, *, role: str = "") -> None:
        self.path = Path(directory) / name
        self.role = role  # written after the pid: who holds it, in words ("app", "watch")
        self._descriptor: int | None = None

    @property
    def held(self) -> bool:
        return self._descriptor is not None

    def acquire(self) -> bool:
        """True when this process now holds the lock (kept until `release` or its exit);
        False when another live process holds it. `LockUnusable` when it cannot be tried."""
        if self._descriptor is not None:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise LockUnusable(f"{display_path(self.path)}: cannot open the lock file "
                               f"({error.strerror or error})") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        except OSError as error:
            os.close(descriptor)
            raise LockUnusable(f"{display_path(self.path)}: cannot lock "
                               f"({error.strerror or error})") from None
        try:
            os.ftruncate(descriptor, 0)
            os.write(descriptor, f"{os.getpid()} {self.role}".strip().encode() + b"\n")
        except OSError:
            pass  # held all the same: the words are only for telling who holds it
        self._descriptor = descriptor
        return True

    def holder(self) -> int | None:
        """The pid of the process that holds the lock, as it wrote it; None when unknown."""
        return self.holder_info()[0]

    def holder_info(self) -> tuple[int | None, str]:
        """(pid, role) as the holder wrote them; (None, "") when the file says nothing
        readable."""
        try:
            words = self.path.read_text(encoding="utf-8", errors="replace").split()
            pid = int(words[0])
        except (OSError, ValueError, IndexError):
            return None, ""
        role = words[1] if len(words) > 1 and words[1].isalnum() and len(words[1]) <= 16 else ""
        return (pid if pid > 0 else None), role

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
