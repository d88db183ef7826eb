"""The GitHub side of the core: the person's desk of pull requests, review threads and issues.

No Textual here. A `Desk` holds the GitHub service, the agents' lanes and the repositories, and
answers the screens with one immutable `DeskSnapshot`: every open PR with its gate, the rate
limit, and an error *state* (kind, one line, reset time) instead of an exception, so a 401 or a
rate limit is a line on the screen rather than a traceback.

Actions (`merge`, `resolve`, `update_branch`, `post_guidance`, ...) raise `GitHubError` for the
caller to show. A merge is squash, pinned to the head SHA the gate saw, and never retried; an
admin merge needs a typed reason, which the journal keeps.

The desk also keeps a little state of the person's own, in one JSON file in the data dir
(`github-desk.json`, written atomically): which issue each agent was assigned, which review
threads are snoozed, and which were already sent to an agent's queue.

>>> from orchestra_tui.models import AgentSpec, Issue
>>> issue = Issue("acme/shop", 90, "Retries flood the log", "", "https://x/90")
>>> assign_prompt(issue, AgentSpec("api", repo="acme/shop", branch="api/*"),
...               "Work on #{number} ({title}) in {repo} on a branch matching {branch}.")
'Work on #90 (Retries flood the log) in acme/shop on a branch matching api/*.'
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from orchestra_tui.config import DEFAULT_ASSIGN_TEMPLATE
from orchestra_tui.core.gate import evaluate_gate
from orchestra_tui.core.inbox import InboxPull, build_inbox, repos_of
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

STATE_FILE = "github-desk.json"
MERGE_METHOD = "squash"
DEFAULT_REFRESH_SECONDS = 60.0
NOT_CONFIGURED = ("GitHub not configured: add repo = \"owner/name\" to an agent (or [github] "
                  "repos), and set GH_TOKEN")


class GitHubSource(Protocol):
    """What the desk asks of GitHub (`services.github.GitHubService` is one)."""

    async def list_pull_requests(self, repo: str) -> list[PullRequest]: ...
    async def resolve_thread(self, thread_id: str) -> bool: ...
    async def merge(self, repo: str, number: int, sha: str, method: str = ...) -> MergeOutcome: ...
    async def update_branch(self, repo: str, number: int, expected_head_sha: str) -> str: ...
    async def list_issues(self, repo: str) -> list[Issue]: ...
    async def issue_with_comments(self, repo: str, number: int) -> Issue: ...
    async def comment_on_issue(self, repo: str, number: int, body: str) -> IssueComment: ...

    @property
    def rate_limit(self) -> RateLimit: ...


# ---------------------------------------------------------------------------------------------
# What the screens see


@dataclass(frozen=True)
class DeskError:
    """Why the last refresh failed, as the screens show it."""

    kind: str  # auth, rate_limited, network, timeout, server, not_found, error
    message: str  # one line
    reset_at: float | None = None  # rate_limited: when GitHub lets orchestra call again

    @classmethod
    def of(cls, error: OrchestraError) -> DeskError:
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return cls(getattr(error, "kind", "error"), text, getattr(error, "reset_at", None))


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
    """One repository's open issues and the agents whose lanes are in it."""

    repo: str
    agents: tuple[str, ...]
    issues: tuple[Issue, ...]


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
class DeskSnapshot:
    configured: bool = True
    at: float = 0.0  # when the last refresh finished (0: never)
    pulls: tuple[InboxPull, ...] = ()
    rate_limit: RateLimit = field(default_factory=RateLimit)
    refresh_cost: int | None = None
    error: DeskError | None = None
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

    def inbox(self, *, include_snoozed: bool = False) -> list[tuple[str | None, list[
            tuple[InboxPull, list[InboxEntry]]]]]:
        """Open review threads grouped by agent (config order, unassigned last), then PR
        (newest thread first), threads newest first."""
        order = {agent.name: index for index, agent in enumerate(self.agents)}
        groups: dict[str | None, list[tuple[InboxPull, list[InboxEntry]]]] = {}
        for item in self.pulls:
            entries = [InboxEntry(item, t, t.id in self.snoozed, self.queued.get(t.id))
                       for t in item.pr.threads if not t.is_resolved and not t.is_outdated]
            if not include_snoozed:
                entries = [e for e in entries if not e.snoozed]
            if not entries:
                continue
            entries.sort(key=lambda e: e.thread.created_at, reverse=True)
            groups.setdefault(item.pr.agent, []).append((item, entries))
        for pulls in groups.values():
            pulls.sort(key=lambda p: p[1][0].thread.created_at, reverse=True)
        return sorted(groups.items(), key=lambda g: order.get(g[0] or "", len(order)))

    def thread_count(self) -> int:
        return sum(len(entries) for _, pulls in self.inbox() for _, entries in pulls)


UNCONFIGURED = DeskSnapshot(configured=False)


# ---------------------------------------------------------------------------------------------
# Pure helpers


class _Fields(dict):
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


GUIDANCE_TEMPLATE = """\
## Implementation guidance

- Files:
- Patterns to follow:
- Branch:
- How to verify:
- Do not touch:
"""


# ---------------------------------------------------------------------------------------------
# The desk


class Desk:
    """GitHub for the app and the screens: refresh, merge, resolve, issues, and the person's
    own desk state. One per event loop (the service's HTTP client belongs to it)."""

    def __init__(self, github: GitHubSource, agents: Sequence[AgentSpec],
                 repos: Iterable[str] = (), *, journal: Any = None,
                 state_path: Path | None = None, refresh_seconds: float = DEFAULT_REFRESH_SECONDS,
                 assign_template: str = DEFAULT_ASSIGN_TEMPLATE,
                 clock: Callable[[], float] = time.time) -> None:
        self.github = github
        self.agents = tuple(agents)
        self.repos = tuple(repos_of(self.agents, repos))
        self.journal = journal
        self.refresh_seconds = refresh_seconds
        self.assign_template = assign_template or DEFAULT_ASSIGN_TEMPLATE
        self.clock = clock
        self._state_path = state_path
        self._state: dict[str, Any] | None = None
        self._lock = asyncio.Lock()
        self._snapshot = DeskSnapshot(repos=self.repos, agents=self.agents)

    # -- state ---------------------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        if self._state_path is None:
            from orchestra_tui.paths import data_dir

            self._state_path = data_dir() / STATE_FILE
        return self._state_path

    def _load(self) -> dict[str, Any]:
        if self._state is None:
            try:
                raw = json.loads(self.state_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raw = {}
            if not isinstance(raw, dict):
                raw = {}
            self._state = {key: raw.get(key) if isinstance(raw.get(key), dict) else {}
                           for key in ("assignments", "snoozed", "queued")}
        return self._state

    def _save(self) -> None:
        from orchestra_tui.paths import atomic_write

        state = self._load()
        data = json.dumps({"version": 1, **state}, indent=2, sort_keys=True).encode() + b"\n"
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.state_path, data)

    def _assignments(self) -> dict[str, Assignment]:
        out = {}
        for agent, item in self._load()["assignments"].items():
            try:
                out[agent] = Assignment(agent, str(item["repo"]), int(item["number"]),
                                        str(item.get("title") or ""), float(item.get("at") or 0))
            except (KeyError, TypeError, ValueError):
                continue
        return out

    def _snoozed_ids(self, pulls: Iterable[InboxPull]) -> frozenset[str]:
        snoozed = self._load()["snoozed"]
        now = self.clock()
        hidden = set()
        for item in pulls:
            for thread in item.pr.threads:
                entry = snoozed.get(thread.id)
                if not isinstance(entry, dict):
                    continue
                until = entry.get("until")
                if entry.get("fingerprint") != thread_fingerprint(thread):
                    continue
                if until is not None and now >= float(until):
                    continue
                hidden.add(thread.id)
        return frozenset(hidden)

    def _publish(self, **changes: Any) -> DeskSnapshot:
        """A new snapshot from the last one with `changes`, the person's state re-read."""
        base = replace(self._snapshot, **changes)
        self._snapshot = replace(base, snoozed=self._snoozed_ids(base.pulls),
                                 queued=dict(self._load()["queued"]),
                                 assignments=self._assignments())
        return self._snapshot

    @property
    def snapshot(self) -> DeskSnapshot:
        return self._snapshot

    def current_issue(self, agent: str) -> str | None:
        """`#N` of the issue the person last assigned to `agent` from the app, or None."""
        assignment = self._assignments().get(agent)
        return assignment.label if assignment else None

    def spec(self, agent: str) -> AgentSpec | None:
        return next((a for a in self.agents if a.name == agent), None)

    async def _journal(self, event: str, agent: str | None = None, **fields: Any) -> None:
        if self.journal is not None:
            await asyncio.to_thread(self.journal.append, event, agent, **fields)

    # -- pull requests -------------------------------------------------------------------------

    async def refresh(self) -> DeskSnapshot:
        """Every open PR in the repos with its gate and threads. Never raises a GitHubError:
        a failure keeps the last PRs and sets `error`."""
        async with self._lock:
            if not self.repos:
                return self._publish(at=self.clock(), error=DeskError("error", NOT_CONFIGURED))
            try:
                data = await build_inbox(self.github, self.repos, self.agents)
            except OrchestraError as error:
                return self._publish(at=self.clock(), error=DeskError.of(error),
                                     rate_limit=self._rate_limit())
            if self._forget_gone(data.pulls):
                await asyncio.to_thread(self._save)
            return self._publish(at=self.clock(), pulls=data.pulls, error=None,
                                 rate_limit=data.rate_limit, refresh_cost=data.refresh_cost)

    def _rate_limit(self) -> RateLimit:
        try:
            return self.github.rate_limit
        except Exception:
            return self._snapshot.rate_limit

    def _forget_gone(self, pulls: Sequence[InboxPull]) -> bool:
        """Drop snoozes and queue marks of threads that left (resolved, PR merged), and
        expired snoozes. True when the state changed."""
        present = {t.id for p in pulls for t in p.pr.threads}
        state = self._load()
        changed = False
        now = self.clock()
        for key in ("snoozed", "queued"):
            for thread_id in list(state[key]):
                entry = state[key][thread_id]
                expired = (key == "snoozed" and isinstance(entry, dict)
                           and entry.get("until") is not None and now >= float(entry["until"]))
                if thread_id not in present or expired:
                    del state[key][thread_id]
                    changed = True
        return changed

    async def resolve(self, thread_id: str) -> bool:
        """Resolve a review thread on GitHub; it leaves the inbox at the next refresh."""
        resolved = await self.github.resolve_thread(thread_id)
        if not resolved:
            raise GitHubError(f"GitHub did not resolve thread {thread_id}", kind="error")
        return resolved

    async def merge(self, pr: PullRequest, gate_sha: str) -> MergeOutcome:
        """Squash-merge `pr` pinned to `gate_sha`, the head the gate was shown at. Refused
        without calling GitHub unless that gate is ready; a head that moved since is refused
        by GitHub (409) and merges nothing. Never retried."""
        gate = evaluate_gate(pr)
        if gate.head_sha != gate_sha:
            raise GitHubError(f"head moved, re-check: {pr.repo}#{pr.number} was read at "
                              f"{gate.head_sha[:7]}, not {gate_sha[:7]}; nothing was merged",
                              kind="head_moved")
        if not gate.ready:
            raise GitHubError(f"{pr.repo}#{pr.number} is not ready: {'; '.join(gate.reasons)}; "
                              "nothing was merged (an admin merge needs a typed reason)",
                              kind="not_ready")
        return await self._merge(pr, gate_sha, gate.reasons, None)

    async def admin_merge(self, pr: PullRequest, gate_sha: str, reason: str) -> MergeOutcome:
        """Merge past the gate, still squash and still pinned to `gate_sha`; only with a
        non-empty `reason`, which the journal keeps beside what the gate said."""
        reason = (reason or "").strip()
        if not reason:
            raise GitHubError("an admin merge needs a reason; nothing was merged",
                              kind="no_reason")
        if not gate_sha:
            raise GitHubError("refusing to merge without the head SHA the gate saw",
                              kind="error")
        return await self._merge(pr, gate_sha, evaluate_gate(pr).reasons, reason)

    async def _merge(self, pr: PullRequest, sha: str, reasons: Sequence[str],
                     admin_reason: str | None) -> MergeOutcome:
        record = {"repo": pr.repo, "number": pr.number, "sha": sha, "method": MERGE_METHOD,
                  "gate": list(reasons), "admin": admin_reason is not None,
                  "reason": admin_reason}
        try:
            outcome = await self.github.merge(pr.repo, pr.number, sha, MERGE_METHOD)
            if not outcome.merged:
                raise GitHubError(f"{pr.repo}#{pr.number} not merged: "
                                  f"{outcome.message or 'GitHub said no'}", kind="not_mergeable")
        except OrchestraError as error:
            kind = getattr(error, "kind", "error")
            await self._journal("merge_refused", pr.agent, **record, error=kind,
                                detail=str(error).splitlines()[0])
            self._publish(notice=Notice(False, str(error).splitlines()[0], self.clock()))
            raise
        await self._journal("merge", pr.agent, **record, merge_commit=outcome.sha)
        how = f"admin-merged ({admin_reason})" if admin_reason else "squash-merged"
        self._publish(notice=Notice(True, f"{pr.repo}#{pr.number} {how} at {sha[:7]}",
                                    self.clock()))
        return outcome

    async def update_branch(self, pr: PullRequest) -> str:
        """Merge the base into the PR's branch, only if the head is still the one shown."""
        try:
            message = await self.github.update_branch(pr.repo, pr.number, pr.head_sha)
        except OrchestraError as error:
            self._publish(notice=Notice(False, str(error).splitlines()[0], self.clock()))
            raise
        await self._journal("update_branch", pr.agent, repo=pr.repo, number=pr.number,
                            sha=pr.head_sha)
        text = f"{pr.repo}#{pr.number}: {message}"
        self._publish(notice=Notice(True, text, self.clock()))
        return text

    # -- the inbox's own state -----------------------------------------------------------------

    async def snooze(self, thread: ReviewThread, hours: float | None = None) -> DeskSnapshot:
        """Hide a thread until it changes, or for `hours` (and until it changes)."""
        until = None if hours is None else self.clock() + hours * 3600
        self._load()["snoozed"][thread.id] = {"fingerprint": thread_fingerprint(thread),
                                              "until": until}
        await asyncio.to_thread(self._save)
        return self._publish()

    async def unsnooze(self, thread_id: str) -> DeskSnapshot:
        if self._load()["snoozed"].pop(thread_id, None) is not None:
            await asyncio.to_thread(self._save)
        return self._publish()

    async def mark_queued(self, thread_id: str, agent: str) -> DeskSnapshot:
        """Remember that a thread went to `agent`'s queue (the inbox marks it)."""
        self._load()["queued"][thread_id] = agent
        await asyncio.to_thread(self._save)
        return self._publish()

    # -- issues --------------------------------------------------------------------------------

    def _repo_of(self, agent_or_repo: str) -> str:
        spec = self.spec(agent_or_repo)
        if spec is not None:
            if not spec.repo:
                raise GitHubError(f"agent {spec.name} has no repo in its lane", kind="not_found")
            return spec.repo
        return agent_or_repo

    def lane_agents(self, repo: str) -> tuple[str, ...]:
        return tuple(a.name for a in self.agents if a.repo and a.repo.lower() == repo.lower())

    async def lane_issues(self, agent_or_repo: str) -> list[Issue]:
        """Open issues of an agent's repository (or of a repository named owner/name)."""
        return await self.github.list_issues(self._repo_of(agent_or_repo))

    async def load_issues(self) -> DeskSnapshot:
        """Every repository's open issues into the snapshot; an error becomes `issues_error`.
        An assignment whose issue is no longer open is cleared."""
        async with self._lock:
            if not self.repos:
                return self._publish(issues=(), issues_error=DeskError("error", NOT_CONFIGURED))
            try:
                lists = await asyncio.gather(*(self.github.list_issues(r) for r in self.repos))
            except OrchestraError as error:
                return self._publish(issues_error=DeskError.of(error), issues_at=self.clock(),
                                     rate_limit=self._rate_limit())
            lanes = tuple(LaneIssues(repo, self.lane_agents(repo), tuple(found))
                          for repo, found in zip(self.repos, lists))
            if self._forget_closed(lanes):
                await asyncio.to_thread(self._save)
            return self._publish(issues=lanes, issues_error=None, issues_at=self.clock(),
                                 rate_limit=self._rate_limit())

    def _forget_closed(self, lanes: Sequence[LaneIssues]) -> bool:
        """Clear assignments to issues that are no longer open. True when any was."""
        open_ids = {(lane.repo.lower(), i.number) for lane in lanes for i in lane.issues}
        seen = {lane.repo.lower() for lane in lanes}
        state = self._load()["assignments"]
        gone = [agent for agent, item in state.items()
                if str(item.get("repo", "")).lower() in seen
                and (str(item.get("repo", "")).lower(), item.get("number")) not in open_ids]
        for agent in gone:
            del state[agent]
        return bool(gone)

    async def issue(self, repo: str, number: int) -> Issue:
        """One issue with its comments (kept in the snapshot's `details`)."""
        found = await self.github.issue_with_comments(repo, number)
        details = dict(self._snapshot.details)
        details[(repo, number)] = found
        self._publish(details=details)
        return found

    async def post_guidance(self, repo: str, number: int, body: str) -> IssueComment:
        """Post the person's implementation guidance as a comment on the issue: it outlives
        every agent session, so a restarted agent is pointed back to it."""
        body = body.strip()
        if not body:
            raise GitHubError("guidance is empty; nothing was posted", kind="error")
        comment = await self.github.comment_on_issue(repo, number, body)
        await self._journal("guidance_posted", repo=repo, number=number, chars=len(body))
        try:
            await self.issue(repo, number)
        except OrchestraError:
            pass  # posted; the detail refreshes next time
        return comment

    def assign_prompt(self, issue: Issue, agent: str) -> str:
        return assign_prompt(issue, self.spec(agent), self.assign_template)

    async def set_current_issue(self, agent: str, issue: Issue) -> DeskSnapshot:
        """Record that `agent` is now on `issue` (after its prompt was queued)."""
        self._load()["assignments"][agent] = {"repo": issue.repo, "number": issue.number,
                                              "title": issue.title, "at": self.clock()}
        await asyncio.to_thread(self._save)
        await self._journal("issue_assigned", agent, repo=issue.repo, number=issue.number,
                            title=issue.title)
        return self._publish()

    async def clear_current_issue(self, agent: str) -> DeskSnapshot:
        if self._load()["assignments"].pop(agent, None) is not None:
            await asyncio.to_thread(self._save)
        return self._publish()

    async def aclose(self) -> None:
        close = getattr(self.github, "aclose", None)
        if close is not None:
            await close()


def desk_from_config(config: Any, journal: Any = None, *,
                     state_path: Path | None = None) -> Desk | None:
    """A Desk when any agent has a repo or `[github] repos` names one; else None. Its state
    file sits beside the journal (the demo's data dir is its own), else in the data dir."""
    repos = repos_of(config.agents, config.github.repos)
    if not repos:
        return None
    if state_path is None and getattr(journal, "path", None) is not None:
        state_path = Path(journal.path).parent / STATE_FILE
    from orchestra_tui.services.github import GitHubService

    return Desk(GitHubService.from_config(config.github), config.agents, repos,
                journal=journal, state_path=state_path,
                refresh_seconds=config.github.refresh_seconds,
                assign_template=config.github.assign_template)
