"""Which running app owns a data dir's in-flight sends.

An item left `sending` is turned `uncertain` at an app's start-up because the app that was
sending it died mid-send. A second app opened beside a live one (another terminal, a laptop
over ssh) must not do that to the first one's send in flight: only the app that holds this
lock runs the recovery. The kernel drops a `flock` with its process, however it ends (SIGKILL
included), so a crashed app never keeps the next one from recovering.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

__all__ = ["APP_LOCK_NAME", "AppLock"]

APP_LOCK_NAME = "app.lock"


class AppLock:
    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / APP_LOCK_NAME
        self._descriptor: int | None = None

    def acquire(self) -> bool:
        """True when this process now holds the lock (kept until `release` or its exit);
        False when another live process holds it."""
        if self._descriptor is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        self._descriptor = descriptor
        return True

    def holder(self) -> int | None:
        """The pid of the app that holds the lock, as it wrote it; None when unknown."""
        try:
            return int(self.path.read_text(encoding="utf-8").split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
