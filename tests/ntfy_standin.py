"""An ntfy server on loopback for the notification tests: the publish API as ntfy documents
it (https://docs.ntfy.sh/publish/), checked on every request.

- `POST`/`PUT /<topic>`: the body is the message; `Title`/`X-Title`/`t`, `Priority`/
  `X-Priority`/`p` (1-5 or min, low, default, high, max, urgent), `Tags`/`X-Tags`/`ta`
  (comma-separated) as headers.
- `POST /` with a JSON object: `topic` (required), `message`, `title`, `tags` (a list of
  strings), `priority` (1-5), and the other documented fields; header options are allowed too.
- Access control when the server has users or tokens: `Authorization: Basic …` or
  `Authorization: Bearer tk_…`; else 401 with ntfy's error object.

A request that breaks these rules is answered 400 (`{"code": 40001, "http": 400, "error": …}`)
and kept in `rejected` with why; a good one is answered with ntfy's message object and kept in
`messages`. Apprise's `ntfy://` URLs publish as JSON to `/`.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
PRIORITIES = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "min": 1, "low": 2, "default": 3,
              "high": 4, "max": 5, "urgent": 5}
JSON_FIELDS = {"topic", "message", "title", "tags", "priority", "actions", "click", "attach",
               "markdown", "icon", "filename", "delay", "email", "call"}
HEADER_OPTIONS = {"x-title", "title", "t", "x-priority", "priority", "prio", "p", "x-tags",
                  "tags", "tag", "ta", "x-markdown", "markdown", "md", "x-click", "click",
                  "x-icon", "icon", "x-delay", "delay", "x-email", "email", "x-actions",
                  "actions", "x-filename", "filename"}


class Rejected(Exception):
    def __init__(self, status: int, code: int, error: str) -> None:
        super().__init__(error)
        self.status, self.code, self.error = status, code, error


@dataclass(frozen=True)
class Message:
    topic: str
    message: str
    title: str = ""
    tags: tuple[str, ...] = ()
    priority: int = 3
    auth: str = ""  # "basic:USER", "token", or "" (anonymous)
    at: float = field(default_factory=time.monotonic)


def _priority(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    if isinstance(value, str) and value.strip().lower() in PRIORITIES:
        return PRIORITIES[value.strip().lower()]
    raise Rejected(400, 40007, "invalid priority")


class _Handler(BaseHTTPRequestHandler):
    server: NtfyStandIn

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _publish(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server = self.server
        try:
            message = server.check(self.command, self.path, dict(self.headers.items()), body)
        except Rejected as why:
            with server.lock:
                server.rejected.append(f"{self.command} {self.path}: {why.error}")
            self._answer(why.status, {"code": why.code, "http": why.status, "error": why.error})
            return
        with server.lock:
            server.messages.append(message)
        now = int(time.time())
        reply: dict[str, Any] = {"id": secrets.token_hex(6), "time": now,
                                 "expires": now + 43200, "event": "message",
                                 "topic": message.topic, "message": message.message}
        if message.title:
            reply["title"] = message.title
        if message.tags:
            reply["tags"] = list(message.tags)
        if message.priority != 3:
            reply["priority"] = message.priority
        self._answer(server.answer, reply if server.answer == 200 else
                     {"code": 50001, "http": server.answer, "error": "internal server error"})

    do_POST = do_PUT = _publish

    def do_GET(self) -> None:
        self._answer(405, {"code": 40501, "http": 405, "error": "method not allowed"})

    def log_message(self, format: str, *args: object) -> None:
        pass


class NtfyStandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, users: dict[str, str] | None = None,
                 tokens: set[str] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.users = dict(users or {})
        self.tokens = set(tokens or ())
        self.messages: list[Message] = []
        self.rejected: list[str] = []
        self.answer = 200  # what a good publish is answered (500: a server failing)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> NtfyStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    # -- the rules ------------------------------------------------------------------------------

    def _auth(self, headers: dict[str, str]) -> str:
        given = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        if not self.users and not self.tokens:
            return ""
        scheme, _, value = given.partition(" ")
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                raise Rejected(401, 40101, "unauthorized") from None
            if self.users.get(user) == password:
                return f"basic:{user}"
        if scheme.lower() == "bearer" and value in self.tokens:
            return "token"
        raise Rejected(401, 40101, "unauthorized")

    def check(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Message:
        lowered = {k.lower(): v for k, v in headers.items()}
        options = {k: v for k, v in lowered.items() if k in HEADER_OPTIONS}
        auth = self._auth(headers)
        route = path.split("?", 1)[0]
        if route == "/":
            if method != "POST":
                raise Rejected(400, 40001, "JSON publish is POST /")
            try:
                data = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise Rejected(400, 40001, "body is not JSON") from None
            if not isinstance(data, dict):
                raise Rejected(400, 40001, "JSON body is not an object")
            unknown = set(data) - JSON_FIELDS
            if unknown:
                raise Rejected(400, 40001, f"unknown JSON fields {sorted(unknown)}")
            topic = data.get("topic")
            if not isinstance(topic, str) or not TOPIC.match(topic):
                raise Rejected(400, 40009, "topic missing or invalid")
            for name in ("message", "title"):
                if name in data and not isinstance(data[name], str):
                    raise Rejected(400, 40001, f"{name} is not a string")
            tags = data.get("tags", [])
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                raise Rejected(400, 40001, "tags is not a list of strings")
            header_tags = options.get("x-tags") or options.get("tags") or ""
            priority = _priority(data["priority"]) if "priority" in data else _priority(
                options.get("x-priority") or options.get("priority") or 3)
            return Message(topic, data.get("message") or "triggered",
                           data.get("title") or options.get("x-title") or "",
                           tuple(tags) + tuple(t.strip() for t in header_tags.split(",")
                                               if t.strip()), priority, auth)
        topic = route.strip("/")
        if not TOPIC.match(topic):
            raise Rejected(404, 40401, "page not found")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Rejected(400, 40001, "message is not UTF-8") from None
        title = options.get("x-title") or options.get("title") or options.get("t") or ""
        raw_priority = (options.get("x-priority") or options.get("priority")
                        or options.get("prio") or options.get("p") or 3)
        tags = (options.get("x-tags") or options.get("tags") or options.get("tag")
                or options.get("ta") or "")
        return Message(topic, text or "triggered", title,
                       tuple(t.strip() for t in tags.split(",") if t.strip()),
                       _priority(raw_priority), auth)
