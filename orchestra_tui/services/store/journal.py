"""The record: an append-only JSON Lines journal of what orchestra did, `journal.jsonl` in the
data dir.

Each event is one line written with a single `os.write` on an `O_APPEND` descriptor and then
fsynced, so a crash leaves only whole lines (at worst a torn last line, which `read` skips and
the next `append` closes off). Values that look like GitHub tokens never reach the file.

A failure to read or write is one `StorageError` line naming the file (a write's is a
`JournalWriteFailed` carrying the event it could not record); a line whose time is no real
moment (NaN, infinite, out of range) is skipped and counted like a torn one.

Events and their fields, as the other layers write them:
    send_intent(agent, text, source)   (before typing, by `orchestra send`)
    prompt_sent(agent, text, source)   approval(agent)   denial(agent)   interrupt(agent)
    kill(agent)   restart(agent)   alert(agent, kind, text)   queue_added(agent, text, source)
    merge(repo, number, sha, method, gate, reason)
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from orchestra_tui.paths import StorageUnavailable, data_dir, private_dir, storage_error

FILE_NAME = "journal.jsonl"
REDACTED = "[REDACTED]"
# GitHub token formats: classic and OAuth/app/user/refresh tokens, fine-grained PATs.
TOKEN_PATTERN = re.compile(r"(?:gh[opsur]_|github_pat_)[A-Za-z0-9_]{8,}")
_TOKEN_ENV = ("GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")
_LAST_MOMENT = 253402214400.0  # 9999-12-31: later times are no date a line can show


class JournalWriteFailed(StorageUnavailable):
    """An event could not be written: `event` and `entry` (as it would have been written)
    say what is missing from the record; the message names the file and why."""

    def __init__(self, error: OSError, path: Path, entry: dict[str, Any]) -> None:
        event = str(entry.get("event", ""))
        shown = storage_error(error, path, writing=True)
        super().__init__(str(shown), path=path, kind="unwritable", operation=f"journal {event}")
        self.event = event
        self.entry = entry


def redact(value: Any) -> Any:
    """`value` with every GitHub-token-looking string (and the token in the environment, which
    may have another form) replaced by `[REDACTED]`, through lists and dicts.

    >>> redact({"text": "use ghp_" + "a" * 36 + " please", "n": 3})
    {'text': 'use [REDACTED] please', 'n': 3}
    """
    secrets = [os.environ[name] for name in _TOKEN_ENV if len(os.environ.get(name, "")) >= 8]
    return _redact(value, secrets)


def _redact(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return TOKEN_PATTERN.sub(REDACTED, value)
    if isinstance(value, dict):
        return {_redact(str(key), secrets): _redact(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_redact(item, secrets) for item in value]
    return value


class Journal:
    """Append-only event log. Safe to share between threads and processes.

    >>> import tempfile; journal = Journal(Path(tempfile.mkdtemp()) / "journal.jsonl")
    >>> journal.append("prompt_sent", "api", text="run the tests", source="person", at=1.0)
    {'at': 1.0, 'event': 'prompt_sent', 'agent': 'api', 'text': 'run the tests', 'source': 'person'}
    >>> [entry["event"] for entry in journal.read(agent="api")]
    ['prompt_sent']
    """

    def __init__(self, path: Path | None = None, *,
                 hosts: Mapping[str, str] | None = None) -> None:
        self._path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self.skipped = 0  # lines the last `read` could not parse (a torn last line)
        # agent -> the `[[host]]` it runs on: an event about an agent on another machine
        # names the host.
        self._hosts: Mapping[str, str] = dict(hosts or {})

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = data_dir() / FILE_NAME
        return self._path

    def append(self, event: str, agent: str | None = None, **fields: Any) -> dict[str, Any]:
        """Write one event durably and return it as written. `at` (epoch seconds) defaults to
        now; `agent` is left out when None. Token-looking values are redacted."""
        at = fields.pop("at", None)
        entry: dict[str, Any] = {"at": float(time.time() if at is None else at),
                                 "event": event}
        if agent is not None:
            entry["agent"] = agent
            host = self._hosts.get(agent, "")
            if host and "host" not in fields:
                entry["host"] = host
        entry.update(fields)
        entry = redact(entry)
        line = json.dumps(entry, ensure_ascii=False, default=str, separators=(", ", ": "))
        data = line.encode("utf-8", "replace") + b"\n"  # a lone surrogate (argv) becomes "?"
        try:
            private_dir(self.path.parent)
            with self._lock:
                self._write(data)
        except OSError as error:
            raise JournalWriteFailed(error, self.path, entry) from None
        return entry

    def _write(self, data: bytes) -> None:
        descriptor = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if not _ends_with_newline(descriptor):
                data = b"\n" + data  # close off a line torn by a crash
            written = os.write(descriptor, data)
            while written < len(data):  # only on a full disk or a signal; rare
                written += os.write(descriptor, data[written:])
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def read(self, agent: str | None = None, since: float | None = None,
             events: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Events in the order written, filtered by agent, time (`at >= since`) and event
        names. Lines that are not whole JSON objects are skipped and counted in `skipped`."""
        wanted = set(events) if events is not None else None
        out: list[dict[str, Any]] = []
        skipped = 0
        try:
            handle = open(self.path, "rb")
        except FileNotFoundError:
            self.skipped = 0
            return out
        except OSError as error:
            raise storage_error(error, self.path, writing=False, operation="journal read") from None
        with handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                # A device (a link to /dev/full, /dev/zero) never ends a line: reading it would
                # grow one line until memory ran out.
                raise storage_error(OSError(errno.EINVAL, "not a regular file"), self.path,
                                    writing=False, operation="journal read")
            for raw in handle:
                if not raw.strip():
                    continue
                try:
                    entry = json.loads(raw)
                except ValueError:
                    skipped += 1
                    continue
                if not isinstance(entry, dict) or not _moment(entry.get("at")):
                    skipped += 1
                    continue
                if agent is not None and entry.get("agent") != agent:
                    continue
                if since is not None and entry["at"] < since:
                    continue
                if wanted is not None and entry.get("event") not in wanted:
                    continue
                out.append(entry)
        self.skipped = skipped
        return out


def _moment(at: Any) -> bool:
    """A time a line can show: a finite number of epoch seconds in years 1970..9999.

    >>> [_moment(x) for x in (0, 1.5e9, float("nan"), float("inf"), 10**400, True, "1")]
    [True, True, False, False, False, False, False]
    """
    # NaN compares false, and a huge integer is compared without becoming a float.
    return isinstance(at, (int, float)) and not isinstance(at, bool) and 0 <= at <= _LAST_MOMENT


def _ends_with_newline(descriptor: int) -> bool:
    size = os.fstat(descriptor).st_size
    return size == 0 or os.pread(descriptor, 1, size - 1) == b"\n"
