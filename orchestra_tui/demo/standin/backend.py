"""What the GitHub stand-in knows and counts, without HTTP: its repositories, the rate budgets,
the faults a test injected, the record of every answer and merge, and a clock a test can move.

The routes (`rest.RestRoutes`, `graph.graphql_reply`) read and change a `Backend` and answer
with a `Reply`; `server.StandIn` is a `Backend` served over loopback HTTP. Stdlib only: the
demo ships it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from orchestra_tui.demo.standin import state as st
from orchestra_tui.demo.standin.state import GRAPHQL_LIMIT, REST_LIMIT, SPull, SRepo

_RATE_LIMITED = ("API rate limit exceeded for user ID 1. If you reach out to GitHub Support for "
                 "help, please include the request ID.")
_ERROR_MESSAGES = {401: "Bad credentials", 404: "Not Found", 500: "Server Error",
                   502: "Server Error", 503: "Service Unavailable"}


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, JSON body (None: no body) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def error_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    """GitHub's error body (`message`, `documentation_url`, `status`)."""
    return Reply(status, st.error_json(message, status), headers or {})


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


class Backend:
    """The stand-in's GitHub. Thread-safe where it matters: request threads share `lock`."""

    def __init__(self, token: str | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.token = token  # None accepts any non-empty token
        # Epoch seconds for rate-limit resets and update-branch landing; a test may move it.
        self.clock = clock
        self.url = ""  # the API's base URL once served (links in REST answers start with it)
        self.repos: dict[str, SRepo] = {}
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, int]] = []  # (method, path, status)
        self.responses: list[tuple[str, str, int, Any]] = []  # (method, path, status, JSON body)
        # (document, variables, answer)
        self.graphql_exchanges: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.conditional_hits = 0  # 304s served for If-None-Match
        self.graphql_log: list[tuple[str | None, int, int]] = []  # (operation, cost, nodes)
        self.graphql_remaining = GRAPHQL_LIMIT
        self.rest_remaining = REST_LIMIT
        self.reset_at = int(clock()) + 3600
        self.merges: list[tuple[str, int, str]] = []  # (repo, number, merged head sha)
        self.errors: list[str] = []  # unexpected handler exceptions (tests assert it stays empty)

    # -- the world -----------------------------------------------------------------------------

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

    def land_due_updates(self) -> None:
        """Update-branch requests whose time has come land: the PR is no longer behind."""
        now = self.clock()
        for repo in self.repos.values():
            for pr in repo.pulls.values():
                if pr.update_ready_at is not None and now >= pr.update_ready_at:
                    pr.update_ready_at = None
                    pr.behind_by = 0
                    pr.head_sha = st.sha_of("update-branch", pr.head_sha, repo.base_sha)
                    pr.updated_at = st.now_iso()

    # -- faults (test controls) ----------------------------------------------------------------

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

    def take_fault(self, path: str, body: str) -> Fault | None:
        """The first fault matching the request, used up once."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(path, body):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None

    def fault_reply(self, fault: Fault, resource: str) -> Reply:
        status = fault.status or 500
        headers = self.rate_headers(resource)
        if status in (403, 429) and fault.rate_limited is not False:
            reset = int(self.clock() + fault.reset_in)
            headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
            if status == 429:
                headers["Retry-After"] = str(int(fault.reset_in))
            message = fault.message or _RATE_LIMITED
        else:
            message = fault.message or _ERROR_MESSAGES.get(status, "Error")
        return error_reply(status, message, headers)

    # -- what every answer carries -------------------------------------------------------------

    def authorized(self, authorization: str) -> bool:
        """An `Authorization: Bearer|token T` header with the token (any, when none is set)."""
        match = re.fullmatch(r"(?i)(bearer|token)\s+(\S+)", authorization.strip())
        if not match:
            return False
        return self.token is None or match.group(2) == self.token

    def rate_headers(self, resource: str) -> dict[str, str]:
        remaining = self.graphql_remaining if resource == "graphql" else self.rest_remaining
        limit = GRAPHQL_LIMIT if resource == "graphql" else REST_LIMIT
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, remaining)),
                "X-RateLimit-Used": str(limit - max(0, remaining)),
                "X-RateLimit-Reset": str(self.reset_at), "X-RateLimit-Resource": resource}

    def record(self, method: str, path: str, reply: Reply) -> None:
        """Logged before the client can read the answer, so a test sees it once it has one."""
        with self.lock:
            self.log.append((method, path, reply.status))
            self.responses.append((method, path, reply.status, reply.body))
