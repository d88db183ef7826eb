"""A scripted OpenAI Responses API on loopback, enough for the real Codex CLI to run a turn
offline: it streams text or a shell tool call the way the API does (server-sent events).

The script is the conversation itself, so the server keeps no state between requests:

- the person's last prompt `run: CMD` makes the model call Codex's shell tool with `CMD`;
- a tool's output as the last input item ends the turn with a short text;
- `slow: N` answers after N seconds (Codex shows its working row meanwhile);
- `fail: STATUS` answers with that HTTP error as the API words it (401 a bad key, 429 a rate
  limit or spent quota, 500 a server error);
- any other prompt, and every side request Codex makes without tools, gets a one-line text.

>>> server = FakeOpenAIAPI.start()
>>> server.base_url.startswith("http://127.0.0.1:")
True
>>> reply_for({"tools": [{"type": "function", "name": "shell"}],
...            "input": [{"type": "message", "role": "user",
...                       "content": [{"type": "input_text", "text": "run: ls"}]}]})["name"]
'shell'
>>> server.stop()
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.scripted_http import ScriptedAPI, ScriptedHandler, directive, seconds, status

MODEL = "gpt-5.1-codex"
RUN_PREFIX = "run:"
SLOW_PREFIX = "slow:"
FAIL_PREFIX = "fail:"
# How the API words its errors, by HTTP status: (type, code, message).
API_ERRORS = {
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided: sk-orch***."),
    429: ("insufficient_quota", "insufficient_quota",
          "You exceeded your current quota, please check your plan and billing details."),
    500: ("server_error", None, "The server had an error while processing your request."),
}
DONE_TEXT = "Finished: the command ran."
REPLY_TEXT = "Hello from the scripted API."
_TOOL_OUTPUTS = ("function_call_output", "custom_tool_call_output", "local_shell_call_output")


def _prompt_text(item: dict[str, Any]) -> str:
    content = item.get("content")
    if isinstance(content, str):
        return content
    texts = [part.get("text", "") for part in content or []
             if isinstance(part, dict) and part.get("type") in ("input_text", "text")]
    # Codex's own context (environment, instructions) arrives as `<...>` blocks.
    return "\n".join(t for t in texts if not t.lstrip().startswith("<")).strip()


def _last_prompt(body: dict[str, Any]) -> str:
    for item in reversed([item for item in body.get("input") or [] if isinstance(item, dict)]):
        if item.get("type") == "message" and item.get("role") == "user":
            return _prompt_text(item)
    return ""


def _directive(body: dict[str, Any], prefix: str) -> str | None:
    """A directive of the person's prompt, on a turn (Codex's side requests carry no tools)."""
    return directive(_last_prompt(body), prefix) if body.get("tools") else None


def failure_for(body: dict[str, Any]) -> int:
    """The HTTP status a turn whose prompt says `fail: STATUS` answers with, else 0."""
    return status(_directive(body, FAIL_PREFIX))


def delay_for(body: dict[str, Any]) -> float:
    """Seconds to hold the answer: N for a turn whose prompt says `slow: N`, else 0."""
    return seconds(_directive(body, SLOW_PREFIX))


def _shell_call(body: dict[str, Any], command: str) -> dict[str, Any]:
    """A call of whichever shell tool this Codex offers, with `command`."""
    names = [tool.get("name") for tool in body.get("tools") or [] if isinstance(tool, dict)]
    call_id = f"call_{uuid.uuid4().hex[:20]}"
    if "exec_command" in names and "shell" not in names:
        arguments = {"cmd": command, "justification": "Run the requested command",
                     "sandbox_permissions": "require_escalated"}
        name = "exec_command"
    elif "shell_command" in names and "shell" not in names:
        arguments = {"command": command, "justification": "Run the requested command",
                     "sandbox_permissions": "require_escalated"}
        name = "shell_command"
    else:
        arguments = {"command": ["bash", "-lc", command],
                     "justification": "Run the requested command",
                     "sandbox_permissions": "require_escalated"}
        name = "shell"
    return {"type": "function_call", "id": f"fc_{uuid.uuid4().hex[:20]}", "call_id": call_id,
            "name": name, "arguments": json.dumps(arguments), "status": "completed"}


def reply_for(body: dict[str, Any]) -> dict[str, Any]:
    """The output item the model answers with: a `message` or a `function_call`."""
    items = [item for item in body.get("input") or [] if isinstance(item, dict)]
    last = items[-1] if items else {}
    if body.get("tools") and last.get("type") not in _TOOL_OUTPUTS:
        for line in _last_prompt(body).splitlines():
            if line.strip().lower().startswith(RUN_PREFIX):
                return _shell_call(body, line.strip()[len(RUN_PREFIX):].strip())
    text = DONE_TEXT if last.get("type") in _TOOL_OUTPUTS else REPLY_TEXT
    return {"type": "message", "id": f"msg_{uuid.uuid4().hex[:20]}", "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


def _events(item: dict[str, Any]) -> list[dict[str, Any]]:
    response_id = f"resp_{uuid.uuid4().hex[:20]}"
    response = {"id": response_id, "object": "response", "model": MODEL, "status": "in_progress",
                "output": []}
    events: list[dict[str, Any]] = [{"type": "response.created", "response": response}]
    if item["type"] == "message":
        text = item["content"][0]["text"]
        added = dict(item, status="in_progress", content=[])
        events.append({"type": "response.output_item.added", "output_index": 0, "item": added})
        events.append({"type": "response.output_text.delta", "item_id": item["id"],
                       "output_index": 0, "content_index": 0, "delta": text})
    else:
        events.append({"type": "response.output_item.added", "output_index": 0,
                       "item": dict(item, arguments="", status="in_progress")})
    events.append({"type": "response.output_item.done", "output_index": 0, "item": item})
    usage = {"input_tokens": 1200, "input_tokens_details": {"cached_tokens": 0},
             "output_tokens": 12, "output_tokens_details": {"reasoning_tokens": 0},
             "total_tokens": 1212}
    events.append({"type": "response.completed",
                   "response": dict(response, status="completed", output=[item], usage=usage)})
    return events


class _Handler(ScriptedHandler):
    def do_GET(self) -> None:
        self.record("GET")
        path = self.path.split("?", 1)[0]
        if path.endswith("/models"):
            self.send_json(200, {"models": []})
            return
        self.send_json(404, {"error": {"message": "not scripted", "type": "not_found"}})

    def do_POST(self) -> None:
        body = self.read_json()
        self.record("POST", body)
        path = self.path.split("?", 1)[0]
        if not path.endswith("/responses"):
            self.send_json(404, {"error": {"message": "not scripted", "type": "not_found"}})
            return
        failure = failure_for(body)
        if failure:
            kind, code, message = API_ERRORS.get(failure, API_ERRORS[500])
            self.send_json(failure, {"error": {"message": message, "type": kind,
                                               "param": None, "code": code}})
            return
        item = reply_for(body)
        self.start_stream()
        delay = delay_for(body)
        for index, event in enumerate(_events(item)):
            if index == 1 and delay:
                self.pause(delay)
            self.send_event(event["type"], event)


class FakeOpenAIAPI(ScriptedAPI):
    handler = _Handler
    path = "/v1"


if __name__ == "__main__":  # a manual run: python -m tests.fake_openai_api [DUMP_FILE]
    import sys

    FakeOpenAIAPI.serve(sys.argv[1] if len(sys.argv) > 1 else None)
