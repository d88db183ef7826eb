"""The stand-in's world as GitHub's GraphQL objects: pull requests, review threads and comments,
check contexts, actors. Plain dicts with a `__typename` (and the abstract types they belong to in
`__implements`); connections resolve their page arguments when a query asks. Stdlib only."""

from __future__ import annotations

from typing import Any

from orchestra_tui.demo.standin.gql import FieldError, connection
from orchestra_tui.demo.standin.state import (
    BOTS,
    SCheck,
    SComment,
    SPull,
    SRepo,
    SReview,
    SThread,
    merge_state,
)


def _actor(login: str) -> dict[str, Any]:
    return {"__typename": "Bot" if login in BOTS else "User", "login": login,
            "__implements": ("Actor",)}


def _paged(items: list[Any], name: str) -> Any:
    def resolve(first: int | None = None, last: int | None = None, after: str | None = None,
                before: str | None = None, **_filters: Any) -> dict[str, Any]:
        return connection(items, first=first, last=last, after=after, before=before, name=name)
    return resolve


# The abstract types a check context belongs to, so a fragment or inline fragment on any of them
# applies: its interface and the `StatusCheckRollupContext` union it is a member of.
CHECK_CONTEXT_IS = ("RequirableByPullRequest", "StatusCheckRollupContext")


def _check_obj(check: SCheck, pr: SPull) -> dict[str, Any]:
    def is_required(pullRequestId: str | None = None,
                    pullRequestNumber: int | None = None) -> bool:
        if pullRequestId is None and pullRequestNumber is None:
            raise FieldError("isRequired needs pullRequestId or pullRequestNumber",
                             "ARGUMENT_ERROR")
        return check.required

    if check.kind == "StatusContext":
        return {"__typename": "StatusContext", "context": check.name, "state": check.state,
                "description": None, "targetUrl": check.url or None,
                "isRequired": is_required, "__implements": CHECK_CONTEXT_IS}
    return {"__typename": "CheckRun", "name": check.name, "status": check.status,
            "conclusion": check.conclusion if check.status == "COMPLETED" else None,
            "detailsUrl": check.url or None, "isRequired": is_required,
            "startedAt": pr.created_at, "completedAt": pr.updated_at,
            "__implements": CHECK_CONTEXT_IS}


def rollup_state(pr: SPull) -> str | None:
    if not pr.checks:
        return None
    outcomes = {c.outcome for c in pr.checks}
    if "failing" in outcomes:
        return "FAILURE"
    if "pending" in outcomes:
        return "PENDING"
    return "SUCCESS"


def _comment_obj(repo: SRepo, pr: SPull, thread: SThread, comment: SComment) -> dict[str, Any]:
    return {
        "__typename": "PullRequestReviewComment", "id": f"PRRC_kwDO{comment.id}",
        "fullDatabaseId": str(comment.id), "databaseId": comment.id,
        "url": f"https://github.com/{repo.full_name}/pull/{pr.number}#discussion_r{comment.id}",
        "author": _actor(comment.author), "body": comment.body, "createdAt": comment.created_at,
        "path": thread.path, "line": None if thread.is_outdated else thread.line,
        "originalLine": thread.line, "outdated": thread.is_outdated,
    }


def thread_obj(repo: SRepo, pr: SPull, thread: SThread) -> dict[str, Any]:
    return {
        "__typename": "PullRequestReviewThread", "id": thread.id,
        "isResolved": thread.is_resolved, "isOutdated": thread.is_outdated,
        "isCollapsed": thread.is_resolved, "path": thread.path,
        "line": None if thread.is_outdated else thread.line, "originalLine": thread.line,
        "startLine": None, "diffSide": "RIGHT", "subjectType": "LINE",
        "viewerCanResolve": True, "viewerCanReply": True,
        "comments": _paged([_comment_obj(repo, pr, thread, c) for c in thread.comments],
                           "comments"),
    }


def review_obj(repo: SRepo, pr: SPull, review: SReview) -> dict[str, Any]:
    return {
        "__typename": "PullRequestReview", "id": f"PRR_kwDO{review.id}",
        "databaseId": review.id, "state": review.state, "body": review.body,
        "url": f"https://github.com/{repo.full_name}/pull/{pr.number}"
               f"#pullrequestreview-{review.id}",
        "submittedAt": review.submitted_at, "createdAt": review.submitted_at,
        "author": _actor(review.author),
    }


def pull_obj(repo: SRepo, pr: SPull) -> dict[str, Any]:
    rollup = None
    if pr.checks:
        rollup = {"__typename": "StatusCheckRollup", "state": rollup_state(pr),
                  "contexts": _paged([_check_obj(c, pr) for c in pr.checks], "contexts")}
    return {
        "__typename": "PullRequest", "id": f"PR_kwDO{repo.id}_{pr.number}",
        "number": pr.number, "title": pr.title, "body": pr.body,
        "url": f"https://github.com/{repo.full_name}/pull/{pr.number}", "state": pr.state,
        "isDraft": pr.draft, "createdAt": pr.created_at, "updatedAt": pr.updated_at,
        "author": _actor(pr.author), "baseRefName": pr.base_ref, "baseRefOid": repo.base_sha,
        "headRefName": pr.head_ref, "headRefOid": pr.head_sha,
        "mergeable": pr.mergeable, "mergeStateStatus": merge_state(repo, pr),
        "reviewDecision": pr.review_decision, "isInMergeQueue": False,
        "viewerCanUpdateBranch": bool(pr.behind_by), "viewerCanMergeAsAdmin": False,
        "statusCheckRollup": rollup,
        "reviewThreads": _paged([thread_obj(repo, pr, t) for t in pr.threads], "reviewThreads"),
        "latestReviews": _paged([review_obj(repo, pr, r) for r in pr.reviews], "latestReviews"),
        "repository": {"__typename": "Repository", "nameWithOwner": repo.full_name},
    }
