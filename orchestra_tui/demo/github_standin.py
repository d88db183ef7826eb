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
shortly after. Faults for tests: `inject(status, times=, path=, delay=)`.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
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
from orchestra_tui.demo.standin_state import SCheck, SComment, SIssue, SPull, SRepo, SThread

GRAPHQL_LIMIT = 5000
REST_LIMIT = 5000
UPDATE_BRANCH_DELAY = 0.2  # seconds until an accepted update-branch lands


@dataclass
class Fault:
    """Answer matching requests with `status` (after `delay` seconds); `times` None = forever."""

    status: int | None = None
    times: int | None = 1
    path: str | None = None  # regex searched in the request path
    delay: float = 0.0
    reset_in: float = 60.0  # 403/429: seconds until X-RateLimit-Reset / Retry-After
    message: str | None = None
    rate_limited: bool | None = None  # 403/429: limit headers (default: yes)

    def matches(self, path: str) -> bool:
        return self.path is None or re.search(self.path, path) is not None


class StandIn:
    """The stand-in server. Thread-safe: handlers run in threads and share one lock."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token  # None accepts any non-empty token
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
        self.reset_at = int(time.time()) + 3600
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
               delay: float = 0.0, reset_in: float = 60.0, message: str | None = None,
               rate_limited: bool | None = None) -> Fault:
        """Answer the next `times` requests whose path matches `path` (a regex) with `status`
        after `delay` seconds (status None: answer normally after the delay). 403 and 429 come
        with exhausted rate-limit headers resetting in `reset_in` seconds (429 with
        Retry-After) unless `rate_limited=False`."""
        fault = Fault(status, times, path, delay, reset_in, message, rate_limited)
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
        now = time.time()
        for repo in self.repos.values():
            for pr in repo.pulls.values():
                if pr.update_ready_at is not None and now >= pr.update_ready_at:
                    pr.update_ready_at = None
                    pr.behind_by = 0
                    pr.head_sha = st.sha_of("update-branch", pr.head_sha, repo.base_sha)
                    pr.updated_at = st.now_iso()

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(path):
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


class _Handler(BaseHTTPRequestHandler):
    owner: StandIn
    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet server
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_PATCH(self) -> None:  # noqa: N802
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:  # noqa: N802
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

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return None

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
        body = self._body() if method in ("POST", "PUT", "PATCH") else {}
        resource = "graphql" if path.rstrip("/") == "/graphql" else "core"
        fault = owner._take_fault(path)
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
        reset = int(time.time() + fault.reset_in)
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
            root = _mutation_root(owner) if is_mutation else _query_root(owner, cost, nodes)
            result = executor.run(root)
        except (GraphQLSyntaxError, FieldError, KeyError) as error:
            message = getattr(error, "message", None) or str(error)
            result = {"errors": [{"message": message, "locations": []}]}
        owner.graphql_exchanges.append((text, dict(variables), result))
        self._send(200, result, owner.rate_headers("graphql"))

    # -- REST ------------------------------------------------------------------------------

    def _rest(self, method: str, path: str, query: dict[str, str], body: Any) -> None:
        owner = self.owner
        api = owner.url
        headers = owner.rate_headers("core")
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        repo = owner.repo(f"{match.group(1)}/{match.group(2)}") if match else None
        if match is None or repo is None:
            self._error(404, "Not Found", headers)
            return
        owner.rest_remaining -= 1
        rest = match.group(3) or ""
        for pattern, verb, handler in _ROUTES:
            found = re.fullmatch(pattern, rest)
            if found and verb == method:
                handler(self, repo, api, query, body, headers, *found.groups())
                return
        self._error(404, "Not Found", headers)

    def _page(self, items: list[Any], query: dict[str, str], headers: dict[str, str]) -> None:
        per_page = max(1, min(100, int(query.get("per_page") or 30)))
        page = max(1, int(query.get("page") or 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        links = []
        base = f"{self.owner.url}{urlsplit(self.path).path}"
        pages = max(1, -(-len(items) // per_page))
        extra = "&".join(f"{k}={v}" for k, v in query.items() if k not in ("page", "per_page"))
        extra = f"&{extra}" if extra else ""
        if page < pages:
            links.append(f'<{base}?per_page={per_page}&page={page + 1}{extra}>; rel="next"')
            links.append(f'<{base}?per_page={per_page}&page={pages}{extra}>; rel="last"')
        if page > 1:
            links.append(f'<{base}?per_page={per_page}&page=1{extra}>; rel="first"')
            links.append(f'<{base}?per_page={per_page}&page={page - 1}{extra}>; rel="prev"')
        if links:
            headers = {**headers, "Link": ", ".join(links)}
        self._send(200, chunk, headers)

    def _compare(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
                 base: str, head: str) -> None:
        pr = next((p for p in repo.pulls.values()
                   if head in (p.head_sha, p.head_ref) and p.base_ref == base), None)
        if pr is None:
            self._error(404, "Not Found", headers)
            return
        per_page = max(1, min(100, int(query.get("per_page") or 30)))
        data = st.comparison_json(api, repo, base, head, pr, per_page)
        etag = '"' + st.sha_of(json.dumps(data, sort_keys=True)) + '"'
        wanted = self.headers.get("If-None-Match")
        if wanted and wanted.strip() in (etag, f"W/{etag}"):
            self.owner.conditional_hits += 1
            self.owner.rest_remaining += 1  # a 304 is free
            self._send(304, None, {**headers, "ETag": etag})
            return
        self._send(200, data, {**headers, "ETag": etag, "Cache-Control": "private, max-age=60"})

    def _merge(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
               number: str) -> None:
        pr = repo.pulls.get(int(number))
        if pr is None:
            self._error(404, "Not Found", headers)
            return
        body = body if isinstance(body, dict) else {}
        method = body.get("merge_method", "merge")
        if method not in ("merge", "squash", "rebase"):
            self._send(422, {"message": "Invalid request.", "documentation_url": st.DOCS,
                             "errors": [{"resource": "PullRequest", "field": "merge_method",
                                         "code": "invalid"}]}, headers)
            return
        sha = body.get("sha")
        if pr.state == "OPEN" and sha and sha != pr.head_sha:
            self._send(409, {"message": "Head branch was modified. Review and try the merge "
                                        "again.",
                             "documentation_url": "https://docs.github.com/rest/pulls/pulls"
                                                  "#merge-a-pull-request"}, headers)
            return
        refusal = st.merge_refusal(repo, pr)
        if refusal:
            self._send(405, {"message": refusal,
                             "documentation_url": "https://docs.github.com/rest/pulls/pulls"
                                                  "#merge-a-pull-request"}, headers)
            return
        merged = st.sha_of("merge", pr.head_sha, repo.base_sha)
        pr.state, pr.merge_commit = "MERGED", merged
        self.owner.merges.append((repo.full_name, pr.number, pr.head_sha))
        repo.base_sha = merged
        for other in repo.pulls.values():
            if other.state == "OPEN":
                other.behind_by += 1
        self._send(200, {"sha": merged, "merged": True,
                         "message": "Pull Request successfully merged"}, headers)

    def _update_branch(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
                       number: str) -> None:
        pr = repo.pulls.get(int(number))
        if pr is None or pr.state != "OPEN":
            self._error(404 if pr is None else 422, "Not Found" if pr is None
                        else "Pull request is not open", headers)
            return
        expected = (body or {}).get("expected_head_sha") if isinstance(body, dict) else None
        if expected and expected != pr.head_sha:
            self._send(422, {"message": "expected head sha didn’t match current head ref.",
                             "documentation_url": st.DOCS}, headers)
            return
        if pr.update_ready_at is None:
            pr.update_ready_at = time.time() + UPDATE_BRANCH_DELAY
        self._send(202, {"message": "Updating pull request branch.",
                         "url": f"https://github.com/{repo.full_name}/pull/{pr.number}"}, headers)

    def _issues(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict) -> None:
        wanted = query.get("state", "open")
        items: list[SIssue | SPull] = [*repo.issues.values(), *repo.pulls.values()]
        items = [i for i in items if wanted == "all" or (i.state.lower() == "open") == (
            wanted == "open")]
        items.sort(key=lambda i: i.number, reverse=True)
        self._page([st.issue_json(api, repo, i) for i in items], query, headers)

    def _issue(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
               number: str) -> None:
        item = repo.issues.get(int(number)) or repo.pulls.get(int(number))
        if item is None:
            self._error(404, "Not Found", headers)
            return
        self._send(200, st.issue_json(api, repo, item), headers)

    def _comments(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
                  number: str) -> None:
        item = repo.issues.get(int(number)) or repo.pulls.get(int(number))
        if item is None:
            self._error(404, "Not Found", headers)
            return
        self._page([st.comment_json(api, repo, item.number, c) for c in item.comments], query,
                   headers)

    def _comment(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
                 number: str) -> None:
        item = repo.issues.get(int(number)) or repo.pulls.get(int(number))
        if item is None:
            self._error(404, "Not Found", headers)
            return
        text = body.get("body") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            self._send(422, {"message": "Validation Failed", "documentation_url": st.DOCS,
                             "errors": [{"resource": "IssueComment", "field": "body",
                                         "code": "missing_field"}]}, headers)
            return
        comment = SComment("octo-person", text, st.now_iso())
        item.comments.append(comment)
        url = f"{api}/repos/{repo.full_name}/issues/comments/{comment.id}"
        self._send(201, st.comment_json(api, repo, item.number, comment),
                   {**headers, "Location": url})


_ROUTES = [
    (r"/compare/(.+?)\.\.\.(.+)", "GET", _Handler._compare),
    (r"/pulls/(\d+)/merge", "PUT", _Handler._merge),
    (r"/pulls/(\d+)/update-branch", "PUT", _Handler._update_branch),
    (r"/issues", "GET", _Handler._issues),
    (r"/issues/(\d+)", "GET", _Handler._issue),
    (r"/issues/(\d+)/comments", "GET", _Handler._comments),
    (r"/issues/(\d+)/comments", "POST", _Handler._comment),
]


def _query_root(standin: StandIn, cost: int, nodes: int) -> dict[str, Any]:
    def rate_limit(dryRun: bool = False) -> dict[str, Any]:  # noqa: N803
        return {"__typename": "RateLimit", "cost": cost, "limit": GRAPHQL_LIMIT,
                "remaining": max(0, standin.graphql_remaining),
                "used": GRAPHQL_LIMIT - max(0, standin.graphql_remaining),
                "resetAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(standin.reset_at)),
                "nodeCount": nodes}

    def repository(owner: str, name: str, followRenames: bool = True) -> dict[str, Any]:  # noqa: N803
        repo = standin.repo(f"{owner}/{name}")
        if repo is None:
            raise FieldError(f"Could not resolve to a Repository with the name '{owner}/{name}'.",
                             "NOT_FOUND")
        return _repo_obj(repo)

    return {"__typename": "Query", "rateLimit": rate_limit, "repository": repository}


def _repo_obj(repo: SRepo) -> dict[str, Any]:
    def pull_requests(states: list[str] | None = None, orderBy: dict | None = None,  # noqa: N803
                      **page: Any) -> dict[str, Any]:
        from orchestra_tui.demo.standin_gql import connection

        pulls = [p for p in repo.pulls.values() if not states or p.state in states]
        if orderBy and orderBy.get("field") == "UPDATED_AT":
            pulls.sort(key=lambda p: p.updated_at, reverse=orderBy.get("direction") == "DESC")
        for key in ("labels", "headRefName", "baseRefName"):
            page.pop(key, None)
        return connection([st.pull_obj(repo, p) for p in pulls], name="pullRequests", **page)

    def pull_request(number: int) -> dict[str, Any]:
        pr = repo.pulls.get(number)
        if pr is None:
            raise FieldError(f"Could not resolve to a PullRequest with the number of {number}.",
                             "NOT_FOUND")
        return st.pull_obj(repo, pr)

    return {"__typename": "Repository", "nameWithOwner": repo.full_name, "name": repo.name,
            "viewerPermission": "WRITE", "squashMergeAllowed": True, "mergeCommitAllowed": True,
            "rebaseMergeAllowed": True, "pullRequests": pull_requests,
            "pullRequest": pull_request}


def _mutation_root(owner: StandIn) -> dict[str, Any]:
    def find_thread(thread_id: str) -> tuple[SRepo, SPull, SThread]:
        for repo in owner.repos.values():
            for pr in repo.pulls.values():
                for thread in pr.threads:
                    if thread.id == thread_id:
                        return repo, pr, thread
        raise FieldError(f"Could not resolve to a node with the global id of '{thread_id}'",
                         "NOT_FOUND")

    def set_resolved(value: bool) -> Any:
        def resolve(input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
            repo, pr, thread = find_thread(str(input.get("threadId")))
            thread.is_resolved = value
            return {"__typename": "ResolveReviewThreadPayload",
                    "clientMutationId": input.get("clientMutationId"),
                    "thread": st.thread_obj(repo, pr, thread)}
        return resolve

    return {"__typename": "Mutation", "resolveReviewThread": set_resolved(True),
            "unresolveReviewThread": set_resolved(False)}


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
