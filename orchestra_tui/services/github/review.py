"""A pull request's change and review comments on its lines, over REST: the files of the PR
(`GET /pulls/{n}/files`, each with its patch) as a `Diff`, and a comment posted on one line or
a range (`POST /pulls/{n}/comments`), which GitHub shows as a review thread, so it enters the
review inbox like a reviewer's. Part of `github.GitHubService`."""

from __future__ import annotations

from typing import Any

from ghapi.core import GhApi
from ghapi.graphql import GhGql

from orchestra_tui.diff_models import Diff, LineComment
from orchestra_tui.errors import GitHubError
from orchestra_tui.models import PullRequest
from orchestra_tui.services.diff_parse import github_files_to_unified, parse_unified
from orchestra_tui.services.github.auth import split_repo
from orchestra_tui.services.github.client import GitHubClient
from orchestra_tui.services.github.issues import MAX_REST_PAGES, rest_pages
from orchestra_tui.services.github.parse import plain

__all__ = ["GitHubReviews"]

PER_PAGE = 100  # GitHub lists at most 3,000 files of a PR; 10 pages of 100 here


class GitHubReviews:
    """Diffs of and line comments on pull requests over one `GitHubClient`."""

    def __init__(self, client: GitHubClient) -> None:
        self._client = client

    async def pull_diff(self, pr: PullRequest) -> Diff:
        owner, name = split_repo(pr.repo)
        files = await rest_pages(
            self._client, f"files of {pr.repo}#{pr.number}",
            lambda api: api.pulls.list_files(owner=owner, repo=name, pull_number=pr.number,
                                             per_page=PER_PAGE, raw_=True))
        try:
            parsed = parse_unified(github_files_to_unified(files))
        except ValueError as error:
            raise GitHubError(f"the diff of {pr.repo}#{pr.number} could not be read "
                              f"({error})", kind="error") from None
        return Diff(title=f"{pr.repo}#{pr.number} {pr.title}", files=parsed, base=pr.base_ref,
                    head=pr.head_sha, truncated=len(files) >= PER_PAGE * MAX_REST_PAGES)

    async def post_review_comment(self, pr: PullRequest, commit_id: str,
                                  comment: LineComment) -> str:
        """The comment on its line (or range) of the PR at `commit_id`; its URL on GitHub.
        GitHub answers 422 when the line is not in the diff at that commit."""
        owner, name = split_repo(pr.repo)
        fields: dict[str, Any] = {"body": comment.text, "commit_id": commit_id,
                                  "path": comment.path, "line": comment.end,
                                  "side": comment.side.value}
        if comment.start != comment.end:
            fields.update(start_line=comment.start, start_side=comment.side.value)

        async def run(api: GhApi, _gql: GhGql) -> Any:
            return plain(await api.pulls.create_review_comment(
                owner=owner, repo=name, pull_number=pr.number, **fields))

        body = await self._client.call(f"review comment on {pr.repo}#{pr.number}", run)
        return str((body or {}).get("html_url") or "")
