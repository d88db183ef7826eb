"""A scripted OpenAI Chat Completions API on loopback, enough for the real Aider (through
litellm) to run turns offline: it answers `/v1/chat/completions` as JSON or streamed
server-sent events, and lists one model at `/v1/models`.

The script is the conversation itself, so the server keeps no state between requests; the
person's last prompt decides the reply, one directive a line:

- `run: CMD` makes the model propose CMD in a shell block (Aider asks "Run shell command?");
  when the request offers tools (opencode, Qwen Code), it calls the shell tool instead, and
  answers the tool's result with a one-line text;
- `create: PATH` makes it answer with a SEARCH/REPLACE block that creates PATH (Aider asks
  "Create new file?" when PATH is not in the chat);
- `slow: N` holds the first token N seconds (Aider shows its "Waiting for" spinner);
- `stall: N` streams the first half of the reply, then holds the rest N seconds (Aider shows
  the partial answer and no indicator at all);
- `fail: STATUS` answers with that HTTP error as the API words it (401 a bad key, 429 a rate
  limit, 500 a server error; litellm and Aider retry the last two);
- `quota:` answers 429 `insufficient_quota`, the API's word for a spent usage allowance;
- any other prompt, and the side requests (a commit message), get a one-line text.

>>> server = FakeOpenAIChatAPI.start()
>>> server.base_url.startswith("http://127.0.0.1:")
True
>>> reply_for({"messages": [{"role": "user", "content": "run: ls -la"}]}).splitlines()[-2]
'ls -la'
>>> failure_for({"messages": [{"role": "user", "content": "fail: 429"}]})
429
>>> server.stop()
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.scripted_http import ScriptedAPI, ScriptedHandler, directive, seconds, status

MODEL = "gpt-4o"
RUN_PREFIX = "run:"
CREATE_PREFIX = "create:"
SLOW_PREFIX = "slow:"
STALL_PREFIX = "stall:"
FAIL_PREFIX = "fail:"
QUOTA_PREFIX = "quota:"
QUOTA_ERROR = ("insufficient_quota", "insufficient_quota",
               "You exceeded your current quota, please check your plan and billing details.")
# The shell tool as each CLI names it: opencode `bash`, Qwen Code `run_shell_command`.
SHELL_TOOLS = ("bash", "run_shell_command", "shell")
TOOL_DONE_TEXT = "The command ran."
# How the API words its errors, by HTTP status: (type, code, message).
API_ERRORS = {
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided: x."),
    429: ("requests", "rate_limit_exceeded",
          "Rate limit reached for gpt-4o in organization org-orch on tokens per min (TPM): "
          "Limit 30000, Used 30000, Requested 1200. Please try again in 2.4s."),
    500: ("server_error", None, "The server had an error while processing your request."),
}
REPLY_TEXT = "Hello from the scripted chat API."
COMMIT_TEXT = "Add the requested file"
RUN_TEXT = "Run this to see it:"
CREATE_TEXT = "Here is the new file."
_CHUNK = 12  # characters per streamed delta


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content or []
                     if isinstance(part, dict) and part.get("type") == "text")


def _last_prompt(body: dict[str, Any]) -> str:
    messages = [msg for msg in body.get("messages") or [] if isinstance(msg, dict)]
    for message in reversed(messages):
        if message.get("role") == "user":
            return _text(message.get("content"))
    return ""


def _is_side_request(body: dict[str, Any]) -> bool:
    """A request Aider makes for itself (a commit message, a summary), not the person's turn.
    An agent that offers tools (opencode, Qwen Code) asks with its own long system prompt,
    which says "summarize" somewhere: its turns are the person's."""
    if body.get("tools"):
        return False
    system = " ".join(_text(msg.get("content")) for msg in body.get("messages") or []
                      if isinstance(msg, dict) and msg.get("role") == "system")
    return "commit message" in system.lower() or "summarize" in system.lower()


def _directive(body: dict[str, Any], prefix: str) -> str | None:
    return None if _is_side_request(body) else directive(_last_prompt(body), prefix)


def _seconds(body: dict[str, Any], prefix: str) -> float:
    return seconds(_directive(body, prefix))


def failure_for(body: dict[str, Any]) -> int:
    """The HTTP status a turn whose prompt says `fail: STATUS` answers with, else 0."""
    return status(_directive(body, FAIL_PREFIX))


def _after_tool(body: dict[str, Any]) -> bool:
    messages = [msg for msg in body.get("messages") or [] if isinstance(msg, dict)]
    return bool(messages) and messages[-1].get("role") == "tool"


def tool_call_for(body: dict[str, Any]) -> dict[str, Any] | None:
    """The shell tool call a `run: CMD` turn makes when the request offers a shell tool, with
    every argument its schema requires filled in; None otherwise.

    >>> tools = [{"type": "function", "function": {"name": "bash", "parameters": {
    ...     "required": ["command", "description"]}}}]
    >>> call = tool_call_for({"tools": tools, "messages": [{"role": "user", "content": "run: ls"}]})
    >>> call["function"]["name"], json.loads(call["function"]["arguments"])["command"]
    ('bash', 'ls')
    """
    command = _directive(body, RUN_PREFIX)
    if not command or _after_tool(body):
        return None
    offered = {tool.get("function", {}).get("name"): tool.get("function", {})
               for tool in body.get("tools") or [] if isinstance(tool, dict)}
    name = next((n for n in SHELL_TOOLS if n in offered), None)
    if name is None:
        return None
    schema = offered[name].get("parameters") or {}
    arguments: dict[str, Any] = {"command": command}
    for key in schema.get("required") or []:
        kind = (schema.get("properties") or {}).get(key, {}).get("type")
        arguments.setdefault(key, "Run the command the person asked for" if kind == "string"
                             or key == "description" else False if kind == "boolean" else 0)
    return {"id": f"call_{uuid.uuid4().hex[:12]}", "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)}}


def reply_for(body: dict[str, Any]) -> str:
    """The assistant's whole answer to this request."""
    if _is_side_request(body):
        return COMMIT_TEXT
    if _after_tool(body):
        return TOOL_DONE_TEXT
    command = _directive(body, RUN_PREFIX)
    if command:
        return f"{RUN_TEXT}\n\n```bash\n{command}\n```\n"
    path = _directive(body, CREATE_PREFIX)
    if path:
        return (f"{CREATE_TEXT}\n\n{path}\n```python\n<<<<<<< SEARCH\n=======\n"
                f'print("hello")\n>>>>>>> REPLACE\n```\n')
    return REPLY_TEXT


def _usage(text: str) -> dict[str, int]:
    return {"prompt_tokens": 1200, "completion_tokens": max(1, len(text) // 4),
            "total_tokens": 1200 + max(1, len(text) // 4)}


def _completion(text: str, call: dict[str, Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None if call else text}
    if call:
        message["tool_calls"] = [call]
    return {"id": f"chatcmpl-{uuid.uuid4().hex[:20]}", "object": "chat.completion",
            "created": int(time.time()), "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "tool_calls" if call else "stop",
                         "message": message}],
            "usage": _usage(text)}


def _chunks(text: str, *, usage: bool, call: dict[str, Any] | None = None,
            ) -> list[dict[str, Any]]:
    base = {"id": f"chatcmpl-{uuid.uuid4().hex[:20]}", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": MODEL}
    pieces = [text[i:i + _CHUNK] for i in range(0, len(text), _CHUNK)] or [""]
    chunks = [dict(base, choices=[{"index": 0, "finish_reason": None,
                                   "delta": {"role": "assistant", "content": ""}}])]
    if call:
        chunks.append(dict(base, choices=[{"index": 0, "finish_reason": None, "delta": {
            "tool_calls": [dict(call, index=0)]}}]))
    else:
        chunks += [dict(base, choices=[{"index": 0, "finish_reason": None,
                                        "delta": {"content": piece}}]) for piece in pieces]
    chunks.append(dict(base, choices=[{"index": 0, "delta": {},
                                       "finish_reason": "tool_calls" if call else "stop"}]))
    if usage:
        chunks.append(dict(base, choices=[], usage=_usage(text)))
    return chunks


class _Handler(ScriptedHandler):
    def send_data(self, payload: dict[str, Any] | str) -> None:
        # Chat Completions streams bare `data:` lines; an `event:` name would make the client
        # skip them.
        data = payload if isinstance(payload, str) else json.dumps(payload)
        self.wfile.write(f"data: {data}\n\n".encode())
        self.wfile.flush()

    def do_GET(self) -> None:
        self.record("GET")
        path = self.path.split("?", 1)[0]
        if path.endswith("/models"):
            self.send_json(200, {"object": "list", "data": [
                {"id": MODEL, "object": "model", "created": 0, "owned_by": "scripted"}]})
            return
        self.send_json(404, {"error": {"message": "not scripted", "type": "not_found"}})

    def do_POST(self) -> None:
        body = self.read_json()
        self.record("POST", body)
        path = self.path.split("?", 1)[0]
        if not path.endswith("/chat/completions"):
            self.send_json(404, {"error": {"message": "not scripted", "type": "not_found"}})
            return
        if _directive(body, QUOTA_PREFIX) is not None:
            kind, code, message = QUOTA_ERROR
            self.send_json(429, {"error": {"message": message, "type": kind,
                                           "param": None, "code": code}})
            return
        failure = failure_for(body)
        if failure:
            kind, code, message = API_ERRORS.get(failure, API_ERRORS[500])
            self.send_json(failure, {"error": {"message": message, "type": kind,
                                               "param": None, "code": code}})
            return
        text, call = reply_for(body), tool_call_for(body)
        if not body.get("stream"):
            self.pause(_seconds(body, SLOW_PREFIX))
            self.send_json(200, _completion(text, call))
            return
        usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = _chunks(text, usage=usage, call=call)
        stall_at = 1 + (len(chunks) - 2) // 2
        self.start_stream()
        self.pause(_seconds(body, SLOW_PREFIX))
        for index, chunk in enumerate(chunks):
            if index == stall_at:
                self.pause(_seconds(body, STALL_PREFIX))
            self.send_data(chunk)
        self.send_data("[DONE]")


class FakeOpenAIChatAPI(ScriptedAPI):
    handler = _Handler
    path = "/v1"


if __name__ == "__main__":  # a manual run: python -m tests.fake_openai_chat_api
    import threading

    api = FakeOpenAIChatAPI.start()
    print(api.base_url, flush=True)
    threading.Event().wait()
