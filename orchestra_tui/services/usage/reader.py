"""Where each CLI keeps an agent's session records, and reading them incrementally: every file
is read on from the offset the last read stopped at (a line still being written waits for its
newline), so a tick over twenty agents reads only what they wrote since. Blocking file I/O: call
it off the event loop (`asyncio.to_thread`)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestra_tui.services.usage.records import (
    UsageRecord,
    claude_record,
    codex_record,
    gemini_record,
    json_line,
)

__all__ = ["SessionUsageReader"]

HEAD_BYTES = 65536  # a Codex rollout names its folder in its first line (`session_meta`)


@dataclass
class _FileState:
    offset: int = 0
    model: str = ""  # Codex: the model the last `turn_context` named
    turns: int = 0
    records: dict[str, UsageRecord] = field(default_factory=dict)


def claude_slug(cwd: str) -> str:
    """Claude Code's folder name for a project: every character not a letter or digit is `-`."""
    return re.sub(r"[^A-Za-z0-9]", "-", cwd)


class SessionUsageReader:
    """Reads the session records under one home folder (`~`): this machine's, or a test's."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._files: dict[Path, _FileState] = {}
        self._codex_cwd: dict[Path, str] = {}  # rollout file -> the folder its session ran in

    def records(self, tool: str, cwd: str) -> tuple[UsageRecord, ...]:
        """Every model call `tool` recorded for sessions run in `cwd`, oldest first."""
        if not cwd:
            return ()
        found: list[UsageRecord] = []
        for path in self._files_of(tool, cwd):
            found.extend(self._read(tool, path).records.values())
        return tuple(sorted(found, key=lambda record: record.at))

    def _files_of(self, tool: str, cwd: str) -> list[Path]:
        if tool == "claude":
            return sorted((self.home / ".claude" / "projects" / claude_slug(cwd)).glob("*.jsonl"))
        if tool == "codex":
            return [path for path in sorted((self.home / ".codex" / "sessions")
                                            .glob("*/*/*/rollout-*.jsonl"))
                    if self._rollout_cwd(path) == cwd]
        if tool == "gemini":
            return sorted(path for folder in self._gemini_folders(cwd)
                          for path in (folder / "chats").glob("session-*.json*"))
        return []

    def _rollout_cwd(self, path: Path) -> str:
        if path not in self._codex_cwd:
            try:
                with path.open("rb") as handle:
                    first = handle.readline(HEAD_BYTES).decode("utf-8", "replace")
            except OSError:
                return ""
            line = json_line(first) or {}
            payload = line.get("payload")
            cwd = payload.get("cwd") if isinstance(payload, dict) else None
            if not isinstance(cwd, str):
                return ""  # not written yet: asked again next time
            self._codex_cwd[path] = cwd
        return self._codex_cwd[path]

    def _gemini_folders(self, cwd: str) -> list[Path]:
        base = self.home / ".gemini"
        names: list[str] = []
        try:
            projects = json.loads((base / "projects.json").read_text(encoding="utf-8"))
            name = projects.get("projects", {}).get(cwd)
            if isinstance(name, str):
                names.append(name)
        except (OSError, ValueError, AttributeError):
            pass
        # Older Gemini CLIs name the folder by the project folder's SHA-256.
        names.append(hashlib.sha256(cwd.encode()).hexdigest())
        return [base / "tmp" / name for name in names if (base / "tmp" / name).is_dir()]

    def _read(self, tool: str, path: Path) -> _FileState:
        state = self._files.setdefault(path, _FileState())
        try:
            size = path.stat().st_size
            if size < state.offset:  # rewritten from the start (Gemini's .json, a rotation)
                state = self._files[path] = _FileState()
            if size == state.offset:
                return state
            with path.open("rb") as handle:
                handle.seek(state.offset)
                chunk = handle.read(size - state.offset)
        except OSError:
            return state
        complete = chunk.rfind(b"\n") + 1
        state.offset += complete
        for raw in chunk[:complete].decode("utf-8", "replace").splitlines():
            line = json_line(raw)
            if line is not None:
                self._take(tool, line, state)
        return state

    @staticmethod
    def _take(tool: str, line: dict[str, Any], state: _FileState) -> None:
        record: UsageRecord | None = None
        if tool == "claude":
            record = claude_record(line)
        elif tool == "gemini":
            record = gemini_record(line)
        elif tool == "codex":
            payload = line.get("payload")
            if line.get("type") == "turn_context" and isinstance(payload, dict):
                state.model = str(payload.get("model") or state.model)
            record = codex_record(line, state.model, state.turns)
            if record is not None:
                state.turns += 1
        if record is not None:
            state.records[record.key] = record
