"""A GitHub stand-in on loopback: real HTTP, GitHub-shaped REST and GraphQL, in-memory state.

Used by `orchestra demo` and by the tests (stdlib only, so the demo ships it):

    standin = StandIn()
    standin.seed_demo()
    url = standin.start()          # http://127.0.0.1:PORT ; GraphQL at {url}/graphql
    # ORCHESTRA_GITHUB_API=url GH_TOKEN=anything orchestra inbox
    standin.stop()

or `python -m orchestra_tui.demo.standin --port 8765`.

State changes as orchestra acts: resolving a thread flips `isResolved`, a merge pinned to a stale
SHA answers 409 and merges nothing, update-branch answers 202 and the PR stops being behind
shortly after. Faults for tests: `inject(status, times=, path=, body=, delay=)`; `body` picks one
repository's GraphQL queries (`body=r'"name": "docs"'`), all of which go to one path.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from orchestra_tui.demo.standin.backend import Backend, Reply, error_reply
from orchestra_tui.demo.standin.checks import LOG_BLOBS
from orchestra_tui.demo.standin.graph import graphql_reply
from orchestra_tui.demo.standin.rest import RestRequest, RestRoutes
from orchestra_tui.demo.standin.seed import seed_demo


class StandIn(Backend):
    """The stand-in's GitHub (`Backend`: the world, faults, the record) served over HTTP on
    loopback, one thread per request."""

    def __init__(self, token: str | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(token, clock=clock)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # Set while stopping: a request sleeping in an injected delay wakes and answers.
        self.stopping = threading.Event()

    def seed_demo(self) -> StandIn:
        """The demo's world; see `seed.seed_demo`."""
        seed_demo(self)
        return self

    def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        server = _Server((host, port), self)
        self._server = server
        self.stopping.clear()
        self.url = f"http://{host}:{server.server_address[1]}"
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                                        name="github-standin", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> StandIn:
        if not self.url:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler sleeping in an injected delay can't hold stop

    def __init__(self, address: tuple[str, int], standin: StandIn) -> None:
        self.standin = standin
        self.rest = RestRoutes(standin)
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that hangs up (timeouts, a cancelled refresh) is normal; anything
        else is recorded for the tests rather than printed over the demo's screen."""
        error = sys.exc_info()[1]
        if error is None or isinstance(error, (ConnectionError, TimeoutError)):
            return
        self.standin.errors.append("".join(traceback.format_exception(error)))


class _Handler(BaseHTTPRequestHandler):
    """HTTP in and out; what to answer is the backend's and its routes'."""

    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        self._send(self._answer(method))

    def _answer(self, method: str) -> Reply:
        standin = self.server.standin
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        raw, body = self._body() if method in ("POST", "PUT", "PATCH") else ("", {})
        resource = "graphql" if path.rstrip("/") == "/graphql" else "core"
        fault = standin.take_fault(path, raw)
        if fault is not None:
            if fault.delay:
                standin.stopping.wait(fault.delay)
            if fault.status is not None:
                return standin.fault_reply(fault, resource)
        if not standin.authorized(self.headers.get("Authorization") or ""):
            return error_reply(401, "Bad credentials")
        with standin.lock:
            standin.land_due_updates()
            if resource == "graphql":
                return graphql_reply(standin, body)
            if path.startswith(LOG_BLOBS):
                return self.server.rest.log_blob(path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            return self.server.rest.answer(RestRequest(
                method, path, parts.path, query, body, self.headers.get("If-None-Match")))

    def _body(self) -> tuple[str, Any]:
        """The request body as text and as parsed JSON ({} when empty, None when not JSON)."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        text = raw.decode("utf-8", "replace")
        if not raw:
            return text, {}
        try:
            return text, json.loads(raw)
        except ValueError:
            return text, None

    def _send(self, reply: Reply) -> None:
        text = isinstance(reply.body, str)  # a job's log: plain text
        payload = (b"" if reply.body is None else reply.body.encode() if text
                   else json.dumps(reply.body).encode())
        self.server.standin.record(self.command, self.path, reply)
        self.send_response(reply.status)
        if reply.body is not None and "Content-Type" not in reply.headers:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestra_tui.demo.standin",
                                     description="GitHub stand-in on loopback (demo data)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--empty", action="store_true", help="start without the demo data")
    args = parser.parse_args(argv)
    standin = StandIn()
    if not args.empty:
        standin.seed_demo()
    url = standin.start(args.port, args.host)
    print(f"GitHub stand-in at {url}  (ORCHESTRA_GITHUB_API={url} GH_TOKEN=demo)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()
    return 0
