"""GitHub, async: ghapi 2.x for REST, its `GhGql` for GraphQL, one persistent HTTP client.

Facts this module is built around (see docs/architecture.md, "Facts that save a day"):

- the token comes from `GH_TOKEN`, `GITHUB_TOKEN`, then `gh auth token` (run off the event
  loop, only when `gh` is installed); it never appears in an error, a repr or a log line;
- `GH_HOST` is a bare host name (Enterprise: REST at `https://HOST/api/v3`, GraphQL at
  `https://HOST/api/graphql`); `ORCHESTRA_GITHUB_API` sets the REST base, GraphQL at
  `{base}/graphql` (the demo's stand-in, the tests);
- nothing is retried: ghapi marks 409 retryable, which for a merge means "the head moved";
  transports are built with `retries=0`;
- on a 403/429 rate refusal the service refuses every further call until GitHub's reset time;
- a 304 on a conditional request raises in ghapi: the cached body is served instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx2
from ghapi.core import APIError, GhApi
from ghapi.graphql import GhGql, GqlError

from orchestra_tui.errors import GitHubError
from orchestra_tui.models import MergeOutcome, PullRequest, RateLimit
from orchestra_tui.services import github_errors as errs
from orchestra_tui.services.github_auth import (
    DEFAULT_API,
    resolve_urls,
    split_repo,
    token_from_env,
    token_from_gh,
)
from orchestra_tui.services.github_documents import load_document
from orchestra_tui.services.github_issues import IssuesMixin
from orchestra_tui.services.github_parse import plain
from orchestra_tui.services.github_pulls import collect_pulls

T = TypeVar("T")

__all__ = ["DEFAULT_API", "DEFAULT_TIMEOUT", "GitHubService", "load_document", "resolve_urls",
           "split_repo", "token_from_env", "token_from_gh"]

DEFAULT_TIMEOUT = 15.0
_ETAG_ENTRIES = 512
_USER_AGENT = "orchestra-tui"


class GitHubService(IssuesMixin):
    """Everything orchestra asks GitHub, as models. Use one per event loop; `await aclose()`."""

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
        self._etags: OrderedDict[str, tuple[str, Any]] = OrderedDict()
        self.requests = 0  # HTTP requests sent (for tests and the cost report)
        self.graphql_cost = 0  # GraphQL points spent, summed over every query this service ran

    @classmethod
    def from_env(cls, api_url: str | None = None, host: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT) -> GitHubService:
        """Build from the environment; `gh auth token` runs lazily, off the loop, on first use."""
        rest, graphql, gh_host = resolve_urls(api_url, host)
        return cls(token_from_env(), api_url=rest, graphql_url=graphql, gh_host=gh_host,
                   timeout=timeout)

    @classmethod
    def from_config(cls, github: Any = None, *, timeout: float = DEFAULT_TIMEOUT) -> GitHubService:
        """Build from a config's `[github]` table; the environment (`ORCHESTRA_GITHUB_API`,
        `GH_HOST`) wins over the file, as the demo and the tests rely on."""
        api_url = None if os.environ.get("ORCHESTRA_GITHUB_API") else getattr(
            github, "api_url", None)
        host = None if os.environ.get("GH_HOST") else getattr(github, "host", None)
        return cls.from_env(api_url, host, timeout=timeout)

    def __repr__(self) -> str:
        state = "set" if self.__token else "unset"
        return f"GitHubService(api_url={self.api_url!r}, token={state})"

    async def __aenter__(self) -> GitHubService:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

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
            api = GhApi(gh_host=self.api_url, authenticate=False, sync=False,
                        timeout=self.timeout)
            api.headers["Authorization"] = f"token {token}"
            api.transport.client = self._client
            api.transport.retries = 0
            gql = GhGql(token=token)
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

    async def _call(self, label: str, fn: Callable[[GhApi, GhGql], Awaitable[T]]) -> T:
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
        """Run a document from `services/graphql/` by file stem; returns plain `data`."""
        text = load_document(document)

        async def run(_api: GhApi, gql: GhGql) -> dict[str, Any]:
            return plain(await gql(text, **variables))

        data = await self._call(label, run)
        limit = data.get("rateLimit") if isinstance(data, dict) else None
        if isinstance(limit, dict):
            self.graphql_cost += int(limit.get("cost") or 0)
            self._graphql_limit = RateLimit(
                remaining=limit.get("remaining"), limit=limit.get("limit"),
                reset_at=_epoch(limit.get("resetAt")), last_cost=limit.get("cost"))
        return data

    # -- pull requests -------------------------------------------------------------------------

    async def list_pull_requests(self, repo: str) -> list[PullRequest]:
        """Open PRs of `owner/name`, newest update first, with checks (required flags),
        review decision, mergeability, unresolved threads, and `behind_by` for BEHIND ones."""
        return await collect_pulls(self, repo)

    async def behind_by(self, repo: str, base: str, head: str) -> int:
        """Commits `base` has that `head` lacks (REST compare, ETag-conditional: a 304 is served
        from the cache and costs no rate limit)."""
        owner, name = split_repo(repo)
        basehead = f"{base}...{head}"
        key = f"compare:{owner}/{name}/{basehead}".lower()

        async def run(api: GhApi, _gql: GhGql) -> Any:
            cached = self._etags.get(key)
            headers = {"If-None-Match": cached[0]} if cached else {}
            try:
                response = await api.repos.compare_commits(
                    owner=owner, repo=name, basehead=basehead, per_page=1,
                    headers_=headers, raw_=True)
            except APIError as exc:
                if exc.status_code == 304 and cached:
                    self._etags.move_to_end(key)
                    return cached[1]
                raise
            body = response.json()
            etag = response.headers.get("ETag")
            if etag:
                self._etags[key] = (etag, body)
                self._etags.move_to_end(key)
                while len(self._etags) > _ETAG_ENTRIES:
                    self._etags.popitem(last=False)
            return body

        body = await self._call(f"compare {repo} {basehead}", run)
        return int(body.get("behind_by") or 0)

    async def resolve_thread(self, thread_id: str) -> bool:
        """Resolve a review thread; True when GitHub reports it resolved."""
        data = await self.graphql("resolve_thread", f"resolve thread {thread_id}",
                                  threadId=thread_id)
        thread = ((data.get("resolveReviewThread") or {}).get("thread")) or {}
        return bool(thread.get("isResolved"))

    async def merge(self, repo: str, number: int, sha: str,
                    method: str = "squash") -> MergeOutcome:
        """Merge pinned to `sha`: GitHub merges only if the head is still that commit.

        409 raises kind `head_moved` ("head moved, re-check"), 405 kind `not_mergeable` with
        GitHub's reason. Never retried.
        """
        if method not in ("squash", "merge", "rebase"):
            raise GitHubError(f"unknown merge method {method!r}", kind="error")
        if not sha:
            raise GitHubError("refusing to merge without the head SHA the gate saw",
                              kind="error")
        owner, name = split_repo(repo)
        label = f"merge {repo}#{number}"

        async def run(api: GhApi, _gql: GhGql) -> Any:
            return plain(await api.pulls.merge(owner=owner, repo=name, pull_number=number,
                                                  sha=sha, merge_method=method))

        try:
            body = await self._call(label, run)
        except GitHubError as error:
            if error.kind == "head_moved":
                raise GitHubError(f"head moved, re-check: {repo}#{number} is no longer at "
                                  f"{sha[:7]}; nothing was merged", kind="head_moved",
                                  status=error.status) from None
            if error.kind == "not_mergeable":
                detail = str(error).partition("): ")[2] or "GitHub refused the merge"
                raise GitHubError(f"{repo}#{number} not mergeable: {detail}",
                                  kind="not_mergeable", status=error.status) from None
            raise
        return MergeOutcome(merged=bool(body.get("merged")), sha=body.get("sha"),
                            message=str(body.get("message") or ""), status=200)

    async def update_branch(self, repo: str, number: int, expected_head_sha: str) -> str:
        """Ask GitHub to merge the base into the PR branch (202: it finishes later). Returns
        GitHub's message. A head that moved answers 422, raised as kind `head_moved`."""
        owner, name = split_repo(repo)
        label = f"update branch {repo}#{number}"

        async def run(api: GhApi, _gql: GhGql) -> Any:
            return plain(await api.pulls.update_branch(
                owner=owner, repo=name, pull_number=number,
                expected_head_sha=expected_head_sha))

        try:
            body = await self._call(label, run)
        except GitHubError as error:
            if error.status == 422 and "head" in str(error).lower():
                raise GitHubError(f"head moved, re-check: {repo}#{number} is no longer at "
                                  f"{expected_head_sha[:7]}", kind="head_moved",
                                  status=422) from None
            raise
        return str((body or {}).get("message") or "Updating pull request branch.")

def _epoch(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    from datetime import datetime

    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
