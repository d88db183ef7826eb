"""Where each CLI keeps an agent's session records, and reading them incrementally: every file
is read on from the offset the last read stopped at (a line still being written waits for its
newline), so a tick over twenty agents reads only what they wrote since. The bytes come from a
`SessionFiles` (files.py): this machine's home folder, or a host's through ssh (remote.py), read
and parsed the same way. Reads are bounded: at most `chunk` bytes of one file at once, a line
longer than that skipped (no usage line is), and for a host at most `budget` bytes per call of
`records` (the rest follows on the next). Blocking: call it off the event loop
(`asyncio.to_thread`)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestra_tui.services.usage.files import Listing, LocalSessionFiles, SessionFiles, Want
from orchestra_tui.services.usage.records import (
    UsageRecord,
    claude_record,
    codex_record,
    gemini_record,
    json_line,
)

__all__ = ["CHUNK", "SessionUsageReader", "claude_slug"]

HEAD_BYTES = 65536  # a Codex rollout names its folder in its first line (`session_meta`)
CHUNK = 8 * 1024 * 1024  # at most this much of one file at once; a longer line is skipped
UNBOUNDED = 1 << 62
FILES_PER_CALL = 256  # a host's call names each file on its command line: kept short


@dataclass
class _FileState:
    offset: int = 0
    skipping: bool = False  # inside a line longer than a chunk: dropped up to its end
    model: str = ""  # Codex: the model the last `turn_context` named
    turns: int = 0
    records: dict[str, UsageRecord] = field(default_factory=dict)


def claude_slug(cwd: str) -> str:
    """Claude Code's folder name for a project: every character not a letter or digit is `-`."""
    return re.sub(r"[^A-Za-z0-9]", "-", cwd)


class SessionUsageReader:
    """Reads the session records under one home folder (`~`): this machine's, a test's
    (`home`), or a host's (`files`)."""

    def __init__(self, home: Path | None = None, *, files: SessionFiles | None = None,
                 chunk: int = CHUNK, budget: int = UNBOUNDED) -> None:
        if files is None:
            files = LocalSessionFiles(home if home is not None else Path.home())
        self.files = files
        self.chunk = chunk
        self.budget = budget
        self._files: dict[str, _FileState] = {}
        self._codex_cwd: dict[str, str] = {}  # rollout file -> the folder its session ran in

    def records(self, tool: str, cwd: str) -> tuple[UsageRecord, ...]:
        """Every model call `tool` recorded for sessions run in `cwd`, oldest first."""
        if not cwd:
            return ()
        sizes = self._files_of(tool, cwd)
        self._catch_up(tool, sizes)
        found = [record for path in sizes if path in self._files
                 for record in self._files[path].records.values()]
        return tuple(sorted(found, key=lambda record: record.at))

    def _files_of(self, tool: str, cwd: str) -> dict[str, int]:
        if tool == "claude":
            return self.files.sizes([Listing(f".claude/projects/{claude_slug(cwd)}", "*.jsonl")])
        if tool == "codex":
            sizes = self.files.sizes([Listing(".codex/sessions", "rollout-*.jsonl", depth=4)])
            self._classify([path for path in sizes if path not in self._codex_cwd])
            return {path: size for path, size in sizes.items()
                    if self._codex_cwd.get(path) == cwd}
        if tool == "gemini":
            return self.files.sizes([Listing(f".gemini/tmp/{name}/chats", "session-*.json*")
                                     for name in self._gemini_names(cwd)])
        return {}

    def _classify(self, paths: list[str]) -> None:
        """The folder each new rollout's session ran in, from its first line."""
        for path, head in zip(paths, self._read([(path, 0, HEAD_BYTES) for path in paths]),
                              strict=True):
            first, newline, _ = head.partition(b"\n")
            if not newline:
                if len(head) >= HEAD_BYTES:
                    self._codex_cwd[path] = ""  # no session_meta line: no session's
                continue  # not written yet: asked again next time
            payload = (json_line(first.decode("utf-8", "replace")) or {}).get("payload")
            cwd = payload.get("cwd") if isinstance(payload, dict) else None
            self._codex_cwd[path] = cwd if isinstance(cwd, str) else ""

    def _gemini_names(self, cwd: str) -> list[str]:
        names: list[str] = []
        (raw,) = self._read([(self.files.in_home(".gemini/projects.json"), 0, HEAD_BYTES)])
        try:
            name = json.loads(raw.decode("utf-8", "replace")).get("projects", {}).get(cwd)
            if isinstance(name, str) and name not in (".", "..") and "/" not in name:
                names.append(name)
        except (ValueError, AttributeError):
            pass
        # Older Gemini CLIs name the folder by the project folder's SHA-256.
        names.append(hashlib.sha256(cwd.encode()).hexdigest())
        return names

    def _read(self, wants: list[Want]) -> list[bytes]:
        """The wants in batches of at most a chunk's bytes and `FILES_PER_CALL` files (one call
        each: one ssh round trip for a host)."""
        chunks: list[bytes] = []
        batch: list[Want] = []
        size = 0
        for want in [*wants, None]:
            if batch and (want is None or size + want[2] > self.chunk
                          or len(batch) >= FILES_PER_CALL):
                chunks.extend(self.files.read(batch))
                batch, size = [], 0
            if want is not None:
                batch.append(want)
                size += want[2]
        return chunks

    def _catch_up(self, tool: str, sizes: dict[str, int]) -> None:
        spent = 0
        pending = dict(sizes)
        while pending and spent < self.budget:
            wants: list[Want] = []
            for path, size in list(pending.items()):
                state = self._files.setdefault(path, _FileState())
                if size < state.offset:  # rewritten from the start (Gemini's .json, a rotation)
                    state = self._files[path] = _FileState()
                if size == state.offset:
                    del pending[path]
                else:
                    wants.append((path, state.offset, min(self.chunk, size - state.offset)))
            if not wants:
                return
            for (path, offset, length), chunk in zip(wants, self._read(wants), strict=True):
                spent += len(chunk)
                state = self._files[path]
                self._consume(tool, state, chunk, full=len(chunk) >= self.chunk)
                if state.offset == offset or len(chunk) < length:
                    pending.pop(path, None)  # a line still being written, or the file shrank

    def _consume(self, tool: str, state: _FileState, chunk: bytes, *, full: bool) -> None:
        if state.skipping:
            end = chunk.find(b"\n")
            if end < 0:
                state.offset += len(chunk)
                return
            state.offset += end + 1
            chunk = chunk[end + 1:]
            state.skipping = False
        complete = chunk.rfind(b"\n") + 1
        if not complete and full:  # a line longer than a chunk: no usage line is that long
            state.offset += len(chunk)
            state.skipping = True
            return
        state.offset += complete
        # Split on newlines only: a record's strings may hold U+2028 and other line breaks.
        for raw in chunk[:complete].split(b"\n"):
            line = json_line(raw.decode("utf-8", "replace")) if raw.strip() else None
            if line is not None:
                self._take(tool, line, state)

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
