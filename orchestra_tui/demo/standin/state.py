"""The GitHub stand-in's in-memory world and how GitHub's REST API renders it (its GraphQL
objects: `objects`). Stdlib only: the demo ships this."""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

DOCS = "https://docs.github.com/rest"
GRAPHQL_LIMIT = 5000
REST_LIMIT = 5000
UPDATE_BRANCH_DELAY = 0.2  # seconds until an accepted update-branch lands
BOTS = {"cursor", "coderabbitai", "copilot-pull-request-reviewer", "github-actions", "renovate"}
_ids = itertools.count(1000)


def sha_of(*parts: object) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def now_iso(offset: float = 0.0) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset))


@dataclass
class SCheck:
    name: str
    status: str = "COMPLETED"  # CheckRun: QUEUED, IN_PROGRESS, COMPLETED
    conclusion: str | None = "SUCCESS"
    required: bool = False
    kind: str = "CheckRun"  # or StatusContext (then `state` is used)
    state: str = "SUCCESS"
    url: str = ""
    # A check run's app (`github-actions`: an Actions job, with steps and a log) and output.
    app: str = "github-actions"
    steps: list[tuple[str, str]] = field(default_factory=list)  # (name, conclusion)
    log: str = ""
    summary: str = ""
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def outcome(self) -> str:
        """passing, failing, pending or neutral."""
        if self.kind == "StatusContext":
            return {"SUCCESS": "passing", "FAILURE": "failing", "ERROR": "failing"}.get(
                self.state, "pending")
        if self.status != "COMPLETED":
            return "pending"
        if self.conclusion == "SUCCESS":
            return "passing"
        if self.conclusion in ("NEUTRAL", "SKIPPED"):
            return "neutral"
        return "failing"


@dataclass
class SComment:
    author: str
    body: str
    created_at: str
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def is_bot(self) -> bool:
        return self.author in BOTS


@dataclass
class SThread:
    path: str
    line: int | None
    comments: list[SComment]
    is_resolved: bool = False
    is_outdated: bool = False
    id: str = field(default_factory=lambda: f"PRRT_kwDO{next(_ids)}")


@dataclass
class SFile:
    """A file a PR changes, with its patch (GitHub's per-file hunks; "" for a binary file)."""

    filename: str
    patch: str = ""
    status: str = "modified"  # added, removed, modified, renamed
    previous_filename: str = ""

    def counts(self) -> tuple[int, int]:
        """(additions, deletions) of the patch."""
        lines = self.patch.splitlines()
        return (sum(1 for line in lines if line.startswith("+")),
                sum(1 for line in lines if line.startswith("-")))


@dataclass
class SReview:
    author: str
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED
    body: str = ""
    submitted_at: str = "2026-01-05T10:30:00Z"
    id: int = field(default_factory=lambda: next(_ids))


@dataclass
class SPull:
    number: int
    title: str
    head_ref: str
    author: str = "octo-agent"
    base_ref: str = "main"
    body: str = ""
    draft: bool = False
    review_decision: str | None = "APPROVED"
    mergeable: str = "MERGEABLE"
    checks: list[SCheck] = field(default_factory=list)
    threads: list[SThread] = field(default_factory=list)
    behind_by: int = 0
    ahead_by: int = 2
    state: str = "OPEN"  # OPEN, MERGED, CLOSED
    created_at: str = "2026-01-05T09:00:00Z"
    updated_at: str = "2026-01-05T10:00:00Z"
    merge_state_override: str | None = None
    update_ready_at: float | None = None  # update-branch accepted; lands at this time
    head_sha: str = ""
    labels: list[str] = field(default_factory=list)
    comments: list[SComment] = field(default_factory=list)
    files: list[SFile] = field(default_factory=list)
    reviews: list[SReview] = field(default_factory=list)  # each reviewer's latest

    def __post_init__(self) -> None:
        if not self.head_sha:
            self.head_sha = sha_of("head", self.number, self.head_ref)


@dataclass
class SIssue:
    number: int
    title: str
    body: str = ""
    author: str = "octo-person"
    labels: list[str] = field(default_factory=list)
    comments: list[SComment] = field(default_factory=list)
    state: str = "open"
    created_at: str = "2026-01-04T09:00:00Z"


@dataclass
class SRepo:
    owner: str
    name: str
    pulls: dict[int, SPull] = field(default_factory=dict)
    issues: dict[int, SIssue] = field(default_factory=dict)
    strict: bool = True  # branch protection: require branches to be up to date
    require_resolved: bool = True  # require conversation resolution
    base_sha: str = ""
    id: int = field(default_factory=lambda: next(_ids))

    def __post_init__(self) -> None:
        if not self.base_sha:
            self.base_sha = sha_of("base", self.owner, self.name)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


def merge_state(repo: SRepo, pr: SPull) -> str:
    """mergeStateStatus as GitHub derives it from the rules the stand-in models."""
    if pr.merge_state_override:
        return pr.merge_state_override
    if pr.mergeable == "CONFLICTING":
        return "DIRTY"
    if pr.mergeable != "MERGEABLE":
        return "UNKNOWN"
    if pr.behind_by and repo.strict:
        return "BEHIND"
    required_bad = any(c.required and c.outcome in ("failing", "pending") for c in pr.checks)
    unresolved = repo.require_resolved and any(
        not t.is_resolved and not t.is_outdated for t in pr.threads)
    if (pr.draft or required_bad or unresolved
            or pr.review_decision in ("REVIEW_REQUIRED", "CHANGES_REQUESTED")):
        return "BLOCKED"
    if any(c.outcome in ("failing", "pending") for c in pr.checks):
        return "UNSTABLE"
    return "CLEAN"


def merge_refusal(repo: SRepo, pr: SPull) -> str | None:
    """GitHub's 405 message when the PR can't be merged now, else None."""
    state = merge_state(repo, pr)
    if pr.state != "OPEN":
        return "Pull Request is not mergeable"
    if state == "DIRTY":
        return "Pull Request is not mergeable"
    if state == "BEHIND":
        return "Head branch is out of date. Review and try the merge again."
    if state == "UNKNOWN":
        return "Base branch was modified. Review and try the merge again."
    if pr.draft:
        return "Pull Request is still a draft"
    if state == "BLOCKED":
        for check in pr.checks:
            if check.required and check.outcome != "passing":
                word = "expected" if check.outcome == "pending" else "failing"
                return f'Required status check "{check.name}" is {word}.'
        if pr.review_decision in ("REVIEW_REQUIRED", "CHANGES_REQUESTED"):
            return "At least 1 approving review is required by reviewers with write access."
        return "A conversation must be resolved before this pull request can be merged."
    return None


# -- REST renderings (schemas: api.github.com.json) --------------------------------------------


def user_json(api: str, login: str) -> dict[str, Any]:
    is_bot = login in BOTS
    shown = f"{login}[bot]" if is_bot else login
    uid = int(hashlib.sha1(login.encode()).hexdigest()[:6], 16)
    return {
        "login": shown, "id": uid, "node_id": f"MDQ6VXNlcj{uid}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4", "gravatar_id": "",
        "url": f"{api}/users/{shown}", "html_url": f"https://github.com/{shown}",
        "followers_url": f"{api}/users/{shown}/followers",
        "following_url": f"{api}/users/{shown}/following{{/other_user}}",
        "gists_url": f"{api}/users/{shown}/gists{{/gist_id}}",
        "starred_url": f"{api}/users/{shown}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/users/{shown}/subscriptions",
        "organizations_url": f"{api}/users/{shown}/orgs",
        "repos_url": f"{api}/users/{shown}/repos",
        "events_url": f"{api}/users/{shown}/events{{/privacy}}",
        "received_events_url": f"{api}/users/{shown}/received_events",
        "type": "Bot" if is_bot else "User", "site_admin": False, "user_view_type": "public",
    }


def label_json(api: str, repo: SRepo, name: str) -> dict[str, Any]:
    lid = int(sha_of("label", name)[:6], 16)
    return {"id": lid, "node_id": f"LA_kwDO{lid}", "name": name, "color": "d73a4a",
            "description": None, "default": False,
            "url": f"{api}/repos/{repo.full_name}/labels/{name}"}


def issue_json(api: str, repo: SRepo, item: SIssue | SPull) -> dict[str, Any]:
    base = f"{api}/repos/{repo.full_name}/issues/{item.number}"
    kind = "pull" if isinstance(item, SPull) else "issues"
    html = f"https://github.com/{repo.full_name}/{kind}/{item.number}"
    state = "open" if (item.state.lower() == "open") else "closed"
    body: dict[str, Any] = {
        "id": int(sha_of("issue", repo.full_name, item.number)[:7], 16),
        "node_id": f"I_kwDO{repo.id}{item.number}",
        "url": base, "repository_url": f"{api}/repos/{repo.full_name}",
        "labels_url": f"{base}/labels{{/name}}", "comments_url": f"{base}/comments",
        "events_url": f"{base}/events", "html_url": html, "number": item.number,
        "state": state, "state_reason": None, "title": item.title, "body": item.body or None,
        "user": user_json(api, item.author),
        "labels": [label_json(api, repo, name) for name in item.labels],
        "assignee": None, "assignees": [], "milestone": None, "locked": False,
        "active_lock_reason": None, "comments": len(item.comments),
        "closed_at": None if state == "open" else now_iso(), "created_at": item.created_at,
        "updated_at": item.created_at, "author_association": "MEMBER",
        "timeline_url": f"{base}/timeline",
    }
    if isinstance(item, SPull):
        body["draft"] = item.draft
        body["pull_request"] = {
            "url": f"{api}/repos/{repo.full_name}/pulls/{item.number}", "html_url": html,
            "diff_url": f"{html}.diff", "patch_url": f"{html}.patch",
            "merged_at": now_iso() if item.state == "MERGED" else None,
        }
    return body


def comment_json(api: str, repo: SRepo, number: int, comment: SComment) -> dict[str, Any]:
    return {
        "id": comment.id, "node_id": f"IC_kwDO{comment.id}",
        "url": f"{api}/repos/{repo.full_name}/issues/comments/{comment.id}",
        "html_url": f"https://github.com/{repo.full_name}/issues/{number}"
                    f"#issuecomment-{comment.id}",
        "body": comment.body, "user": user_json(api, comment.author),
        "created_at": comment.created_at, "updated_at": comment.created_at,
        "issue_url": f"{api}/repos/{repo.full_name}/issues/{number}",
        "author_association": "MEMBER",
    }


def commit_json(api: str, repo: SRepo, sha: str, message: str,
                parent: str | None) -> dict[str, Any]:
    git_user = {"name": "Octo Agent", "email": "agent@example.com", "date": "2026-01-05T09:00:00Z"}
    return {
        "url": f"{api}/repos/{repo.full_name}/commits/{sha}", "sha": sha,
        "node_id": f"C_kwDO{sha[:12]}",
        "html_url": f"https://github.com/{repo.full_name}/commit/{sha}",
        "comments_url": f"{api}/repos/{repo.full_name}/commits/{sha}/comments",
        "commit": {
            "url": f"{api}/repos/{repo.full_name}/git/commits/{sha}",
            "author": git_user, "committer": git_user, "message": message, "comment_count": 0,
            "tree": {"sha": sha_of("tree", sha),
                     "url": f"{api}/repos/{repo.full_name}/git/trees/{sha_of('tree', sha)}"},
            "verification": {"verified": False, "reason": "unsigned", "payload": None,
                             "signature": None, "verified_at": None},
        },
        "author": user_json(api, "octo-agent"), "committer": user_json(api, "octo-agent"),
        "parents": ([{"sha": parent, "url": f"{api}/repos/{repo.full_name}/commits/{parent}",
                      "html_url": f"https://github.com/{repo.full_name}/commit/{parent}"}]
                    if parent else []),
    }


def comparison_json(api: str, repo: SRepo, base: str, head: str, pr: SPull,
                    per_page: int) -> dict[str, Any]:
    status = ("diverged" if pr.ahead_by and pr.behind_by else "behind" if pr.behind_by
              else "ahead" if pr.ahead_by else "identical")
    merge_base = sha_of("merge-base", repo.full_name, pr.number, pr.behind_by)
    commits = [commit_json(api, repo, sha_of("commit", pr.head_sha, i), f"work {i}", merge_base)
               for i in range(min(pr.ahead_by, per_page))]
    html = f"https://github.com/{repo.full_name}/compare/{base}...{head}"
    return {
        "url": f"{api}/repos/{repo.full_name}/compare/{base}...{head}",
        "html_url": html, "permalink_url": html, "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "base_commit": commit_json(api, repo, repo.base_sha, "base", None),
        "merge_base_commit": commit_json(api, repo, merge_base, "merge base", None),
        "status": status, "ahead_by": pr.ahead_by, "behind_by": pr.behind_by,
        "total_commits": pr.ahead_by, "commits": commits, "files": [],
    }


def error_json(message: str, status: int) -> dict[str, Any]:
    return {"message": message, "documentation_url": DOCS, "status": str(status)}
