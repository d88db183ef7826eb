"""The stand-in's GraphQL roots: `rateLimit`, `repository { pullRequests pullRequest }` and the
thread-resolution mutations, over the in-memory world of `standin_state`."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from orchestra_tui.demo.standin_gql import FieldError, connection
from orchestra_tui.demo.standin_objects import pull_obj, thread_obj
from orchestra_tui.demo.standin_state import GRAPHQL_LIMIT, SPull, SRepo, SThread

if TYPE_CHECKING:
    from orchestra_tui.demo.github_standin import StandIn


def query_root(standin: StandIn, cost: int, nodes: int) -> dict[str, Any]:
    def rate_limit(dryRun: bool = False) -> dict[str, Any]:
        return {"__typename": "RateLimit", "cost": cost, "limit": GRAPHQL_LIMIT,
                "remaining": max(0, standin.graphql_remaining),
                "used": GRAPHQL_LIMIT - max(0, standin.graphql_remaining),
                "resetAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(standin.reset_at)),
                "nodeCount": nodes}

    def repository(owner: str, name: str,
                   followRenames: bool = True) -> dict[str, Any]:
        repo = standin.repo(f"{owner}/{name}")
        if repo is None:
            raise FieldError(f"Could not resolve to a Repository with the name '{owner}/{name}'.",
                             "NOT_FOUND")
        return repo_obj(repo)

    return {"__typename": "Query", "rateLimit": rate_limit, "repository": repository}


def repo_obj(repo: SRepo) -> dict[str, Any]:
    def pull_requests(states: list[str] | None = None, orderBy: dict | None = None,
                      **page: Any) -> dict[str, Any]:
        pulls = [p for p in repo.pulls.values() if not states or p.state in states]
        if orderBy and orderBy.get("field") == "UPDATED_AT":
            pulls.sort(key=lambda p: p.updated_at, reverse=orderBy.get("direction") == "DESC")
        for key in ("labels", "headRefName", "baseRefName"):
            page.pop(key, None)
        return connection([pull_obj(repo, p) for p in pulls], name="pullRequests", **page)

    def pull_request(number: int) -> dict[str, Any]:
        pr = repo.pulls.get(number)
        if pr is None:
            raise FieldError(f"Could not resolve to a PullRequest with the number of {number}.",
                             "NOT_FOUND")
        return pull_obj(repo, pr)

    return {"__typename": "Repository", "nameWithOwner": repo.full_name, "name": repo.name,
            "viewerPermission": "WRITE", "squashMergeAllowed": True, "mergeCommitAllowed": True,
            "rebaseMergeAllowed": True, "pullRequests": pull_requests,
            "pullRequest": pull_request}


def mutation_root(owner: StandIn) -> dict[str, Any]:
    def find_thread(thread_id: str) -> tuple[SRepo, SPull, SThread]:
        for repo in owner.repos.values():
            for pr in repo.pulls.values():
                for thread in pr.threads:
                    if thread.id == thread_id:
                        return repo, pr, thread
        raise FieldError(f"Could not resolve to a node with the global id of '{thread_id}'",
                         "NOT_FOUND")

    def set_resolved(value: bool) -> Any:
        def resolve(input: dict[str, Any]) -> dict[str, Any]:
            repo, pr, thread = find_thread(str(input.get("threadId")))
            thread.is_resolved = value
            return {"__typename": "ResolveReviewThreadPayload",
                    "clientMutationId": input.get("clientMutationId"),
                    "thread": thread_obj(repo, pr, thread)}
        return resolve

    return {"__typename": "Mutation", "resolveReviewThread": set_resolved(True),
            "unresolveReviewThread": set_resolved(False)}
