"""Where orchestra keeps its config and its state. Resolved when called, never at import.

>>> str(config_path("/tmp/x.toml"))
'/tmp/x.toml'
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import platformdirs

from orchestra_tui.errors import OrchestraError

APP_NAME = "orchestra"
CONFIG_ENV = "ORCHESTRA_CONFIG"


def default_config_path() -> Path:
    """The config file's place when neither `--config` nor `$ORCHESTRA_CONFIG` names one."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to read: `explicit` (`--config`), then `$ORCHESTRA_CONFIG`, then the
    user config dir's `orchestra/config.toml`. `~` is expanded in the first two."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return default_config_path()


def config_path_is_explicit(explicit: str | os.PathLike[str] | None = None) -> bool:
    """True when the person named the config file (flag or env var): then it must exist."""
    return bool(explicit) or bool(os.environ.get(CONFIG_ENV))


class StorageError(OrchestraError):
    """A file orchestra keeps (queues, journal, the data dir) that it cannot use. `path` is the
    file, `kind` the state to show (`unwritable`, `unreadable`, `newer`, `corrupt`) and
    `operation` what was being done (`add`, `record_sent`, `journal prompt_sent`, ...); the
    message is one line naming the file."""

    def __init__(self, message: str, *, path: Path, kind: str, operation: str = "") -> None:
        super().__init__(message)
        self.path = Path(path)
        self.kind = kind
        self.operation = operation


class StorageUnavailable(StorageError, OSError):
    """The system refused a read or a write (read-only, full, permission, a directory where a
    file belongs). Also an `OSError`, so code that guards its I/O with `except OSError` holds."""


_WHY = {errno.EISDIR: "is a directory, not a file",
        errno.ENOTDIR: "a part of its path is a file, not a directory",
        errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded",
        errno.EROFS: "read-only file system", errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted (read-only or immutable)"}


def storage_error(error: OSError, path: Path, *, writing: bool,
                  operation: str = "") -> StorageUnavailable:
    """`error` as one line naming `path`: `~/.local/share/orchestra/queues.json: cannot write:
    no space left on the device`.

    >>> str(storage_error(OSError(errno.ENOSPC, "x"), Path("/d/q.json"), writing=True))
    '/d/q.json: cannot write: no space left on the device'
    """
    if isinstance(error, StorageUnavailable):
        return error
    why = _WHY.get(error.errno or 0) or (error.strerror or str(error)).lower()
    where = error.filename
    if where and Path(str(where)) != path and not str(where).endswith(".tmp"):
        why += f" ({display_path(Path(str(where)))})"
    verb = "write" if writing else "read"
    return StorageUnavailable(f"{display_path(path)}: cannot {verb}: {why}", path=path,
                              kind="unwritable" if writing else "unreadable",
                              operation=operation)


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) for orchestra's state, mode 0700, or raise one-line
    `StorageUnavailable` naming it. An existing directory is left as it is."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise storage_error(error, path, writing=True) from None
    return path


def data_dir() -> Path:
    """The user data dir for queues and the journal, created on demand (mode 0700)."""
    return private_dir(Path(platformdirs.user_data_dir(APP_NAME)))


def display_path(path: Path) -> str:
    """`path` with the home directory shown as `~`, as error messages name files."""
    try:
        home = Path.home()
    except RuntimeError:
        return str(path)
    try:
        return "~/" + str(path.relative_to(home)) if path != home else "~"
    except ValueError:
        return str(path)


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new file in `directory` durable (a no-op where dirs can't be opened)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace `path` with `data` so that a crash at any moment leaves either the old or the
    new whole file: a temp file in the same dir, flushed and fsynced, `os.replace`d over it,
    then the directory fsynced."""
    directory = path.parent
    temporary = directory / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(descriptor, view)
                view = view[written:]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(directory)


def remove_stale_temporaries(path: Path) -> None:
    """Delete temp files `atomic_write` left beside `path` when a writer was killed. Call only
    while holding the lock that every writer of `path` holds."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
