"""The stand-in's GraphQL endpoint: a request's document run over the roots, `rateLimit`,
`repository { pullRequests pullRequest }` and the thread-resolution mutations, over the
in-memory world of a `Backend`, charged by GitHub's cost rule."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from orchestra_tui.demo.standin import state as st
from orchestra_tui.demo.standin.backend import Backend, Reply
from orchestra_tui.demo.standin.gql import (
    Executor,
    FieldError,
    GraphQLSyntaxError,
    connection,
    operation_name,
    parse,
)
from orchestra_tui.demo.standin.objects import pull_obj, thread_obj
from orchestra_tui.demo.standin.state import GRAPHQL_LIMIT, SPull, SRepo, SThread


def graphql_reply(backend: Backend, body: Any) -> Reply:
    """The answer to a POST to /graphql whose JSON body is `body`; the query's points are taken
    from the budget (a mutation costs 1) and the exchange is recorded for the tests."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return Reply(400, {"message": "Problems parsing JSON", "documentation_url": st.DOCS})
    text = body["query"]
    variables = body.get("variables") or {}
    op = body.get("operationName") or operation_name(text)
    try:
        executor = Executor(parse(text), variables, body.get("operationName"))
        cost, nodes = executor.cost()
        is_mutation = executor.op.kind == "mutation"
        points = 1 if is_mutation else cost
        backend.graphql_remaining -= points
        backend.graphql_log.append((op, points, nodes))
        root = mutation_root(backend) if is_mutation else query_root(backend, cost, nodes)
        result = executor.run(root)
    except (GraphQLSyntaxError, FieldError, KeyError) as error:
        message = getattr(error, "message", None) or str(error)
        result = {"errors": [{"message": message, "locations": []}]}
    backend.graphql_exchanges.append((text, dict(variables), result))
    return Reply(200, result, backend.rate_headers("graphql"))


def query_root(backend: Backend, cost: int, nodes: int) -> dict[str, Any]:
    def rate_limit(dryRun: bool = False) -> dict[str, Any]:
        return {"__typename": "RateLimit", "cost": cost, "limit": GRAPHQL_LIMIT,
                "remaining": max(0, backend.graphql_remaining),
                "used": GRAPHQL_LIMIT - max(0, backend.graphql_remaining),
                "resetAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(backend.reset_at)),
                "nodeCount": nodes}

    def repository(owner: str, name: str,
                   followRenames: bool = True) -> dict[str, Any]:
        repo = backend.repo(f"{owner}/{name}")
        if repo is None:
            raise FieldError(f"Could not resolve to a Repository with the name '{owner}/{name}'.",
                             "NOT_FOUND")
        return repo_obj(repo)

    return {"__typename": "Query", "rateLimit": rate_limit, "repository": repository}


def repo_obj(repo: SRepo) -> dict[str, Any]:
    def pull_requests(states: list[str] | None = None, orderBy: dict[str, str] | None = None,
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


def mutation_root(backend: Backend) -> dict[str, Any]:
    def find_thread(thread_id: str) -> tuple[SRepo, SPull, SThread]:
        for repo in backend.repos.values():
            for pr in repo.pulls.values():
                for thread in pr.threads:
                    if thread.id == thread_id:
                        return repo, pr, thread
        raise FieldError(f"Could not resolve to a node with the global id of '{thread_id}'",
                         "NOT_FOUND")

    def set_resolved(value: bool) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def resolve(input: dict[str, Any]) -> dict[str, Any]:
            repo, pr, thread = find_thread(str(input.get("threadId")))
            thread.is_resolved = value
            return {"__typename": "ResolveReviewThreadPayload",
                    "clientMutationId": input.get("clientMutationId"),
                    "thread": thread_obj(repo, pr, thread)}
        return resolve

    return {"__typename": "Mutation", "resolveReviewThread": set_resolved(True),
            "unresolveReviewThread": set_resolved(False)}
