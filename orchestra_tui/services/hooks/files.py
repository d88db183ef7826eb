"""Editing a person's settings file so that only orchestra's entries come and go.

A `Edit` says how to find, add and strip orchestra's entries in one file's bytes. `apply_install`
and `apply_remove` do the file work around it:

- install keeps the pre-install bytes in a backup beside the file (`settings.json.orchestra-
  backup`) and records in orchestra's data dir (`hooks/installed.json`) a digest of what it
  wrote; installing again is a no-op when nothing changed;
- remove restores the pre-install bytes exactly (or deletes a file install created) when the
  file is still what install wrote; when someone changed it since, it strips only orchestra's
  entries and keeps everything else.

Every write is atomic (temp file, fsync, rename) and keeps the file's permissions. A settings
file that is a symlink (dotfiles kept in a repository) is written through the link: the target
changes, its backup sits beside the target, and the link stays a link. A file without write
permission is refused, not replaced: its mode says the person does not want it edited. A number
JSON tools cannot read back once rewritten (`1e400` would come back as `Infinity`) is refused.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestra_tui.errors import OrchestraError
from orchestra_tui.paths import atomic_write, display_path

BACKUP_SUFFIX = ".orchestra-backup"
MANIFEST = "installed.json"


@dataclass(frozen=True)
class Edit:
    """Orchestra's part of one file: `present(data)` tells whether it is there, `add(data)`
    returns the bytes with it (fresh, replacing an older one), `strip(data)` without it.
    `data` is None for a missing file. A function raises `OrchestraError` for a file it cannot
    read (broken JSON): the file is then left alone."""

    present: Callable[[bytes | None], bool]
    add: Callable[[bytes | None], bytes]
    strip: Callable[[bytes], bytes]


@dataclass(frozen=True)
class Change:
    """What one install or remove did to one file, in words for the person."""

    path: Path
    action: str  # installed, updated, unchanged, restored, deleted, stripped, absent, skipped
    note: str = ""

    def line(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{display_path(self.path)}: {self.action}{note}"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Manifest:
    """`<data dir>/hooks/installed.json`: per file, the digest of what install wrote, whether
    the file existed before, where its backup is and whether a restore is still exact."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "hooks" / MANIFEST

    def load(self) -> dict[str, dict[str, Any]]:
        try:
            value = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        files = value.get("files") if isinstance(value, dict) else None
        return files if isinstance(files, dict) else {}

    def save(self, files: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = json.dumps({"files": files}, indent=2, sort_keys=True).encode() + b"\n"
        atomic_write(self.path, data)

    def record(self, path: Path) -> dict[str, Any] | None:
        return self.load().get(str(path))

    def put(self, path: Path, record: dict[str, Any] | None) -> None:
        files = self.load()
        if record is None:
            files.pop(str(path), None)
        else:
            files[str(path)] = record
        self.save(files)


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise OrchestraError(f"{display_path(path)}: is a directory, not a settings file") from None


def _through_links(path: Path) -> Path:
    """The file a settings path names: a symlink's final target (which may not exist yet)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _check_writable(path: Path, shown: Path) -> None:
    """Refuse a file whose mode has no write permission (root too: the mode is the person's
    word), before anything is written."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not mode & stat.S_IWUSR:
        raise OrchestraError(f"{display_path(shown)}: read-only (mode "
                             f"{stat.S_IMODE(mode):04o}); orchestra leaves it alone: make it "
                             "writable to change it")


def _write(path: Path, data: bytes) -> None:
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o600
    atomic_write(path, data, mode=mode)


def _created_dirs(path: Path) -> list[str]:
    """The missing parent directories of `path`, outermost first, created now."""
    missing = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700)
    return [str(directory) for directory in reversed(missing)]


def apply_install(named: Path, edit: Edit, manifest: Manifest) -> Change:
    path = _through_links(named)
    before = read_bytes(path)
    ours_before = edit.present(before)
    after = edit.add(before)
    record = manifest.record(path)
    if before is not None and after == before:
        if record is None:  # installed by an older run or by hand: restore can't be exact
            manifest.put(path, {"wrote": digest(before), "existed": True, "backup": None,
                                "restorable": False, "created_dirs": []})
        return Change(named, "unchanged", "already installed")
    _check_writable(path, named)
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    if not ours_before:
        created = _created_dirs(path) if before is None else []
        if before is not None:
            _write(backup, before)
        record = {"existed": before is not None, "backup": str(backup) if before else None,
                  "restorable": True, "created_dirs": created}
        action = "installed"
    else:
        if record is None or digest(before or b"") != record.get("wrote"):
            record = dict(record or {"existed": True, "backup": None, "created_dirs": []})
            record["restorable"] = False  # changed since install: the backup is history now
        action = "updated"
    _write(path, after)
    manifest.put(path, {**record, "wrote": digest(after)})
    return Change(named, action, f"backup: {display_path(backup)}"
                  if action == "installed" and before is not None else "")


def apply_remove(named: Path, edit: Edit, manifest: Manifest) -> Change:
    path = _through_links(named)
    current = read_bytes(path)
    if current is not None and edit.present(current):
        _check_writable(path, named)
    record = manifest.record(path)
    if current is None or not edit.present(current):
        manifest.put(path, None)
        return Change(named, "absent", "nothing of orchestra's there")
    if record and record.get("restorable") and digest(current) == record.get("wrote"):
        backup = Path(record["backup"]) if record.get("backup") else None
        if not record.get("existed"):
            path.unlink()
            for directory in reversed(record.get("created_dirs") or []):
                try:
                    Path(directory).rmdir()
                except OSError:
                    break  # not empty: something else lives there now
            manifest.put(path, None)
            return Change(named, "deleted", "install had created it")
        original = read_bytes(backup) if backup is not None else None
        if backup is not None and original is not None and not edit.present(original):
            _write(path, original)
            backup.unlink(missing_ok=True)
            manifest.put(path, None)
            return Change(named, "restored", "byte for byte as before install")
    _write(path, edit.strip(current))
    manifest.put(path, None)
    return Change(named, "stripped", "changed since install: only orchestra's entries removed")


# -- JSON settings files with a Claude-Code-style `hooks` table -----------------------------------


def load_json(data: bytes | None, path: Path) -> dict[str, Any]:
    if data is None or not data.strip():
        return {}
    try:
        value = json.loads(data, parse_float=_kept_float, parse_constant=_no_constant)
    except _Unkeepable as error:
        raise OrchestraError(f"{display_path(path)}: {error}; orchestra leaves it alone") from None
    except ValueError as error:
        raise OrchestraError(f"{display_path(path)}: not valid JSON ({error}); "
                             "fix it first, orchestra leaves it alone") from None
    if not isinstance(value, dict):
        raise OrchestraError(f"{display_path(path)}: expected a JSON object at the top")
    hooks = value.get("hooks")
    if hooks is not None and not isinstance(hooks, dict):
        raise OrchestraError(f"{display_path(path)}: \"hooks\" is not an object; "
                             "orchestra leaves the file alone")
    return value


class _Unkeepable(ValueError):
    """A value that would not come back as written: rewriting the file would change it."""


def _kept_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Unkeepable(f"the number {literal} is too large to write back (JSON has no "
                          "Infinity)")
    return value


def _no_constant(name: str) -> Any:
    raise _Unkeepable(f"{name} is not JSON")


def dump_json(value: dict[str, Any], like: bytes | None) -> bytes:
    """`value` as JSON indented like the file it replaces (two spaces by default)."""
    indent = 2
    if like:
        for line in like.decode("utf-8", "replace").splitlines()[1:]:
            stripped = line.lstrip(" \t")
            if stripped and len(stripped) < len(line):
                lead = line[:len(line) - len(stripped)]
                indent = "\t" if lead.startswith("\t") else len(lead)  # type: ignore[assignment]
                break
    return (json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
            + "\n").encode()


def json_hooks_edit(path: Path, groups: dict[str, list[dict[str, Any]]],
                    is_ours: Callable[[dict[str, Any]], bool]) -> Edit:
    """The Edit for a settings file whose `hooks` maps event names to lists of matcher groups
    (`{"matcher": ..., "hooks": [handler, ...]}`): Claude Code's settings.json, Codex's
    hooks.json, Gemini CLI's settings.json. `is_ours(handler)` recognises orchestra's."""

    def stripped(value: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """`value` without orchestra's handlers, and how many there were. Groups and event
        lists left empty by the removal go too; nothing else is touched."""
        hooks = value.get("hooks")
        if not isinstance(hooks, dict):
            return value, 0
        removed = 0
        new_hooks: dict[str, Any] = {}
        for event, entries in hooks.items():
            if not isinstance(entries, list):
                new_hooks[event] = entries
                continue
            kept = []
            for group in entries:
                found = group.get("hooks") if isinstance(group, dict) else None
                handlers: list[Any] = found if isinstance(found, list) else []
                mine = [h for h in handlers if isinstance(h, dict) and is_ours(h)]
                removed += len(mine)
                if not mine:
                    kept.append(group)
                elif len(mine) < len(handlers):
                    kept.append({**group, "hooks": [h for h in handlers if h not in mine]})
            if kept or len(entries) == 0:
                new_hooks[event] = kept
        if not removed:
            return value, 0
        out = dict(value)
        if new_hooks:
            out["hooks"] = new_hooks
        else:
            out.pop("hooks")
        return out, removed

    def present(data: bytes | None) -> bool:
        return stripped(load_json(data, path))[1] > 0

    def add(data: bytes | None) -> bytes:
        original = load_json(data, path)
        value = stripped(original)[0]
        hooks = dict(value.get("hooks") or {})
        for event, new_groups in groups.items():
            hooks[event] = [*(hooks.get(event) or []), *new_groups]
        result = {**value, "hooks": hooks}
        if data is not None and result == original:
            return data  # installed already, exactly so: the bytes stay as they are
        return dump_json(result, data)

    def strip(data: bytes) -> bytes:
        return dump_json(stripped(load_json(data, path))[0], data)

    return Edit(present=present, add=add, strip=strip)



def flat_hooks_edit(path: Path, handlers: dict[str, list[dict[str, Any]]],
                    is_ours: Callable[[dict[str, Any]], bool]) -> Edit:
    """The Edit for a hooks file whose `hooks` maps event names straight to handler lists,
    with a `version` (GitHub Copilot CLI's `~/.copilot/hooks/*.json`, version 1)."""

    def stripped(value: dict[str, Any]) -> tuple[dict[str, Any], int]:
        hooks = value.get("hooks")
        if not isinstance(hooks, dict):
            return value, 0
        removed = 0
        kept_hooks: dict[str, Any] = {}
        for event, entries in hooks.items():
            if not isinstance(entries, list):
                kept_hooks[event] = entries
                continue
            kept = [entry for entry in entries if not (isinstance(entry, dict) and is_ours(entry))]
            removed += len(entries) - len(kept)
            if kept or not entries:
                kept_hooks[event] = kept
        if not removed:
            return value, 0
        return {**value, "hooks": kept_hooks}, removed

    def present(data: bytes | None) -> bool:
        return stripped(load_json(data, path))[1] > 0

    def add(data: bytes | None) -> bytes:
        original = load_json(data, path)
        value = stripped(original)[0]
        hooks = dict(value.get("hooks") or {})
        for event, new in handlers.items():
            hooks[event] = [*(hooks.get(event) or []), *new]
        result = {"version": 1, **value, "hooks": hooks}
        if data is not None and result == original:
            return data
        return dump_json(result, data)

    def strip(data: bytes) -> bytes:
        return dump_json(stripped(load_json(data, path))[0], data)

    return Edit(present=present, add=add, strip=strip)
