"""Reading a repository's open pull requests: pages of PRs, then what one page could not hold.

Requests per refresh of one repository (GraphQL cost in brackets, GitHub's rule):

1. `OrchestraRepoPulls`, one per 10 open PRs [3 each];
2. `OrchestraPullThreads` for a PR with more than 30 review threads [1 per 100 threads];
3. `OrchestraPullChecks` for the required flags. `isRequired` needs a PR number, so it can't ride
   in the list query. Branch protection and rulesets pick required checks by the base branch, so
   the flags are read from one PR per base branch (more only when its checks don't cover the
   other PRs' check names), plus every PR whose checks overflowed the list page [1 each];
4. a REST compare for each BEHIND PR, ETag-conditional (a 304 costs nothing).

`GitHubPulls` is the pull-request half of `github.GitHubService`: reading, resolving a thread,
merging pinned to a head SHA, updating a branch; over a `GitHubClient`.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from ghapi.core import APIError, GhApi
from ghapi.graphql import GhGql

from orchestra_tui.errors import GitHubError
from orchestra_tui.models import Check, MergeOutcome, PullRequest
from orchestra_tui.services.github.auth import split_repo
from orchestra_tui.services.github.client import GitHubClient
from orchestra_tui.services.github.parse import (
    check_from_node,
    context_name,
    plain,
    pull_from_node,
)

__all__ = ["GitHubPulls", "collect_pulls"]

MAX_PR_PAGES = 10
MAX_THREAD_PAGES = 10
MAX_REQUIRED_PROBES = 3  # per base branch
CONCURRENCY = 4
_ETAG_ENTRIES = 512

# (repo, base, head) -> commits `base` has that `head` lacks
BehindBy = Callable[[str, str, str], Awaitable[int]]


class GitHubPulls:
    """Pull requests over one `GitHubClient`: read, resolve, merge, update."""

    def __init__(self, client: GitHubClient) -> None:
        self._client = client
        self._etags: OrderedDict[str, tuple[str, Any]] = OrderedDict()

    async def list_pull_requests(self, repo: str) -> list[PullRequest]:
        """Open PRs of `owner/name`, newest update first, with checks (required flags),
        review decision, mergeability, unresolved threads, and `behind_by` for BEHIND ones."""
        return await collect_pulls(self._client, repo, self.behind_by)

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

        body = await self._client.call(f"compare {repo} {basehead}", run)
        return int(body.get("behind_by") or 0)

    async def resolve_thread(self, thread_id: str) -> bool:
        """Resolve a review thread; True when GitHub reports it resolved."""
        data = await self._client.graphql("resolve_thread", f"resolve thread {thread_id}",
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
            body = await self._client.call(label, run)
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
            body = await self._client.call(label, run)
        except GitHubError as error:
            if error.status == 422 and "head" in str(error).lower():
                raise GitHubError(f"head moved, re-check: {repo}#{number} is no longer at "
                                  f"{expected_head_sha[:7]}", kind="head_moved",
                                  status=422) from None
            raise
        return str((body or {}).get("message") or "Updating pull request branch.")



def _contexts(node: dict[str, Any]) -> dict[str, Any]:
    return ((node.get("statusCheckRollup") or {}).get("contexts")) or {}


async def _all_contexts(service: GitHubClient, owner: str, name: str,
                        number: int) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    for _ in range(MAX_THREAD_PAGES):
        data = await service.graphql("pull_checks", f"checks of {owner}/{name}#{number}",
                                     owner=owner, name=name, number=number, after=after)
        pr = ((data.get("repository") or {}).get("pullRequest")) or {}
        conn = ((pr.get("statusCheckRollup") or {}).get("contexts")) or {}
        nodes.extend(conn.get("nodes") or [])
        page = conn.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            break
        after = page.get("endCursor")
    return nodes


async def _more_threads(service: GitHubClient, owner: str, name: str, number: int,
                        after: str | None) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for _ in range(MAX_THREAD_PAGES):
        data = await service.graphql("pull_threads", f"threads of {owner}/{name}#{number}",
                                     owner=owner, name=name, number=number, after=after)
        pr = ((data.get("repository") or {}).get("pullRequest")) or {}
        conn = pr.get("reviewThreads") or {}
        nodes.extend(conn.get("nodes") or [])
        page = conn.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            break
        after = page.get("endCursor")
    return nodes


async def collect_pulls(service: GitHubClient, repo: str,
                        behind_by: BehindBy) -> list[PullRequest]:
    owner, name = split_repo(repo)
    nodes: list[dict[str, Any]] = []
    canonical = repo
    after = None
    for _ in range(MAX_PR_PAGES):
        data = await service.graphql("repo_pulls", f"pull requests of {repo}",
                                     owner=owner, name=name, after=after)
        repository = data.get("repository")
        if repository is None:
            raise GitHubError(f"GitHub: not found (pull requests of {repo}); check the "
                              "repository name and that the token can see it",
                              kind="not_found")
        canonical = repository.get("nameWithOwner") or repo
        conn = repository.get("pullRequests") or {}
        nodes.extend(n for n in conn.get("nodes") or [] if n)
        page = conn.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            break
        after = page.get("endCursor")

    gate = asyncio.Semaphore(CONCURRENCY)

    async def limited(coro: Any) -> Any:
        async with gate:
            return await coro

    # Threads beyond the first page.
    extra_threads: dict[int, list[dict[str, Any]]] = {}
    overflow = [n for n in nodes if ((n.get("reviewThreads") or {}).get("pageInfo") or {})
                .get("hasNextPage")]
    results = await asyncio.gather(*(
        limited(_more_threads(service, owner, name, n["number"],
                              n["reviewThreads"]["pageInfo"].get("endCursor")))
        for n in overflow))
    for node, more in zip(overflow, results):
        extra_threads[node["number"]] = more

    # Full contexts with isRequired: every PR whose checks overflowed, then one PR per base
    # branch until the probed PRs cover every check name seen on that base.
    full: dict[int, list[dict[str, Any]]] = {}
    to_probe = [n["number"] for n in nodes if (_contexts(n).get("pageInfo") or {})
                .get("hasNextPage")]
    if to_probe:
        fetched = await asyncio.gather(*(limited(_all_contexts(service, owner, name, num))
                                         for num in to_probe))
        full.update(zip(to_probe, fetched))
    required: dict[str, set[str]] = {}
    known: dict[str, set[str]] = {}

    def learn(base: str, contexts: list[dict[str, Any]]) -> None:
        for ctx in contexts:
            label = context_name(ctx)
            known.setdefault(base, set()).add(label)
            if ctx.get("isRequired"):
                required.setdefault(base, set()).add(label)

    by_number = {n["number"]: n for n in nodes}
    for number, contexts in full.items():
        learn(by_number[number].get("baseRefName") or "", contexts)

    bases: dict[str, list[dict[str, Any]]] = {}
    for node in nodes:
        bases.setdefault(node.get("baseRefName") or "", []).append(node)

    async def probe_base(base: str, group: list[dict[str, Any]]) -> None:
        for _ in range(MAX_REQUIRED_PROBES):
            seen = known.get(base, set())

            def unknown(n: dict[str, Any], seen: set[str] = seen) -> set[str]:
                return {context_name(c) for c in _contexts(n).get("nodes") or []} - seen

            candidates = [n for n in group if n["number"] not in full and unknown(n)]
            if not candidates:
                return
            best = max(candidates, key=lambda n: len(unknown(n)))
            contexts = await limited(_all_contexts(service, owner, name, best["number"]))
            full[best["number"]] = contexts
            learn(base, contexts)

    await asyncio.gather(*(probe_base(base, group) for base, group in bases.items()))

    pulls: list[PullRequest] = []
    for node in nodes:
        number = node["number"]
        base = node.get("baseRefName") or ""
        checks: list[Check] = []
        if number in full:
            checks = [c for c in map(check_from_node, full[number]) if c]
        else:
            for ctx in _contexts(node).get("nodes") or []:
                check = check_from_node(ctx, context_name(ctx) in required.get(base, set()))
                if check:
                    checks.append(check)
        threads = ((node.get("reviewThreads") or {}).get("nodes") or []) + extra_threads.get(
            number, [])
        pulls.append(pull_from_node(node, canonical, tuple(checks), threads))

    behind = [p for p in pulls if p.merge_state == "BEHIND"]
    counts = await asyncio.gather(*(limited(behind_by(canonical, p.base_ref, p.head_sha))
                                    for p in behind))
    by_behind = {p.number: count for p, count in zip(behind, counts)}
    return [p if p.number not in by_behind else _with_behind(p, by_behind[p.number])
            for p in pulls]


def _with_behind(pr: PullRequest, count: int) -> PullRequest:
    return replace(pr, behind_by=count)
