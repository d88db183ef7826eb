"""The GitHub side of the core: the person's desk of pull requests, review threads and issues.

No Textual here. A `Desk` holds the GitHub service, the agents' lanes and the repositories, and
answers the screens with one immutable `DeskSnapshot` (`core/desk_snapshot.py`). A repository
that fails (404, 403, a timeout, a 5xx) fails only its own rows: the others' PRs still show, and
the snapshot names it in `repo_errors`; only when every repository fails is the whole refresh
an error state.

Actions (`merge`, `resolve`, `update_branch`, `post_guidance`, ...) raise `GitHubError` for the
caller to show. A merge is squash, pinned to the head SHA the gate saw, and never retried; an
admin merge needs a typed reason, which the journal keeps.

The person's own marks (assignments, snoozes, threads sent to a queue) are kept on disk by
`services.desk_store.DeskStore`; what they mean (a snooze ends when the thread changes or its time
is up) is decided here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from orchestra_tui.config import DEFAULT_ASSIGN_TEMPLATE
from orchestra_tui.core.desk_issues import IssuesDesk
from orchestra_tui.core.desk_snapshot import (
    GUIDANCE_TEMPLATE,
    NOT_CONFIGURED,
    UNCONFIGURED,
    Assignment,
    DeskError,
    DeskSnapshot,
    GitHubSource,
    InboxEntry,
    LaneIssues,
    Notice,
    assign_prompt,
    thread_fingerprint,
)
from orchestra_tui.core.gate import evaluate_gate
from orchestra_tui.core.inbox import InboxPull, build_inbox, order_pulls, repos_of
from orchestra_tui.diff_models import Diff, LineComment
from orchestra_tui.errors import GitHubError, OrchestraError
from orchestra_tui.models import AgentSpec, MergeOutcome, PullRequest, RateLimit, ReviewThread
from orchestra_tui.services.desk_store import STATE_FILE, DeskStore

__all__ = [
    "DEFAULT_REFRESH_SECONDS", "GUIDANCE_TEMPLATE", "MERGE_METHOD", "NOT_CONFIGURED", "STATE_FILE",
    "UNCONFIGURED", "Assignment", "Desk", "DeskError", "DeskSnapshot", "GitHubSource",
    "InboxEntry", "LaneIssues", "Notice", "assign_prompt", "desk_from_config",
    "thread_fingerprint",
]

MERGE_METHOD = "squash"
DEFAULT_REFRESH_SECONDS = 60.0


class Desk(IssuesDesk):
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
        self.store = DeskStore(state_path)
        self._lock = asyncio.Lock()
        self._snapshot = DeskSnapshot(repos=self.repos, agents=self.agents)

    # -- state ---------------------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.store.path

    async def _save(self) -> None:
        await asyncio.to_thread(self.store.save)

    def _assignments(self) -> dict[str, Assignment]:
        out = {}
        for agent, item in self.store.section("assignments").items():
            try:
                out[agent] = Assignment(agent, str(item["repo"]), int(item["number"]),
                                        str(item.get("title") or ""), float(item.get("at") or 0))
            except (KeyError, TypeError, ValueError):
                continue
        return out

    def _snoozed_ids(self, pulls: Iterable[InboxPull]) -> frozenset[str]:
        snoozed = self.store.section("snoozed")
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
                                 queued=dict(self.store.section("queued")),
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

    def _rate_limit(self) -> RateLimit:
        try:
            return self.github.rate_limit
        except Exception:
            return self._snapshot.rate_limit

    # -- pull requests -------------------------------------------------------------------------

    async def refresh(self) -> DeskSnapshot:
        """Every open PR in the repos with its gate and threads. Never raises a GitHubError:
        a repository that fails keeps its last PRs and is named in `repo_errors`; when every
        one fails, the last PRs stay and `error` says why."""
        async with self._lock:
            if not self.repos:
                return self._publish(at=self.clock(), error=DeskError("error", NOT_CONFIGURED))
            data = await build_inbox(self.github, self.repos, self.agents, isolate=True)
            failed = {repo: DeskError.of(error) for repo, error in data.failures}
            if failed and len(failed) == len(self.repos):
                return self._publish(at=self.clock(), error=failed[self.repos[0]],
                                     repo_errors={}, rate_limit=self._rate_limit())
            pulls = data.pulls
            if failed:
                gone = {repo.lower() for repo in failed}
                kept = [p for p in self._snapshot.pulls if p.pr.repo.lower() in gone]
                pulls = order_pulls([*pulls, *kept], self.agents)
            if self._forget_gone(pulls):
                await self._save()
            return self._publish(at=self.clock(), pulls=pulls, error=None, repo_errors=failed,
                                 rate_limit=data.rate_limit, refresh_cost=data.refresh_cost)

    def _forget_gone(self, pulls: Sequence[InboxPull]) -> bool:
        """Drop snoozes and queue marks of threads that left (resolved, PR merged), and
        expired snoozes. True when the state changed."""
        present = {t.id for p in pulls for t in p.pr.threads}
        changed = False
        now = self.clock()
        for key in ("snoozed", "queued"):
            section = self.store.section(key)
            for thread_id in list(section):
                entry = section[thread_id]
                expired = (key == "snoozed" and isinstance(entry, dict)
                           and entry.get("until") is not None and now >= float(entry["until"]))
                if thread_id not in present or expired:
                    del section[thread_id]
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

    async def pull_diff(self, pr: PullRequest) -> Diff:
        return await self.github.pull_diff(pr)

    async def post_review_comments(self, pr: PullRequest, commit_id: str,
                                   comments: Sequence[LineComment]) -> list[str]:
        """Each comment on its line of `pr` at `commit_id`, as a review comment: GitHub
        makes it a review thread, which the inbox then shows (and can send to the owner).
        Stops at the first refusal; the URLs of those posted."""
        posted = []
        for comment in comments:
            posted.append(await self.github.post_review_comment(pr, commit_id, comment))
            await self._journal("review_comment", pr.agent, repo=pr.repo, number=pr.number,
                                path=comment.path, line=comment.end, sha=commit_id)
        return posted

    # -- the inbox's own state -----------------------------------------------------------------

    async def snooze(self, thread: ReviewThread, hours: float | None = None) -> DeskSnapshot:
        """Hide a thread until it changes, or for `hours` (and until it changes)."""
        until = None if hours is None else self.clock() + hours * 3600
        self.store.section("snoozed")[thread.id] = {"fingerprint": thread_fingerprint(thread),
                                                    "until": until}
        await self._save()
        return self._publish()

    async def unsnooze(self, thread_id: str) -> DeskSnapshot:
        if self.store.section("snoozed").pop(thread_id, None) is not None:
            await self._save()
        return self._publish()

    async def mark_queued(self, thread_id: str, agent: str) -> DeskSnapshot:
        """Remember that a thread went to `agent`'s queue (the inbox marks it)."""
        self.store.section("queued")[thread_id] = agent
        await self._save()
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
