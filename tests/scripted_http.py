"""The plumbing of the scripted model APIs (`fake_anthropic_api`, `fake_openai_api`,
`fake_openai_chat_api`, `fake_gemini_api`): a threaded server on a loopback port that records
what it was asked, a handler that answers JSON or streams server-sent events, and the reading
of the directives a prompt gives the script (`slow: 8`, `fail: 429`). What each API answers,
and where its prompt is in a request, is its own module's.

>>> directive("please\\nSlow: 8 now", "slow:"), directive("hello", "slow:")
('8 now', None)
>>> seconds("8 now"), seconds(None), seconds("soon"), status("429"), status(""), status(None)
(8.0, 0.0, 0.0, 429, 500, 0)
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar


def directive(prompt: str, prefix: str) -> str | None:
    """What follows `prefix` (`"slow:"`) on the first line of `prompt` that starts with it,
    whatever its case; None when no line does."""
    for line in prompt.splitlines():
        if line.strip().lower().startswith(prefix):
            return line.strip()[len(prefix):].strip()
    return None


def seconds(value: str | None) -> float:
    """The number of seconds a directive's value starts with; 0 for none or a bad one."""
    try:
        return max(0.0, float(value.split()[0])) if value else 0.0
    except ValueError:
        return 0.0


def status(value: str | None) -> int:
    """The HTTP status a `fail:` directive's value names: 0 without the directive, 500 when it
    names none."""
    if value is None:
        return 0
    words = value.split()
    return int(words[0]) if words and words[0].isdigit() else 500


class ScriptedHandler(BaseHTTPRequestHandler):
    server: ScriptedServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read no access log
        pass

    def send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def record(self, method: str, body: dict[str, Any] | None = None) -> None:
        with self.server.lock:
            self.server.calls.append((method, self.path))
            if body is not None:
                self.server.requests.append(body)

    def start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def send_event(self, name: str, payload: dict[str, Any]) -> None:
        self.wfile.write(f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode())
        self.wfile.flush()

    def pause(self, seconds: float) -> None:
        """Hold the answer; a server stopping ends the wait at once."""
        self.server.stopping.wait(seconds)


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[ScriptedHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.requests: list[dict[str, Any]] = []
        self.calls: list[tuple[str, str]] = []


class ScriptedAPI:
    """The server, run on a thread: `start()`, `base_url`, `requests`, `calls`, `stop()`.
    Subclasses name their `handler` and the `path` their clients are given."""

    handler: ClassVar[type[ScriptedHandler]]
    path: ClassVar[str] = ""

    def __init__(self, server: ScriptedServer, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread

    @classmethod
    def start(cls):
        server = ScriptedServer(cls.handler)
        thread = threading.Thread(target=server.serve_forever, name=cls.__name__, daemon=True)
        thread.start()
        return cls(server, thread)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.path}"

    @property
    def requests(self) -> list[dict[str, Any]]:
        with self._server.lock:
            return list(self._server.requests)

    @property
    def calls(self) -> list[tuple[str, str]]:
        with self._server.lock:
            return list(self._server.calls)

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @classmethod
    def serve(cls, dump: str | None = None) -> None:
        """Run until killed, printing the base URL; with `dump`, append each request's body to
        that file as a JSON line (for a manual look at what a real CLI asks)."""
        import time

        api = cls.start()
        print(api.base_url, flush=True)
        written = 0
        while True:
            requests = api.requests
            if dump is not None and len(requests) > written:
                with open(dump, "a", encoding="utf-8") as file:
                    file.writelines(json.dumps(body) + "\n" for body in requests[written:])
                written = len(requests)
            time.sleep(0.2)
