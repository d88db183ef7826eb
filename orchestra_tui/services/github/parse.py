"""GitHub's GraphQL and REST answers turned into orchestra's models (pure functions).

What a comment means (a bot's severity markup) is not read here: `core.severity` interprets it,
so a thread leaves this module with `severity=None`.

Every string GitHub gives (titles, bodies, logins, paths, names) leaves here with its control
characters made visible (`agents.inert.visible_controls`: ESC as `␛`): a review body holding
`ESC]2;… BEL` or `ESC[2J` is shown and printed as text, never obeyed by the terminal.

>>> comment_from_rest({"user": {"login": "x"}, "body": "a\\x1b[2Jb\\r\\n"}).body
'a␛[2Jb\\n'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from orchestra_tui.agents.inert import visible_controls
from orchestra_tui.models import (
    Check,
    CheckState,
    Issue,
    IssueComment,
    PullRequest,
    ReviewThread,
)
from orchestra_tui.pr_facts import Review

_CONCLUSIONS = {
    "SUCCESS": CheckState.PASSING,
    "NEUTRAL": CheckState.NEUTRAL,
    "SKIPPED": CheckState.NEUTRAL,
    "FAILURE": CheckState.FAILING,
    "TIMED_OUT": CheckState.FAILING,
    "CANCELLED": CheckState.FAILING,
    "ACTION_REQUIRED": CheckState.FAILING,
    "STARTUP_FAILURE": CheckState.FAILING,
    "STALE": CheckState.FAILING,  # GitHub gave up waiting: it has to be re-run
}
_STATUS_STATES = {
    "SUCCESS": CheckState.PASSING,
    "PENDING": CheckState.PENDING,
    "EXPECTED": CheckState.PENDING,
    "FAILURE": CheckState.FAILING,
    "ERROR": CheckState.FAILING,
}


def _text(value: Any) -> str:
    """A string from GitHub, safe to show: "" for none, controls as symbols."""
    return visible_controls(str(value or ""))


text_of = _text  # for the other readers of GitHub's answers


def plain(value: Any) -> Any:
    """ghapi's answers (fastcore's `AttrDict` and `L`) as plain dicts and lists, so nothing past
    the service holds a library object."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Iterable):
        return value
    return [plain(item) for item in value]


def context_name(node: Mapping[str, Any]) -> str:
    if node.get("__typename") == "StatusContext":
        return _text(node.get("context"))
    return _text(node.get("name"))


def check_from_node(node: Mapping[str, Any], required: bool | None = None) -> Check | None:
    """A `CheckRun` or `StatusContext` node as a Check; None for a node of another type."""
    kind = node.get("__typename")
    if required is None:
        required = bool(node.get("isRequired", False))
    if kind == "CheckRun":
        if node.get("status") != "COMPLETED":
            state = CheckState.PENDING
        else:
            state = _CONCLUSIONS.get(str(node.get("conclusion")), CheckState.FAILING)
        return Check(_text(node.get("name")), state, required, _text(node.get("detailsUrl")))
    if kind == "StatusContext":
        state = _STATUS_STATES.get(str(node.get("state")), CheckState.PENDING)
        return Check(_text(node.get("context")), state, required, _text(node.get("targetUrl")))
    return None


def thread_from_node(node: Mapping[str, Any], repo: str, number: int) -> ReviewThread | None:
    """A review thread as its first comment (the finding); None when it has no comment."""
    comments = ((node.get("comments") or {}).get("nodes")) or []
    if not comments:
        return None
    first = comments[0]
    author = first.get("author") or {}
    login = _text(author.get("login") or "ghost")
    body = _text(first.get("body"))
    line = node.get("line")
    if line is None:
        line = node.get("originalLine")
    return ReviewThread(
        id=str(node["id"]),
        repo=repo,
        pr_number=number,
        path=_text(node.get("path")),
        line=line,
        author=login,
        author_is_bot=author.get("__typename") == "Bot",
        body=body,
        url=_text(first.get("url")),
        created_at=_text(first.get("createdAt")),
        is_outdated=bool(node.get("isOutdated")),
        is_resolved=bool(node.get("isResolved")),
        comment_id=_text(first.get("id")),
    )


def open_threads(nodes: Iterable[Mapping[str, Any]], repo: str,
                 number: int) -> tuple[ReviewThread, ...]:
    """Unresolved, non-outdated threads, newest first."""
    threads = [t for t in (thread_from_node(n, repo, number) for n in nodes)
               if t is not None and not t.is_resolved and not t.is_outdated]
    threads.sort(key=lambda t: t.created_at, reverse=True)
    return tuple(threads)


def resolved_threads(nodes: Iterable[Mapping[str, Any]], repo: str,
                     number: int) -> tuple[ReviewThread, ...]:
    """Resolved threads still on the current diff: a review may go on requesting changes."""
    return tuple(t for t in (thread_from_node(n, repo, number) for n in nodes)
                 if t is not None and t.is_resolved and not t.is_outdated)


def review_from_node(node: Mapping[str, Any]) -> Review | None:
    if not node or not node.get("id"):
        return None
    author = node.get("author") or {}
    return Review(id=str(node["id"]), author=_text(author.get("login") or "ghost"),
                  author_is_bot=author.get("__typename") == "Bot",
                  state=str(node.get("state") or ""), body=_text(node.get("body")),
                  url=_text(node.get("url")), submitted_at=_text(node.get("submittedAt")))


def pull_from_node(node: Mapping[str, Any], repo: str, checks: tuple[Check, ...],
                   thread_nodes: Iterable[Mapping[str, Any]],
                   behind_by: int | None = None) -> PullRequest:
    number = int(node["number"])
    thread_nodes = list(thread_nodes)
    review_nodes = ((node.get("latestReviews") or {}).get("nodes")) or []
    return PullRequest(
        repo=repo,
        number=number,
        title=_text(node.get("title")),
        url=_text(node.get("url")),
        head_ref=_text(node.get("headRefName")),
        head_sha=_text(node.get("headRefOid")),
        base_ref=_text(node.get("baseRefName")),
        author=_text((node.get("author") or {}).get("login") or "ghost"),
        is_draft=bool(node.get("isDraft")),
        review_decision=node.get("reviewDecision"),
        mergeable=str(node.get("mergeable") or "UNKNOWN"),
        merge_state=str(node.get("mergeStateStatus") or "UNKNOWN"),
        behind_by=behind_by,
        checks=checks,
        threads=open_threads(thread_nodes, repo, number),
        resolved_threads=resolved_threads(thread_nodes, repo, number),
        reviews=tuple(r for r in map(review_from_node, review_nodes) if r is not None),
        updated_at=_text(node.get("updatedAt")),
    )


def issue_from_rest(repo: str, body: Mapping[str, Any],
                    comments: tuple[IssueComment, ...] = ()) -> Issue:
    labels = tuple(
        _text(label.get("name") if isinstance(label, Mapping) else label)
        for label in body.get("labels") or ()
    )
    return Issue(
        repo=repo,
        number=int(body["number"]),
        title=_text(body.get("title")),
        body=_text(body.get("body")),
        url=_text(body.get("html_url")),
        author=_text((body.get("user") or {}).get("login") or "ghost"),
        labels=labels,
        comments=comments,
    )


def comment_from_rest(body: Mapping[str, Any]) -> IssueComment:
    return IssueComment(
        author=_text((body.get("user") or {}).get("login") or "ghost"),
        body=_text(body.get("body")),
        created_at=_text(body.get("created_at")),
    )
