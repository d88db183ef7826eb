"""GitHub's plumbing, async: ghapi 2.x for REST, its `GhGql` for GraphQL, one persistent HTTP
client, shared by the pull-request and issue readers (`github_pulls.py`, `github_issues.py`)
that `github.GitHubService` composes.

Facts this module is built around (see docs/architecture.md, "Facts that save a day"):

- the token comes from `GH_TOKEN`, `GITHUB_TOKEN`, then `gh auth token` (run off the event
  loop, only when `gh` is installed); it never appears in an error, a repr or a log line;
- nothing is retried: ghapi marks 409 retryable, which for a merge means "the head moved";
  transports are built with `retries=0`;
- on a 403/429 rate refusal the client refuses every further call until GitHub's reset time.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx2
from ghapi.core import APIError, GhApi
from ghapi.graphql import GhGql, GqlError

from orchestra_tui.errors import GitHubError
from orchestra_tui.models import RateLimit
from orchestra_tui.services.github import errors as errs
from orchestra_tui.services.github.auth import DEFAULT_API, token_from_gh
from orchestra_tui.services.github.documents import load_document
from orchestra_tui.services.github.parse import plain

T = TypeVar("T")

__all__ = ["DEFAULT_TIMEOUT", "GitHubClient"]

DEFAULT_TIMEOUT = 15.0
_USER_AGENT = "orchestra-tui"


class GitHubClient:
    """The connection to GitHub: token, HTTP client, rate limits, error translation. One per
    event loop; `await aclose()`."""

    def __init__(self, token: str | None = None, *, api_url: str = DEFAULT_API,
                 graphql_url: str | None = None, gh_host: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, look_up_gh: bool = True,
                 clock: Callable[[], float] = time.time) -> None:
        self.api_url = api_url.rstrip("/")
        self.clock = clock  # epoch seconds: rate-limit resets are counted against it
        self.graphql_url = graphql_url or f"{self.api_url}/graphql"
        self.timeout = timeout
        self._host = urlsplit(self.api_url).netloc or self.api_url
        self._gh_host = gh_host
        self.__token = token
        self._look_up_gh = look_up_gh and token is None
        self._client: httpx2.AsyncClient | None = None
        self._api: GhApi | None = None
        self._gql: GhGql | None = None
        self._blocked_until = 0.0
        self._last_headers: httpx2.Headers | None = None
        self._rest_limit = RateLimit()
        self._graphql_limit: RateLimit | None = None
        self.requests = 0  # HTTP requests sent (for tests and the cost report)
        self.graphql_cost = 0  # GraphQL points spent, summed over every query this service ran

    def __repr__(self) -> str:
        state = "set" if self.__token else "unset"
        return f"GitHubClient(api_url={self.api_url!r}, token={state})"

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
            self._api = self._gql = None

    @property
    def rate_limit(self) -> RateLimit:
        """GraphQL's budget (remaining, limit, reset, cost of the last query) when a query has
        run, else what REST's headers said."""
        return self._graphql_limit or self._rest_limit

    @property
    def rest_rate_limit(self) -> RateLimit:
        return self._rest_limit

    # -- plumbing ------------------------------------------------------------------------------

    async def _token(self) -> str:
        if self.__token is None and self._look_up_gh:
            self._look_up_gh = False
            self.__token = await asyncio.to_thread(token_from_gh, self._gh_host)
        if not self.__token:
            raise GitHubError("no GitHub token: set GH_TOKEN or GITHUB_TOKEN, or run "
                              "`gh auth login`", kind="auth")
        return self.__token

    async def _clients(self) -> tuple[GhApi, GhGql]:
        token = await self._token()
        if self._api is None or self._gql is None or self._client is None:
            self._client = httpx2.AsyncClient(
                timeout=httpx2.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                headers={"User-Agent": _USER_AGENT},
                follow_redirects=True,
                event_hooks={"request": [self._on_request], "response": [self._on_response]},
            )
            # ghapi ships no annotations: its two constructors are untyped calls.
            api = GhApi(gh_host=self.api_url, authenticate=False,  # type: ignore[no-untyped-call]
                        sync=False, timeout=self.timeout)
            api.headers["Authorization"] = f"token {token}"
            api.transport.client = self._client
            api.transport.retries = 0
            gql = GhGql(token=token)  # type: ignore[no-untyped-call]
            gql.url = self.graphql_url
            gql.transport.client = self._client
            gql.transport.retries = 0
            # mergeStateStatus is still a preview field for GitHub's own CLI.
            gql.transport.base_headers["Accept"] = "application/vnd.github.merge-info-preview+json"
            self._api, self._gql = api, gql
        return self._api, self._gql

    async def _on_request(self, request: httpx2.Request) -> None:
        self.requests += 1

    async def _on_response(self, response: httpx2.Response) -> None:
        self._last_headers = response.headers
        if response.request.url.path.endswith("/graphql"):
            return
        remaining = response.headers.get("X-RateLimit-Remaining")
        if remaining is not None:
            try:
                self._rest_limit = RateLimit(
                    remaining=int(remaining),
                    limit=int(response.headers.get("X-RateLimit-Limit") or 0) or None,
                    reset_at=float(response.headers.get("X-RateLimit-Reset") or 0) or None,
                )
            except ValueError:
                pass

    def _scrub(self, error: GitHubError) -> GitHubError:
        token = self.__token
        text = str(error)
        if token and token in text:
            text = text.replace(token, "***")
            error = GitHubError(text, kind=error.kind, status=error.status,
                                reset_at=error.reset_at)
        return error

    def _translate(self, exc: BaseException, label: str) -> GitHubError:
        if isinstance(exc, GitHubError):
            return exc
        if isinstance(exc, APIError):
            raw = exc.raw
            if isinstance(raw, httpx2.RequestError):
                return self._translate(raw, label)
            response = exc.response
            headers = response.headers if response is not None else None
            message = errs.body_message(exc.raw) or (exc.message if exc.status_code else "")
            if exc.status_code is None:
                return GitHubError(f"GitHub request failed ({label})", kind="error")
            return errs.error_from_status(exc.status_code, headers, message, label,
                                          self.clock())
        if isinstance(exc, httpx2.HTTPStatusError):
            response = exc.response
            try:
                body = response.json()
            except ValueError:
                body = None
            return errs.error_from_status(response.status_code, response.headers,
                                          errs.body_message(body), label, self.clock())
        if isinstance(exc, httpx2.TimeoutException):
            return errs.timeout_error(label, self.timeout)
        if isinstance(exc, httpx2.TransportError):
            return errs.network_error(label, self._host, exc)
        if isinstance(exc, GqlError):
            return errs.graphql_error(list(exc.errors or []), label, self._last_headers,
                                      self.clock())
        return GitHubError(f"GitHub answered {label} with something that is not JSON",
                           kind="error")

    async def call(self, label: str, fn: Callable[[GhApi, GhGql], Awaitable[T]]) -> T:
        """Run one request: refuse while backing off, translate every failure, never retry."""
        now = self.clock()
        if now < self._blocked_until:
            raise errs.rate_limited_error(label, self._blocked_until, None, now)
        api, gql = await self._clients()
        try:
            return await fn(api, gql)
        except (APIError, httpx2.HTTPError, GqlError, GitHubError, json.JSONDecodeError) as exc:
            error = self._scrub(self._translate(exc, label))
        if error.kind == "rate_limited":
            self._blocked_until = error.reset_at or (self.clock() + errs.DEFAULT_BACKOFF)
        raise error from None

    async def graphql(self, document: str, label: str, **variables: Any) -> dict[str, Any]:
        """Run a document from `services/github/graphql/` by file stem; returns plain `data`."""
        text = load_document(document)

        async def run(_api: GhApi, gql: GhGql) -> dict[str, Any]:
            data: dict[str, Any] = plain(await gql(text, **variables))
            return data

        data = await self.call(label, run)
        limit = data.get("rateLimit") if isinstance(data, dict) else None
        if isinstance(limit, dict):
            self.graphql_cost += int(limit.get("cost") or 0)
            self._graphql_limit = RateLimit(
                remaining=limit.get("remaining"), limit=limit.get("limit"),
                reset_at=_epoch(limit.get("resetAt")), last_cost=limit.get("cost"))
        return data


def _epoch(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
