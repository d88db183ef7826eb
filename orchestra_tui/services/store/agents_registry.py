"""The agents orchestra started itself (`orchestra new`), recorded in the data dir, never in the
person's config file: `agents.json`, one JSON document rewritten atomically under a `flock`
on `agents.lock`, so `orchestra new` in a shell and the running app can share it. A reader
(the fleet, every tick) pays one `stat` when nothing changed.

>>> import tempfile; registry = AgentsRegistry(Path(tempfile.mkdtemp()))
>>> _ = registry.add(AgentRecord(AgentSpec("w2", tool="codex", lane="shop"), branch="codex/7"))
>>> [(r.name, r.spec.lane, r.branch) for r in registry.records()]
[('w2', 'shop', 'codex/7')]
>>> registry.add(AgentRecord(AgentSpec("w2")))
Traceback (most recent call last):
orchestra_tui.services.store.agents_registry.NameTaken: an agent named w2 is recorded already
>>> registry.remove("w2"), registry.records()
(True, ())
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from orchestra_tui.errors import ConfigError, OrchestraError
from orchestra_tui.models import AgentRecord, AgentSpec
from orchestra_tui.paths import atomic_write, data_dir, display_path

FORMAT_VERSION = 1
FILE_NAME = "agents.json"
LOCK_NAME = "agents.lock"
_SPEC_FIELDS = {f.name for f in fields(AgentSpec)}
_RECORD_FIELDS = {f.name for f in fields(AgentRecord)} - {"spec"}


class NameTaken(OrchestraError):
    """Another recorded agent has this name."""


class RegistryCorrupt(ConfigError):
    """`agents.json` cannot be read."""


def _record_to_json(record: AgentRecord) -> dict[str, Any]:
    data = {key: value for key, value in asdict(record).items() if key != "spec"}
    spec = asdict(record.spec)
    spec["forbid"] = list(record.spec.forbid)
    return {"spec": spec, **data}


def _record_from_json(data: Any) -> AgentRecord:
    if not isinstance(data, dict) or not isinstance(data.get("spec"), dict):
        raise ValueError("an entry is not an agent record")
    spec = {key: value for key, value in data["spec"].items() if key in _SPEC_FIELDS}
    spec["forbid"] = tuple(spec.get("forbid") or ())
    rest = {key: value for key, value in data.items() if key in _RECORD_FIELDS}
    return AgentRecord(spec=AgentSpec(**spec), **rest)


class AgentsRegistry:
    """Recorded agents in `directory` (default: the user data dir, resolved on first use)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = Path(directory) if directory is not None else None
        self._lock = threading.RLock()
        self._signature: object = None
        self._records: tuple[AgentRecord, ...] = ()

    @property
    def directory(self) -> Path:
        if self._directory is None:
            self._directory = data_dir()
        return self._directory

    @property
    def path(self) -> Path:
        return self.directory / FILE_NAME

    def _stat(self) -> object:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def signature(self) -> object:
        """What changes whenever the file does (one `stat`): a reader compares it with the one
        it last saw, whichever process or object wrote in between."""
        return self._stat()

    def records(self) -> tuple[AgentRecord, ...]:
        """Every recorded agent, re-read only when the file changed. Raises `RegistryCorrupt`
        for a file that is not a registry."""
        with self._lock:
            signature = self._stat()
            if signature != self._signature:
                self._records = self._read()
                self._signature = signature
            return self._records

    def get(self, name: str) -> AgentRecord | None:
        return next((record for record in self.records() if record.name == name), None)

    def add(self, record: AgentRecord) -> AgentRecord:
        """Record a new agent. Raises `NameTaken` when one of that name is recorded."""
        with self._locked() as records:
            if any(existing.name == record.name for existing in records):
                raise NameTaken(f"an agent named {record.name} is recorded already")
            self._write((*records, record))
        return record

    def update(self, record: AgentRecord) -> None:
        with self._locked() as records:
            self._write(tuple(record if existing.name == record.name else existing
                              for existing in records))

    def remove(self, name: str) -> bool:
        """Forget the agent; False when none of that name was recorded."""
        with self._locked() as records:
            kept = tuple(record for record in records if record.name != name)
            if len(kept) == len(records):
                return False
            self._write(kept)
        return True

    # -- the file ------------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[tuple[AgentRecord, ...]]:
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor = os.open(self.directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                self._signature = None  # another process may have written: read afresh
                yield self.records()
            finally:
                os.close(descriptor)

    def _read(self) -> tuple[AgentRecord, ...]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return ()
        try:
            document = json.loads(raw.decode("utf-8"))
            if not isinstance(document, dict) or not isinstance(document.get("agents"), list):
                raise ValueError("no agents list")
            if int(document.get("version", 0)) > FORMAT_VERSION:
                raise ValueError("written by a newer orchestra")
            return tuple(_record_from_json(entry) for entry in document["agents"])
        except (ValueError, TypeError, UnicodeDecodeError) as error:
            raise RegistryCorrupt(f"{display_path(self.path)}: not an agents record "
                                  f"({error}); move it aside to start over") from None

    def _write(self, records: tuple[AgentRecord, ...]) -> None:
        document = {"version": FORMAT_VERSION,
                    "agents": [_record_to_json(record) for record in records]}
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        atomic_write(self.path, data)
        self._records, self._signature = records, self._stat()


def recorded_agents(data_dir: Path | None) -> tuple[AgentRecord, ...]:
    """The agents `orchestra new` recorded in `data_dir`; none when it cannot be read (the
    hook and the enforcement check go on without them)."""
    if data_dir is None:
        return ()
    try:
        return AgentsRegistry(Path(data_dir)).records()
    except (OrchestraError, OSError):
        return ()


def agents_file_bytes(data_dir: Path | None) -> bytes | None:
    """The agents file as it is on disk (None: no data dir, or no file to read)."""
    if data_dir is None:
        return None
    try:
        return (Path(data_dir) / FILE_NAME).read_bytes()
    except OSError:
        return None
