"""Issues over REST (the task ledger): list, read with comments, comment. The issue half of
`github.GitHubService`, over a `GitHubClient`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ghapi.core import GhApi
from ghapi.graphql import GhGql

from orchestra_tui.models import Issue, IssueComment
from orchestra_tui.services.github.auth import split_repo
from orchestra_tui.services.github.client import GitHubClient
from orchestra_tui.services.github.parse import comment_from_rest, issue_from_rest, plain

MAX_REST_PAGES = 10


async def rest_pages(client: GitHubClient, label: str,
                     first: Callable[[GhApi], Awaitable[Any]]) -> list[Any]:
    """A REST listing, following `Link: rel="next"` (not page numbers) up to a cap."""

    async def run(api: GhApi, _gql: GhGql) -> list[Any]:
        items: list[Any] = []
        response = await first(api)
        for _ in range(MAX_REST_PAGES):
            items.extend(response.json())
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                break
            # ghapi ships no annotations (whether mypy sees them depends on how it is run).
            response = await api.transport.request(  # type: ignore[no-untyped-call,unused-ignore]
                "GET", next_url, raw=True)
        return items

    return await client.call(label, run)


class GitHubIssues:
    """Issues over one `GitHubClient`."""

    def __init__(self, client: GitHubClient) -> None:
        self._client = client

    async def _rest_pages(self, label: str,
                          first: Callable[[GhApi], Awaitable[Any]]) -> list[Any]:
        return await rest_pages(self._client, label, first)

    async def list_issues(self, repo: str) -> list[Issue]:
        """Open issues (pull requests left out), newest first, without comments."""
        owner, name = split_repo(repo)
        items = await self._rest_pages(
            f"list issues {repo}",
            lambda api: api.issues.list_for_repo(owner=owner, repo=name, state="open",
                                                 per_page=100, raw_=True))
        return [issue_from_rest(repo, item) for item in items if "pull_request" not in item]

    async def issue_with_comments(self, repo: str, number: int) -> Issue:
        owner, name = split_repo(repo)

        async def run(api: GhApi, _gql: GhGql) -> Any:
            return plain(await api.issues.get(owner=owner, repo=name, issue_number=number))

        body = await self._client.call(f"issue {repo}#{number}", run)
        comments = await self._rest_pages(
            f"comments on {repo}#{number}",
            lambda api: api.issues.list_comments(owner=owner, repo=name, issue_number=number,
                                                 per_page=100, raw_=True))
        return issue_from_rest(repo, body, tuple(comment_from_rest(c) for c in comments))

    async def comment_on_issue(self, repo: str, number: int, body: str) -> IssueComment:
        owner, name = split_repo(repo)

        async def run(api: GhApi, _gql: GhGql) -> Any:
            return plain(await api.issues.create_comment(owner=owner, repo=name,
                                                            issue_number=number, body=body))

        return comment_from_rest(await self._client.call(f"comment on {repo}#{number}", run))
