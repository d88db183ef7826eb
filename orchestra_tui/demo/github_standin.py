"""A GitHub stand-in on loopback: real HTTP, GitHub-shaped REST and GraphQL, in-memory state.

Used by `orchestra demo` and by the tests (stdlib only, so the demo ships it):

    standin = StandIn()
    standin.seed_demo()
    url = standin.start()          # http://127.0.0.1:PORT ; GraphQL at {url}/graphql
    # ORCHESTRA_GITHUB_API=url GH_TOKEN=anything orchestra inbox
    standin.stop()

or `python -m orchestra_tui.demo.github_standin --port 8765`.

State changes as orchestra acts: resolving a thread flips `isResolved`, a merge pinned to a stale
SHA answers 409 and merges nothing, update-branch answers 202 and the PR stops being behind
shortly after. Faults for tests: `inject(status, times=, path=, body=, delay=)`; `body` picks one
repository's GraphQL queries (`body=r'"name": "docs"'`), all of which go to one path.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from orchestra_tui.demo import standin_state as st
from orchestra_tui.demo.standin_gql import (
    Executor,
    FieldError,
    GraphQLSyntaxError,
    operation_name,
    parse,
)
from orchestra_tui.demo.standin_graph import mutation_root, query_root
from orchestra_tui.demo.standin_rest import RestRoutes
from orchestra_tui.demo.standin_state import GRAPHQL_LIMIT, REST_LIMIT, SPull, SRepo


@dataclass
class Fault:
    """Answer matching requests with `status` (after `delay` seconds); `times` None = forever."""

    status: int | None = None
    times: int | None = 1
    path: str | None = None  # regex searched in the request path
    body: str | None = None  # regex searched in the request body (a GraphQL query's variables)
    delay: float = 0.0
    reset_in: float = 60.0  # 403/429: seconds until X-RateLimit-Reset / Retry-After
    message: str | None = None
    rate_limited: bool | None = None  # 403/429: limit headers (default: yes)

    def matches(self, path: str, body: str = "") -> bool:
        return ((self.path is None or re.search(self.path, path) is not None)
                and (self.body is None or re.search(self.body, body) is not None))


class StandIn:
    """The stand-in server. Thread-safe: handlers run in threads and share one lock."""

    def __init__(self, token: str | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.token = token  # None accepts any non-empty token
        # Epoch seconds for rate-limit resets and update-branch landing; a test may move it.
        self.clock = clock
        self.repos: dict[str, SRepo] = {}
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, int]] = []  # (method, path, status)
        self.responses: list[tuple[str, str, int, Any]] = []  # (method, path, status, JSON body)
        self.graphql_exchanges: list[tuple[str, dict, dict]] = []  # (document, variables, answer)
        self.conditional_hits = 0  # 304s served for If-None-Match
        self.graphql_log: list[tuple[str | None, int, int]] = []  # (operation, cost, nodes)
        self.graphql_remaining = GRAPHQL_LIMIT
        self.rest_remaining = REST_LIMIT
        self.reset_at = int(clock()) + 3600
        self.merges: list[tuple[str, int, str]] = []  # (repo, number, merged head sha)
        self.errors: list[str] = []  # unexpected handler exceptions (tests assert it stays empty)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.url = ""

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        standin = self

        class Handler(_Handler):
            owner = standin

        server = _Server((host, port), Handler)
        server.standin = self
        server.daemon_threads = True
        server.block_on_close = False  # a handler sleeping in an injected delay can't hold stop
        self._server = server
        self._stopping.clear()
        self.url = f"http://{host}:{server.server_address[1]}"
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                                        name="github-standin",
                                        daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._stopping.set()
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

    # -- test controls -------------------------------------------------------------------------

    def inject(self, status: int | None = None, *, times: int | None = 1, path: str | None = None,
               body: str | None = None, delay: float = 0.0, reset_in: float = 60.0,
               message: str | None = None, rate_limited: bool | None = None) -> Fault:
        """Answer the next `times` requests whose path matches `path` and whose body matches
        `body` (regexes) with `status` after `delay` seconds (status None: answer normally
        after the delay). 403 and 429 come with exhausted rate-limit headers resetting
        `reset_in` seconds after `clock()` (429 with Retry-After) unless
        `rate_limited=False`."""
        fault = Fault(status, times, path, body, delay, reset_in, message, rate_limited)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def add_repo(self, full_name: str, **kwargs: Any) -> SRepo:
        owner, name = full_name.split("/")
        repo = SRepo(owner, name, **kwargs)
        with self.lock:
            self.repos[full_name.lower()] = repo
        return repo

    def repo(self, full_name: str) -> SRepo | None:
        return self.repos.get(full_name.lower())

    def pull(self, full_name: str, number: int) -> SPull:
        repo = self.repo(full_name)
        if repo is None or number not in repo.pulls:
            raise KeyError(f"{full_name}#{number}")
        return repo.pulls[number]

    def push(self, full_name: str, number: int) -> str:
        """Simulate the agent pushing a commit to a PR: the head SHA moves."""
        with self.lock:
            pr = self.pull(full_name, number)
            pr.head_sha = st.sha_of("push", pr.head_sha)
            pr.updated_at = st.now_iso()
            return pr.head_sha

    def advance_base(self, full_name: str, commits: int = 1) -> None:
        """Simulate commits landing on the base: every open PR falls behind."""
        with self.lock:
            repo = self.repo(full_name)
            assert repo is not None
            repo.base_sha = st.sha_of("base", repo.base_sha, commits)
            for pr in repo.pulls.values():
                if pr.state == "OPEN":
                    pr.behind_by += commits

    def seed_demo(self) -> StandIn:
        """The demo's world; see `standin_seed.seed_demo`."""
        from orchestra_tui.demo.standin_seed import seed_demo

        seed_demo(self)
        return self

    # -- request handling (called from handler threads) ----------------------------------------

    def _tick(self) -> None:
        now = self.clock()
        for repo in self.repos.values():
            for pr in repo.pulls.values():
                if pr.update_ready_at is not None and now >= pr.update_ready_at:
                    pr.update_ready_at = None
                    pr.behind_by = 0
                    pr.head_sha = st.sha_of("update-branch", pr.head_sha, repo.base_sha)
                    pr.updated_at = st.now_iso()

    def _take_fault(self, path: str, body: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(path, body):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None

    def rate_headers(self, resource: str) -> dict[str, str]:
        remaining = self.graphql_remaining if resource == "graphql" else self.rest_remaining
        limit = GRAPHQL_LIMIT if resource == "graphql" else REST_LIMIT
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, remaining)),
                "X-RateLimit-Used": str(limit - max(0, remaining)),
                "X-RateLimit-Reset": str(self.reset_at), "X-RateLimit-Resource": resource}


class _Server(ThreadingHTTPServer):
    standin: StandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that hangs up (timeouts, a cancelled refresh) is normal; anything
        else is recorded for the tests rather than printed over the demo's screen."""
        import sys
        import traceback

        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        self.standin.errors.append("".join(traceback.format_exception(error)))


class _Handler(RestRoutes, BaseHTTPRequestHandler):
    owner: StandIn
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

    # -- plumbing --------------------------------------------------------------------------

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        with self.owner.lock:  # logged before the client can read the answer
            self.owner.log.append((self.command, self.path, status))
            self.owner.responses.append((self.command, self.path, status, body))
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, st.error_json(message, status), headers)

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

    def _authorized(self) -> bool:
        value = self.headers.get("Authorization") or ""
        match = re.fullmatch(r"(?i)(bearer|token)\s+(\S+)", value.strip())
        if not match:
            return False
        return self.owner.token is None or match.group(2) == self.owner.token

    def _dispatch(self, method: str) -> None:
        owner = self.owner
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        raw, body = self._body() if method in ("POST", "PUT", "PATCH") else ("", {})
        resource = "graphql" if path.rstrip("/") == "/graphql" else "core"
        fault = owner._take_fault(path, raw)
        if fault is not None:
            if fault.delay:
                owner._stopping.wait(fault.delay)
            if fault.status is not None:
                self._fault(fault, resource)
                return
        if not self._authorized():
            self._error(401, "Bad credentials")
            return
        with owner.lock:
            owner._tick()
            if resource == "graphql":
                self._graphql(body)
                return
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            self._rest(method, path, query, body)

    def _fault(self, fault: Fault, resource: str) -> None:
        status = fault.status or 500
        reset = int(self.owner.clock() + fault.reset_in)
        headers = self.owner.rate_headers(resource)
        if status in (403, 429) and fault.rate_limited is not False:
            headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
            if status == 429:
                headers["Retry-After"] = str(int(fault.reset_in))
            message = fault.message or ("API rate limit exceeded for user ID 1. If you reach out "
                                        "to GitHub Support for help, please include the request "
                                        "ID.")
        else:
            message = fault.message or {401: "Bad credentials", 404: "Not Found",
                                        500: "Server Error", 502: "Server Error",
                                        503: "Service Unavailable"}.get(status, "Error")
        self._error(status, message, headers)

    # -- GraphQL ---------------------------------------------------------------------------

    def _graphql(self, body: Any) -> None:
        owner = self.owner
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            self._send(400, {"message": "Problems parsing JSON", "documentation_url": st.DOCS})
            return
        text = body["query"]
        variables = body.get("variables") or {}
        op = body.get("operationName") or operation_name(text)
        try:
            executor = Executor(parse(text), variables, body.get("operationName"))
            cost, nodes = executor.cost()
            is_mutation = executor.op.kind == "mutation"
            points = 1 if is_mutation else cost
            owner.graphql_remaining -= points
            owner.graphql_log.append((op, points, nodes))
            root = mutation_root(owner) if is_mutation else query_root(owner, cost, nodes)
            result = executor.run(root)
        except (GraphQLSyntaxError, FieldError, KeyError) as error:
            message = getattr(error, "message", None) or str(error)
            result = {"errors": [{"message": message, "locations": []}]}
        owner.graphql_exchanges.append((text, dict(variables), result))
        self._send(200, result, owner.rate_headers("graphql"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="GitHub stand-in on loopback (demo data)")
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


if __name__ == "__main__":
    raise SystemExit(main())
