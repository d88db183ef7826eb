"""A scripted Gemini API (generativelanguage `v1beta`) on loopback, enough for the real Gemini
CLI to run a turn offline: it streams text or a call of Gemini's shell tool the way the API does
(server-sent `data:` lines, one `GenerateContentResponse` each).

The script is the conversation itself, so the server keeps no state between requests:

- the person's last prompt `run: CMD` makes the model call `run_shell_command` with `CMD`;
- a function's response as the last part ends the turn with a short text;
- `slow: N` answers after N seconds (Gemini shows its working row meanwhile);
- `fail: STATUS` answers with that HTTP error as the API words it (400 a key the API refuses,
  401 unauthenticated, 429 a spent quota, 500 an internal error, 503 an overloaded model);
- any other prompt, and every side request Gemini makes without tools, gets a one-line text.

>>> server = FakeGeminiAPI.start()
>>> server.base_url.startswith("http://127.0.0.1:")
True
>>> body = {"tools": [{"functionDeclarations": [{"name": "run_shell_command"}]}],
...         "contents": [{"role": "user", "parts": [{"text": "run: ls"}]}]}
>>> reply_for(body)["functionCall"]["name"], reply_for(body)["functionCall"]["args"]["command"]
('run_shell_command', 'ls')
>>> failure_for({"tools": [{}], "contents": [{"role": "user", "parts": [{"text": "fail: 429"}]}]})
429
>>> server.stop()
"""

from __future__ import annotations

import json
from typing import Any

from tests.scripted_http import ScriptedAPI, ScriptedHandler, directive, seconds, status

MODEL = "gemini-2.5-pro"
SHELL_TOOL = "run_shell_command"
RUN_PREFIX = "run:"
SLOW_PREFIX = "slow:"
FAIL_PREFIX = "fail:"
# How the API words its errors, by HTTP status: (status, message, details).
API_ERRORS: dict[int, tuple[str, str, list[dict[str, Any]]]] = {
    400: ("INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
          [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
            "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com"}}]),
    401: ("UNAUTHENTICATED",
          "Request had invalid authentication credentials. Expected OAuth 2 access token, "
          "login cookie or other valid authentication credential.",
          [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED", "domain": "googleapis.com"}]),
    429: ("RESOURCE_EXHAUSTED",
          "You exceeded your current quota, please check your plan and billing details. For "
          "more information on this error, head to: "
          "https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: "
          "generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, "
          "model: gemini-2.5-pro",
          [{"@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [{"quotaMetric": "generativelanguage.googleapis.com/"
                                           "generate_content_free_tier_requests",
                            "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                            "quotaDimensions": {"location": "global",
                                                "model": "gemini-2.5-pro"}}]},
           {"@type": "type.googleapis.com/google.rpc.Help",
            "links": [{"description": "Learn more about Gemini API quotas",
                       "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]}]),
    500: ("INTERNAL", "An internal error has occurred. Please retry or report in "
          "https://developers.generativeai.google/guide/troubleshooting", []),
    503: ("UNAVAILABLE", "The model is overloaded. Please try again later.", []),
}
DONE_TEXT = "Finished: the command ran."
REPLY_TEXT = "Hello from the scripted API."


def _contents(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in body.get("contents") or [] if isinstance(item, dict)]


def _parts(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [part for part in item.get("parts") or [] if isinstance(part, dict)]


def _last_prompt(body: dict[str, Any]) -> str:
    """The person's last typed text (Gemini's own context arrives as `<...>` blocks)."""
    for item in reversed(_contents(body)):
        if item.get("role") != "user":
            continue
        texts = [part["text"] for part in _parts(item) if isinstance(part.get("text"), str)]
        typed = [text for text in texts if not text.lstrip().startswith("<")]
        if typed:
            return "\n".join(typed).strip()
    return ""


def _answers_a_call(body: dict[str, Any]) -> bool:
    contents = _contents(body)
    return bool(contents) and any("functionResponse" in part for part in _parts(contents[-1]))


def _directive(body: dict[str, Any], prefix: str) -> str | None:
    """A directive of a turn's prompt (not of side requests)."""
    if not body.get("tools") or _answers_a_call(body):
        return None
    return directive(_last_prompt(body), prefix)


def failure_for(body: dict[str, Any]) -> int:
    """The HTTP status a turn whose prompt says `fail: STATUS` answers with, else 0."""
    return status(_directive(body, FAIL_PREFIX))


def delay_for(body: dict[str, Any]) -> float:
    """Seconds to hold the answer: N for a turn whose prompt says `slow: N`, else 0."""
    return seconds(_directive(body, SLOW_PREFIX))


def reply_for(body: dict[str, Any]) -> dict[str, Any]:
    """The part the model answers with: `text` or a `functionCall` of the shell tool."""
    command = _directive(body, RUN_PREFIX)
    if command:
        return {"functionCall": {"name": SHELL_TOOL,
                                 "args": {"command": command,
                                          "description": "Run the requested command"}}}
    return {"text": DONE_TEXT if _answers_a_call(body) else REPLY_TEXT}


def _fitting(schema: dict[str, Any]) -> Any:
    """The smallest value `schema` accepts: Gemini's side requests (its model router, its
    next-speaker check) ask for JSON of a given shape and retry anything else."""
    kind = str(schema.get("type", "object")).lower()
    if schema.get("enum"):
        return schema["enum"][0]
    if kind == "object":
        return {name: _fitting(sub) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return max(1, int(schema.get("minimum", 1)))
    if kind == "boolean":
        return False
    return "scripted"


def json_reply_for(body: dict[str, Any]) -> dict[str, Any] | None:
    """The text part answering a request for JSON, else None.

    >>> json_reply_for({"generationConfig": {"responseMimeType": "application/json",
    ...     "responseJsonSchema": {"type": "OBJECT", "properties": {
    ...         "complexity_score": {"type": "INTEGER"}}}}})
    {'text': '{"complexity_score": 1}'}
    """
    config = body.get("generationConfig") or {}
    if config.get("responseMimeType") != "application/json":
        return None
    schema = config.get("responseJsonSchema") or config.get("responseSchema") or {}
    return {"text": json.dumps(_fitting(schema))}


def _chunk(part: dict[str, Any]) -> dict[str, Any]:
    return {"candidates": [{"content": {"role": "model", "parts": [part]},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 1200, "candidatesTokenCount": 12,
                              "totalTokenCount": 1212},
            "modelVersion": MODEL, "responseId": "scripted"}


class _Handler(ScriptedHandler):
    def send_error_status(self, status: int) -> None:
        kind, message, details = API_ERRORS.get(status, API_ERRORS[500])
        self.send_json(status, {"error": {"code": status, "message": message, "status": kind,
                                          "details": details}})

    def do_GET(self) -> None:
        self.record("GET")
        path = self.path.split("?", 1)[0]
        if path.endswith("/models"):
            self.send_json(200, {"models": [{"name": f"models/{MODEL}",
                                             "inputTokenLimit": 1048576}]})
            return
        self.send_json(404, {"error": {"code": 404, "message": "not scripted",
                                       "status": "NOT_FOUND"}})

    def do_POST(self) -> None:
        body = self.read_json()
        self.record("POST", body)
        path = self.path.split("?", 1)[0]
        if path.endswith(":countTokens"):
            self.send_json(200, {"totalTokens": 1200})
            return
        if path.endswith(":embedContent") or path.endswith(":batchEmbedContents"):
            self.send_json(200, {"embeddings": [{"values": [0.0] * 8}]})
            return
        if not (path.endswith(":streamGenerateContent") or path.endswith(":generateContent")):
            self.send_json(404, {"error": {"code": 404, "message": "not scripted",
                                           "status": "NOT_FOUND"}})
            return
        failure = failure_for(body)
        if failure:
            self.send_error_status(failure)
            return
        chunk = _chunk(json_reply_for(body) or reply_for(body))
        if path.endswith(":generateContent"):
            self.send_json(200, chunk)
            return
        self.start_stream()
        self.pause(delay_for(body))
        self.wfile.write(f"data: {json.dumps(chunk)}\r\n\r\n".encode())
        self.wfile.flush()


class FakeGeminiAPI(ScriptedAPI):
    handler = _Handler


if __name__ == "__main__":  # a manual run: python -m tests.fake_gemini_api [DUMP_FILE]
    import sys

    FakeGeminiAPI.serve(sys.argv[1] if len(sys.argv) > 1 else None)
