"""GitHub, async, as models: `GitHubService` composes the connection (`github_client.py`), the
pull-request reader and actions (`github_pulls.py`), a PR's diff and line comments
(`review.py`) and the issue ledger (`issues.py`).

Where it connects (see docs/architecture.md, "Facts that save a day"):

- `GH_HOST` is a bare host name (Enterprise: REST at `https://HOST/api/v3`, GraphQL at
  `https://HOST/api/graphql`); `ORCHESTRA_GITHUB_API` sets the REST base, GraphQL at
  `{base}/graphql` (the demo's stand-in, the tests);
- the token: `GH_TOKEN`, `GITHUB_TOKEN`, then `gh auth token` (off the loop, on first use);
- a 304 on a conditional request raises in ghapi: the cached body is served instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from orchestra_tui.diff_models import Diff, LineComment
from orchestra_tui.models import Issue, IssueComment, MergeOutcome, PullRequest, RateLimit
from orchestra_tui.pr_facts import CheckFailure
from orchestra_tui.services.github.auth import (
    DEFAULT_API,
    resolve_urls,
    split_repo,
    token_from_env,
    token_from_gh,
)
from orchestra_tui.services.github.checks import GitHubChecks
from orchestra_tui.services.github.client import DEFAULT_TIMEOUT, GitHubClient
from orchestra_tui.services.github.documents import load_document
from orchestra_tui.services.github.issues import GitHubIssues
from orchestra_tui.services.github.pulls import GitHubPulls
from orchestra_tui.services.github.review import GitHubReviews

if TYPE_CHECKING:
    from orchestra_tui.config.schema import GitHubConfig

__all__ = ["DEFAULT_API", "DEFAULT_TIMEOUT", "GitHubService", "load_document", "resolve_urls",
           "split_repo", "token_from_env", "token_from_gh"]


class GitHubService:
    """Everything orchestra asks GitHub, as models (`ports.GitHubPort`). Use one per event
    loop; `await aclose()`."""

    def __init__(self, token: str | None = None, *, api_url: str = DEFAULT_API,
                 graphql_url: str | None = None, gh_host: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, look_up_gh: bool = True,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = GitHubClient(token, api_url=api_url, graphql_url=graphql_url,
                                   gh_host=gh_host, timeout=timeout, look_up_gh=look_up_gh,
                                   clock=clock)
        self.pulls = GitHubPulls(self.client)
        self.issues = GitHubIssues(self.client)
        self.checks = GitHubChecks(self.client)
        self.reviews = GitHubReviews(self.client)

    @classmethod
    def from_env(cls, api_url: str | None = None, host: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT) -> GitHubService:
        """Build from the environment; `gh auth token` runs lazily, off the loop, on first use."""
        rest, graphql, gh_host = resolve_urls(api_url, host)
        return cls(token_from_env(), api_url=rest, graphql_url=graphql, gh_host=gh_host,
                   timeout=timeout)

    @classmethod
    def from_config(cls, github: GitHubConfig | None = None, *,
                    timeout: float = DEFAULT_TIMEOUT) -> GitHubService:
        """Build from a config's `[github]` table; the environment (`ORCHESTRA_GITHUB_API`,
        `GH_HOST`) wins over the file, as the demo and the tests rely on."""
        api_url = github.api_url if github is not None else None
        host = github.host if github is not None else None
        if os.environ.get("ORCHESTRA_GITHUB_API"):
            api_url = None
        if os.environ.get("GH_HOST"):
            host = None
        return cls.from_env(api_url, host, timeout=timeout)

    def __repr__(self) -> str:
        return repr(self.client).replace("GitHubClient", "GitHubService", 1)

    async def __aenter__(self) -> GitHubService:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()

    @property
    def api_url(self) -> str:
        return self.client.api_url

    @property
    def graphql_url(self) -> str:
        return self.client.graphql_url

    @property
    def rate_limit(self) -> RateLimit:
        """GraphQL's budget (remaining, limit, reset, cost of the last query) when a query has
        run, else what REST's headers said."""
        return self.client.rate_limit

    @property
    def rest_rate_limit(self) -> RateLimit:
        return self.client.rest_rate_limit

    @property
    def requests(self) -> int:
        """HTTP requests sent (for tests and the cost report)."""
        return self.client.requests

    @property
    def graphql_cost(self) -> int:
        """GraphQL points spent, summed over every query this service ran."""
        return self.client.graphql_cost

    async def graphql(self, document: str, label: str, **variables: Any) -> dict[str, Any]:
        """Run a document from `services/github/graphql/` by file stem; returns plain `data`."""
        return await self.client.graphql(document, label, **variables)

    # -- pull requests -------------------------------------------------------------------------

    async def list_pull_requests(self, repo: str) -> list[PullRequest]:
        return await self.pulls.list_pull_requests(repo)

    async def behind_by(self, repo: str, base: str, head: str) -> int:
        return await self.pulls.behind_by(repo, base, head)

    async def resolve_thread(self, thread_id: str) -> bool:
        return await self.pulls.resolve_thread(thread_id)

    async def failed_checks(self, repo: str, head_sha: str) -> tuple[CheckFailure, ...]:
        return await self.checks.failed_checks(repo, head_sha)

    async def merge(self, repo: str, number: int, sha: str,
                    method: str = "squash") -> MergeOutcome:
        return await self.pulls.merge(repo, number, sha, method)

    async def update_branch(self, repo: str, number: int, expected_head_sha: str) -> str:
        return await self.pulls.update_branch(repo, number, expected_head_sha)

    async def pull_diff(self, pr: PullRequest) -> Diff:
        return await self.reviews.pull_diff(pr)

    async def post_review_comment(self, pr: PullRequest, commit_id: str,
                                  comment: LineComment) -> str:
        return await self.reviews.post_review_comment(pr, commit_id, comment)

    # -- issues --------------------------------------------------------------------------------

    async def list_issues(self, repo: str) -> list[Issue]:
        return await self.issues.list_issues(repo)

    async def issue_with_comments(self, repo: str, number: int) -> Issue:
        return await self.issues.issue_with_comments(repo, number)

    async def comment_on_issue(self, repo: str, number: int, body: str) -> IssueComment:
        return await self.issues.comment_on_issue(repo, number, body)
