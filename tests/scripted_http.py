"""The HTTP plumbing of the scripted model APIs (`fake_anthropic_api`, `fake_openai_api`): a
threaded server on a loopback port that records what it was asked, and a handler that answers
JSON or streams server-sent events. What each API answers is its own module's."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar


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
