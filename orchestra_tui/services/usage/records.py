"""One line of a CLI's session record into a `UsageRecord`, or nothing: pure, per tool.

The formats, as the installed CLIs write them (captured offline, tests/sessions/):
- Claude Code, `~/.claude/projects/<cwd with every non-alphanumeric as ->/<session>.jsonl`:
  `type: assistant` lines carry `message.usage` (`input_tokens` without the cache,
  `cache_read_input_tokens`, `cache_creation_input_tokens`, `output_tokens`), `message.model`
  and `message.id`; a streamed message may be written more than once (the last one counts).
- Codex, `~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`: `session_meta` names the `cwd`,
  `turn_context` the `model`, and each `event_msg` of type `token_count` the turn's
  `info.last_token_usage` (`input_tokens` including `cached_input_tokens`).
- Gemini CLI, `~/.gemini/tmp/<project>/chats/session-*.jsonl` (`~/.gemini/projects.json` maps a
  folder to its `<project>`): `type: gemini` messages with `tokens` (`input` including
  `cached`, `output`, `thoughts`) and `model`, re-written when their tokens arrive.

>>> line = ('{"type":"assistant","timestamp":"2026-12-07T02:22:00.123Z","message":{"id":"m1",'
...         '"model":"claude-sonnet-4-5","usage":{"input_tokens":50,"output_tokens":12,'
...         '"cache_read_input_tokens":900,"cache_creation_input_tokens":0}}}')
>>> record = claude_record(json.loads(line))
>>> record.key, record.model, record.input, record.cache_read, record.output
('m1', 'claude-sonnet-4-5', 50, 900, 12)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["TokenCount", "UsageRecord", "claude_record", "codex_record", "gemini_record",
           "parse_time"]


@dataclass(frozen=True)
class TokenCount:
    """Tokens of one or many model calls: input is the part not read from or written to the
    cache, so the four add up to what was processed."""

    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0

    def __add__(self, other: TokenCount) -> TokenCount:
        return TokenCount(self.input + other.input, self.output + other.output,
                          self.cache_read + other.cache_read,
                          self.cache_write + other.cache_write)

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_read + self.cache_write

    def row(self) -> dict[str, int]:
        return {"input": self.input, "output": self.output, "cache_read": self.cache_read,
                "cache_write": self.cache_write}


@dataclass(frozen=True)
class UsageRecord:
    """One model call (Claude Code) or turn (Codex, Gemini CLI) and the tokens it spent."""

    tool: str
    key: str  # unique within its file: a later record with the same key replaces it
    at: float  # seconds since the epoch
    model: str
    tokens: TokenCount

    @property
    def input(self) -> int:
        return self.tokens.input

    @property
    def output(self) -> int:
        return self.tokens.output

    @property
    def cache_read(self) -> int:
        return self.tokens.cache_read


def parse_time(text: object) -> float:
    if not isinstance(text, str):
        return 0.0
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def _int(mapping: Any, key: str) -> int:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, int) and value > 0 else 0


def claude_record(line: dict[str, Any]) -> UsageRecord | None:
    message = line.get("message")
    if line.get("type") != "assistant" or not isinstance(message, dict):
        return None
    usage = message.get("usage")
    if not isinstance(usage, dict) or message.get("model") == "<synthetic>":
        return None
    tokens = TokenCount(_int(usage, "input_tokens"), _int(usage, "output_tokens"),
                        _int(usage, "cache_read_input_tokens"),
                        _int(usage, "cache_creation_input_tokens"))
    key = str(message.get("id") or line.get("uuid") or "")
    return UsageRecord("claude", key, parse_time(line.get("timestamp")),
                       str(message.get("model") or ""), tokens)


def codex_record(line: dict[str, Any], model: str, index: int) -> UsageRecord | None:
    payload = line.get("payload")
    if line.get("type") != "event_msg" or not isinstance(payload, dict) \
            or payload.get("type") != "token_count":
        return None
    info = payload.get("info")
    last = info.get("last_token_usage") if isinstance(info, dict) else None
    if not isinstance(last, dict):
        return None
    cached = _int(last, "cached_input_tokens")
    tokens = TokenCount(max(0, _int(last, "input_tokens") - cached),
                        _int(last, "output_tokens"), cached,
                        _int(last, "cache_write_input_tokens"))
    return UsageRecord("codex", f"turn-{index}", parse_time(line.get("timestamp")), model,
                       tokens)


def gemini_record(line: dict[str, Any]) -> UsageRecord | None:
    tokens = line.get("tokens")
    if line.get("type") != "gemini" or not isinstance(tokens, dict):
        return None
    cached = _int(tokens, "cached")
    count = TokenCount(max(0, _int(tokens, "input") - cached),
                       _int(tokens, "output") + _int(tokens, "thoughts"), cached, 0)
    return UsageRecord("gemini", str(line.get("id") or ""), parse_time(line.get("timestamp")),
                       str(line.get("model") or ""), count)


def json_line(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
