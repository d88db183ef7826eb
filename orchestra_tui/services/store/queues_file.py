"""The queue store's file, `queues.json`, and its lock `queues.lock`: locking, reading, writing
and keeping a bad file aside. Every failure leaves as one `StorageError` naming the file, and
the last one is remembered in `problem` for the app to show as a state.

>>> import tempfile; file = QueueFile(Path(tempfile.mkdtemp()))
>>> with file.lock("add"):
...     file.read(locked=True) is None
True
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestra_tui.paths import (
    StorageError,
    atomic_write,
    display_path,
    private_dir,
    storage_error,
)
from orchestra_tui.services.store.queues_format import (
    Decoded,
    NewerFormat,
    StoreCorrupt,
    StoreNewerFormat,
    decode,
)

FILE_NAME = "queues.json"
LOCK_NAME = "queues.lock"
Signature = tuple[int, int, int] | None  # inode, mtime, size; None: no file


class QueueFile:
    """`queues.json` in the directory `where` gives (resolved on first use)."""

    def __init__(self, where: Path | Callable[[], Path]) -> None:
        self._where = where
        self.problem: StorageError | None = None

    @property
    def directory(self) -> Path:
        if callable(self._where):
            self._where = self._where()
        return self._where

    @property
    def path(self) -> Path:
        return self.directory / FILE_NAME

    def note(self, error: StorageError) -> StorageError:
        self.problem = error
        return error

    @contextmanager
    def lock(self, operation: str) -> Iterator[None]:
        """The file lock (`flock` on `queues.lock`) for one operation. Every failure of the
        system (read-only, full, a directory in the file's place) inside it leaves as a
        one-line `StorageError` naming the file, its `operation` set."""
        try:
            private_dir(self.directory)
            lock_path = self.directory / LOCK_NAME
            try:
                descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as error:
                raise storage_error(error, lock_path, writing=True) from None
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                yield
            finally:
                os.close(descriptor)  # releases the flock
        except StorageError as error:
            error.operation = error.operation or operation
            raise self.note(error) from None
        except OSError as error:
            raise self.note(storage_error(error, self.path, writing=True,
                                          operation=operation)) from None

    def stat(self) -> Signature:
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise self.note(storage_error(error, self.path, writing=False)) from None
        return (status.st_ino, status.st_mtime_ns, status.st_size)

    def read(self, *, locked: bool) -> Decoded | None:
        """The file's state, None without a file. Raises `StoreNewerFormat` (the file is left
        alone), `StoreCorrupt` (kept aside when `locked`: only under the file lock, since a
        reader without it might move a good file a writer had just put there) or
        `StorageError`. A read that works clears a problem that reading would show."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raw = None
        except OSError as error:
            raise self.note(storage_error(error, self.path, writing=False)) from None
        decoded = None
        if raw is not None:
            try:
                decoded = decode(raw)
            except NewerFormat as error:
                raise self.note(StoreNewerFormat(
                    f"{display_path(self.path)}: {error}; nothing was changed",
                    path=self.path, kind="newer")) from None
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                raise self.note(self._keep_aside(error, locked)) from None
        problem = self.problem
        if problem is not None and (problem.kind in ("newer", "unreadable") or (
                isinstance(problem, StoreCorrupt) and problem.kept is None)):
            self.problem = None  # the file reads again
        return decoded

    def write(self, data: bytes) -> None:
        atomic_write(self.path, data)
        if self.problem is not None and self.problem.kind == "unwritable":
            self.problem = None

    def _keep_aside(self, error: Exception, locked: bool) -> StoreCorrupt:
        if not locked:
            return StoreCorrupt(f"{display_path(self.path)}: unreadable ({error}); the next "
                                "change keeps it aside", path=self.path, kept=None)
        kept = self.path.with_name(
            f"{FILE_NAME}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
        try:
            os.replace(self.path, kept)
        except OSError as failed:
            raise storage_error(failed, self.path, writing=True) from None
        return StoreCorrupt(
            f"{display_path(self.path)}: unreadable ({error}); kept it as {kept.name} "
            "and started with empty queues", path=self.path, kept=kept)
