"""A scripted Anthropic Messages API on loopback, enough for the real Claude Code CLI to run a
turn offline: it streams text or a Bash `tool_use` the way the API does (server-sent events).

The script is the conversation itself, so the server keeps no state between requests:

- the person's last prompt `run: CMD` makes the model ask to run `CMD` with the Bash tool;
- `write: PATH` makes it ask to create PATH with the Write tool (Claude's file dialog);
- `ask: QUESTION` makes it ask the person QUESTION with two choices (AskUserQuestion);
- `slow: N` streams its answer word by word over about N seconds (a turn to watch working);
- `fail: STATUS` answers with that HTTP error, as the API words it (401 a bad key, 429 a
  rate limit, 529 overloaded, 500 an internal error);
- `full: N` answers as if the context held N tokens (Claude shows what is left of it);
- a `tool_result` as the last message ends the turn with a short text;
- any other prompt, and every side request Claude Code makes without tools (titles, topic
  checks), gets a one-line text answer.

>>> server = FakeAnthropicAPI.start()
>>> server.base_url.startswith("http://127.0.0.1:")
True
>>> server.stop()
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.scripted_http import ScriptedAPI, ScriptedHandler, directive, seconds, status

MODEL = "claude-sonnet-4-5"
RUN_PREFIX = "run:"
WRITE_PREFIX = "write:"
ASK_PREFIX = "ask:"
SLOW_PREFIX = "slow:"
FAIL_PREFIX = "fail:"
FULL_PREFIX = "full:"
# How the API words its errors (type and message), by HTTP status.
API_ERRORS = {
    400: ("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use this resource."),
    429: ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}
DONE_TEXT = "Finished: the command ran."
REPLY_TEXT = "Hello from the scripted API."


def _last_user_content(body: dict[str, Any]) -> list[dict[str, Any]]:
    for message in reversed(body.get("messages") or []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return [{"type": "text", "text": content}]
        return [part for part in content or [] if isinstance(part, dict)]
    return []


def _prompt_text(parts: list[dict[str, Any]]) -> str:
    """The person's words: text parts that are not Claude Code's own `<system-reminder>`s."""
    texts = [part.get("text", "") for part in parts if part.get("type") == "text"]
    return "\n".join(t for t in texts if not t.lstrip().startswith("<")).strip()


def reply_for(body: dict[str, Any]) -> dict[str, Any]:
    """The content block the model answers with: {"type": "text"|"tool_use", ...}."""
    parts = _last_user_content(body)
    if not body.get("tools"):
        return {"type": "text", "text": "Scripted title"}
    # A prompt typed after an interrupted tool call arrives in the same message as that call's
    # (rejected) result: the prompt is what the person wants now.
    for line in _prompt_text(parts).splitlines():
        if line.strip().lower().startswith(RUN_PREFIX):
            command = line.strip()[len(RUN_PREFIX):].strip()
            return {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:20]}", "name": "Bash",
                    "input": {"command": command, "description": "Run the requested command"}}
        if line.strip().lower().startswith(ASK_PREFIX):
            question = line.strip()[len(ASK_PREFIX):].strip() or "Which way?"
            options = [{"label": "Postgres", "description": "Keep the current database"},
                       {"label": "SQLite", "description": "Simpler for tests"}]
            return {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:20]}",
                    "name": "AskUserQuestion",
                    "input": {"questions": [{"question": question, "header": "Database",
                                             "options": options, "multiSelect": False}]}}
        if line.strip().lower().startswith(WRITE_PREFIX):
            path = line.strip()[len(WRITE_PREFIX):].strip()
            return {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:20]}", "name": "Write",
                    "input": {"file_path": path, "content": "print('hello')\n"}}
    if any(part.get("type") == "tool_result" for part in parts):
        return {"type": "text", "text": DONE_TEXT}
    return {"type": "text", "text": REPLY_TEXT}


def _directive(body: dict[str, Any], prefix: str) -> str | None:
    """A directive of the person's prompt, on a request with tools (the turn itself, not
    Claude Code's side requests)."""
    if not body.get("tools"):
        return None
    return directive(_prompt_text(_last_user_content(body)), prefix)


def _number(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _events(block: dict[str, Any], input_tokens: int = 50
            ) -> list[tuple[str, dict[str, Any]]]:
    message_id = f"msg_{uuid.uuid4().hex[:20]}"
    usage = {"input_tokens": input_tokens, "output_tokens": 1, "cache_creation_input_tokens": 0,
             "cache_read_input_tokens": 0}
    start = {"type": "message_start", "message": {
        "id": message_id, "type": "message", "role": "assistant", "model": MODEL,
        "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}}
    events: list[tuple[str, dict[str, Any]]] = [("message_start", start)]
    if block["type"] == "text":
        events.append(("content_block_start", {"type": "content_block_start", "index": 0,
                                               "content_block": {"type": "text", "text": ""}}))
        events.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "text_delta",
                                                         "text": block["text"]}}))
        stop_reason = "end_turn"
    else:
        events.append(("content_block_start", {"type": "content_block_start", "index": 0,
                                               "content_block": {"type": "tool_use",
                                                                 "id": block["id"],
                                                                 "name": block["name"],
                                                                 "input": {}}}))
        events.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "input_json_delta",
                                                         "partial_json":
                                                             json.dumps(block["input"])}}))
        stop_reason = "tool_use"
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    events.append(("message_delta", {"type": "message_delta",
                                     "delta": {"stop_reason": stop_reason,
                                               "stop_sequence": None},
                                     "usage": {"output_tokens": 12}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def _slowly(events: list[tuple[str, dict[str, Any]]], seconds: int
            ) -> list[tuple[str, dict[str, Any]]]:
    """The text delta cut into `seconds` * 2 pieces with half a second between them."""
    slow: list[tuple[str, dict[str, Any]]] = []
    for name, payload in events:
        if name != "content_block_delta":
            slow.append((name, payload))
            continue
        pieces = seconds * 2
        words = f"Working through it step by step. {payload['delta']['text']}".split()
        for index in range(pieces):
            part = " ".join(words[index::pieces]) if index < len(words) else "."
            slow.append(("pause", {"seconds": 0.5}))
            slow.append((name, {**payload, "delta": {"type": "text_delta",
                                                     "text": part + " "}}))
    return slow


def _message(block: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"msg_{uuid.uuid4().hex[:20]}", "type": "message", "role": "assistant",
            "model": MODEL, "content": [block],
            "stop_reason": "tool_use" if block["type"] == "tool_use" else "end_turn",
            "stop_sequence": None, "usage": {"input_tokens": 50, "output_tokens": 12}}


class _Handler(ScriptedHandler):
    def do_GET(self) -> None:
        self.send_json(404, {"type": "error", "error": {"type": "not_found_error",
                                                        "message": "not scripted"}})

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        body = self.read_json()
        path = self.path.split("?", 1)[0]
        if path.endswith("/count_tokens"):
            self.send_json(200, {"input_tokens": 100})
            return
        if not path.endswith("/v1/messages"):
            self.send_json(404, {"type": "error", "error": {"type": "not_found_error",
                                                            "message": "not scripted"}})
            return
        block = reply_for(body)
        self.record("POST", body)
        failure = status(_directive(body, FAIL_PREFIX))
        if failure:
            kind, message = API_ERRORS.get(failure, ("api_error", "Internal server error"))
            self.send_json(failure, {"type": "error", "error": {"type": kind,
                                                                "message": message}})
            return
        if not body.get("stream"):
            self.send_json(200, _message(block))
            return
        self.start_stream()
        events = _events(block, _number(_directive(body, FULL_PREFIX), 50))
        slow = int(seconds(_directive(body, SLOW_PREFIX)))
        if slow and block["type"] == "text":
            events = _slowly(events, slow)
        for name, payload in events:
            if name == "pause":
                self.pause(payload["seconds"])
            else:
                self.send_event(name, payload)


class FakeAnthropicAPI(ScriptedAPI):
    handler = _Handler
