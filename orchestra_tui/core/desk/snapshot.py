"""What the GitHub screens see: one immutable `DeskSnapshot` of every open PR with its gate, the
rate limit, the issues, the person's own marks, and an error *state* (kind, one line, reset time)
instead of an exception, so a 401 or a rate limit is a line on the screen, not a traceback. A
repository that failed while the others answered is its own entry in `repo_errors`.

>>> from orchestra_tui.models import AgentSpec, Issue
>>> issue = Issue("acme/shop", 90, "Retries flood the log", "", "https://x/90")
>>> assign_prompt(issue, AgentSpec("api", repo="acme/shop", branch="api/*"),
...               "Work on #{number} ({title}) in {repo} on a branch matching {branch}.")
'Work on #90 (Retries flood the log) in acme/shop on a branch matching api/*.'
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from orchestra_tui.config import DEFAULT_ASSIGN_TEMPLATE
from orchestra_tui.core.desk.inbox import InboxPull
from orchestra_tui.core.desk.loop_items import LoopItem
from orchestra_tui.diff_models import Diff, LineComment
from orchestra_tui.errors import GitHubError, OrchestraError
from orchestra_tui.models import (
    AgentSpec,
    Issue,
    IssueComment,
    MergeOutcome,
    PullRequest,
    RateLimit,
    ReviewThread,
)
from orchestra_tui.pr_facts import CheckFailure

NOT_CONFIGURED = ("GitHub not configured: add repo = \"owner/name\" to an agent (or [github] "
                  "repos), and set GH_TOKEN")

GUIDANCE_TEMPLATE = """\
## Implementation guidance

- Files:
- Patterns to follow:
- Branch:
- How to verify:
- Do not touch:
"""


class GitHubSource(Protocol):
    """What the desk asks of GitHub (`services.github.GitHubService` is one)."""

    async def list_pull_requests(self, repo: str) -> list[PullRequest]: ...
    async def resolve_thread(self, thread_id: str) -> bool: ...
    async def merge(self, repo: str, number: int, sha: str, method: str = ...) -> MergeOutcome: ...
    async def update_branch(self, repo: str, number: int, expected_head_sha: str) -> str: ...
    async def pull_diff(self, pr: PullRequest) -> Diff: ...

    async def post_review_comment(self, pr: PullRequest, commit_id: str,
                                  comment: LineComment) -> str: ...

    async def list_issues(self, repo: str) -> list[Issue]: ...
    async def issue_with_comments(self, repo: str, number: int) -> Issue: ...
    async def comment_on_issue(self, repo: str, number: int, body: str) -> IssueComment: ...
    async def failed_checks(self, repo: str, head_sha: str) -> tuple[CheckFailure, ...]: ...
    async def behind_by(self, repo: str, base: str, head: str) -> int: ...

    @property
    def rate_limit(self) -> RateLimit: ...

    @property
    def graphql_cost(self) -> int: ...


@dataclass(frozen=True)
class DeskError:
    """Why the last refresh (or one repository of it) failed, as the screens show it."""

    kind: str  # auth, rate_limited, network, timeout, server, not_found, error
    message: str  # one line
    reset_at: float | None = None  # rate_limited: when GitHub lets orchestra call again

    @classmethod
    def of(cls, error: OrchestraError) -> DeskError:
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if isinstance(error, GitHubError):
            return cls(str(error.kind), text, error.reset_at)
        return cls("error", text)


@dataclass(frozen=True)
class Assignment:
    """The issue an agent was last assigned from the app."""

    agent: str
    repo: str
    number: int
    title: str = ""
    at: float = 0.0

    @property
    def label(self) -> str:
        return f"#{self.number}"


@dataclass(frozen=True)
class LaneIssues:
    """One repository's open issues and the agents whose lanes are in it; `error` when this
    repository could not be read while others could."""

    repo: str
    agents: tuple[str, ...]
    issues: tuple[Issue, ...]
    error: DeskError | None = None


@dataclass(frozen=True)
class Notice:
    """The outcome of the last action on GitHub (a merge, an update), kept on screen."""

    ok: bool
    text: str
    at: float = 0.0


@dataclass(frozen=True)
class InboxEntry:
    pull: InboxPull
    thread: ReviewThread
    snoozed: bool = False
    queued_for: str | None = None  # already sent to this agent's queue


@dataclass(frozen=True)
class LoopEntry:
    """A PR-loop item (failed check, conflict, stale base, blocking review) in the inbox."""

    pull: InboxPull
    item: LoopItem
    routed_to: str | None = None  # already sent to this agent's queue (by key or autoroute)


InboxGroups = list[tuple[str | None, list[tuple[InboxPull, list[InboxEntry]]]]]


@dataclass(frozen=True)
class DeskSnapshot:
    configured: bool = True
    at: float = 0.0  # when the last refresh finished (0: never)
    pulls: tuple[InboxPull, ...] = ()
    rate_limit: RateLimit = field(default_factory=RateLimit)
    refresh_cost: int | None = None
    error: DeskError | None = None  # the whole refresh failed (every repository)
    # Repositories that failed while others answered: their last PRs stay in `pulls`.
    repo_errors: Mapping[str, DeskError] = field(default_factory=dict)
    repos: tuple[str, ...] = ()
    agents: tuple[AgentSpec, ...] = ()
    snoozed: frozenset[str] = frozenset()  # thread ids hidden now
    queued: Mapping[str, str] = field(default_factory=dict)  # thread id -> agent
    assignments: Mapping[str, Assignment] = field(default_factory=dict)
    issues: tuple[LaneIssues, ...] | None = None  # None: never loaded
    issues_error: DeskError | None = None
    issues_at: float = 0.0  # when the issues were last read (0: never)
    details: Mapping[tuple[str, int], Issue] = field(default_factory=dict)
    notice: Notice | None = None
    refreshing: bool = False
    loop_items: tuple[LoopItem, ...] = ()  # failed checks, conflicts, stale bases, reviews
    routed: Mapping[str, str] = field(default_factory=dict)  # fingerprint -> agent

    @property
    def loaded(self) -> bool:
        return self.at > 0

    def pull(self, repo: str, number: int) -> InboxPull | None:
        return next((p for p in self.pulls
                     if p.pr.number == number and p.pr.repo.lower() == repo.lower()), None)

    def current_issue(self, agent: str) -> str | None:
        """`#N` of the issue `agent` was assigned, or None."""
        assignment = self.assignments.get(agent)
        return assignment.label if assignment else None

    def loop_entries(self, pull: InboxPull) -> list[LoopEntry]:
        """The PR's loop items, in the order they were found (checks, conflict or base,
        reviews)."""
        key = (pull.pr.repo.lower(), pull.pr.number)
        return [LoopEntry(pull, item, self.routed.get(item.fingerprint))
                for item in self.loop_items if (item.pr.repo.lower(), item.pr.number) == key]

    def inbox(self, *, include_snoozed: bool = False) -> InboxGroups:
        """Open review threads grouped by agent (config order, unassigned last), then PR
        (newest thread first; PRs with only loop items last), threads newest first. A PR with
        loop items (`loop_entries`) is listed even without an open thread."""
        order = {agent.name: index for index, agent in enumerate(self.agents)}
        groups: dict[str | None, list[tuple[InboxPull, list[InboxEntry]]]] = {}
        for item in self.pulls:
            entries = [InboxEntry(item, t, t.id in self.snoozed, self.queued.get(t.id))
                       for t in item.pr.threads if not t.is_resolved and not t.is_outdated]
            if not include_snoozed:
                entries = [e for e in entries if not e.snoozed]
            if not entries and not self.loop_entries(item):
                continue
            entries.sort(key=lambda e: e.thread.created_at, reverse=True)
            groups.setdefault(item.pr.agent, []).append((item, entries))
        for pulls in groups.values():
            pulls.sort(key=lambda p: p[1][0].thread.created_at if p[1] else "", reverse=True)
        return sorted(groups.items(), key=lambda g: order.get(g[0] or "", len(order)))


UNCONFIGURED = DeskSnapshot(configured=False)


class _Fields(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def assign_prompt(issue: Issue, spec: AgentSpec | None, template: str) -> str:
    """The "work on issue #N" prompt from the configured template. Fields: {number}, {url},
    {title}, {repo}, {branch} (the agent's branch glob); an unknown field stays as written."""
    fields = _Fields(number=issue.number, url=issue.url, title=issue.title, repo=issue.repo,
                     branch=(spec.branch if spec and spec.branch else "*"))
    try:
        return template.format_map(fields)
    except (ValueError, AttributeError, IndexError, KeyError):
        return DEFAULT_ASSIGN_TEMPLATE.format_map(fields)


def thread_fingerprint(thread: ReviewThread) -> str:
    """What a snooze remembers: a thread that changes (edited, moved, outdated) comes back."""
    text = "\0".join([thread.path, str(thread.line), thread.body, str(thread.is_outdated)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]
