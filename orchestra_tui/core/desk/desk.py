"""The GitHub side of the core: the person's desk of pull requests, review threads and issues.

No Textual here. A `Desk` holds the GitHub service, the agents' lanes and the repositories, and
answers the screens with one immutable `DeskSnapshot` (`core/desk/snapshot.py`). A repository
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

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from orchestra_tui.config import DEFAULT_ASSIGN_TEMPLATE
from orchestra_tui.core.desk.board import DeskBoard, DeskStorePort
from orchestra_tui.core.desk.inbox import InboxPull, build_inbox, order_pulls, repos_of
from orchestra_tui.core.desk.issues import IssuesDesk
from orchestra_tui.core.desk.loop_items import LoopItem
from orchestra_tui.core.desk.merge_gate import evaluate_gate
from orchestra_tui.core.desk.pr_loop import Enqueue, PrLoop, routed_mark
from orchestra_tui.core.desk.snapshot import (
    GUIDANCE_TEMPLATE,
    NOT_CONFIGURED,
    UNCONFIGURED,
    Assignment,
    DeskError,
    DeskSnapshot,
    GitHubSource,
    InboxEntry,
    LaneIssues,
    LoopEntry,
    Notice,
    assign_prompt,
    thread_fingerprint,
)
from orchestra_tui.diff_models import Diff, LineComment
from orchestra_tui.errors import ErrorKind, GitHubError, OrchestraError
from orchestra_tui.models import (
    AgentSpec,
    Issue,
    IssueComment,
    LaneSpec,
    MergeOutcome,
    PullRequest,
    ReviewThread,
)
from orchestra_tui.services.ports import JournalPort

__all__ = [
    "DEFAULT_REFRESH_SECONDS", "GUIDANCE_TEMPLATE", "MERGE_METHOD", "NOT_CONFIGURED",
    "UNCONFIGURED", "Assignment", "Desk", "DeskError", "DeskSnapshot", "GitHubSource",
    "InboxEntry", "LaneIssues", "LoopEntry", "Notice", "assign_prompt", "thread_fingerprint",
]

MERGE_METHOD = "squash"
DEFAULT_REFRESH_SECONDS = 60.0


class Desk:
    """GitHub for the app and the screens: refresh, merge, resolve, issues (`IssuesDesk`), and
    the person's own desk state (`store`, a `services.desk_store.DeskStore`). One per event
    loop (the service's HTTP client belongs to it; whoever built the client closes it)."""

    def __init__(self, github: GitHubSource, agents: Sequence[AgentSpec],
                 repos: Iterable[str] = (), *, store: DeskStorePort,
                 journal: JournalPort | None = None,
                 refresh_seconds: float = DEFAULT_REFRESH_SECONDS,
                 assign_template: str = DEFAULT_ASSIGN_TEMPLATE,
                 lanes: Sequence[LaneSpec] = (),
                 clock: Callable[[], float] = time.time) -> None:
        agents = tuple(agents)
        self.board = DeskBoard(github, agents, repos_of(agents, repos), store=store,
                               journal=journal, clock=clock)
        # Failed checks, conflicts, stale bases and blocking reviews: read and routed.
        self.loop = PrLoop(github, agents, lanes)
        self.issues = IssuesDesk(self.board, assign_template or DEFAULT_ASSIGN_TEMPLATE)
        self.refresh_seconds = refresh_seconds

    # -- state ---------------------------------------------------------------------------------

    @property
    def github(self) -> GitHubSource:
        return self.board.github

    @property
    def agents(self) -> tuple[AgentSpec, ...]:
        return self.board.agents

    @property
    def repos(self) -> tuple[str, ...]:
        return self.board.repos

    @property
    def store(self) -> DeskStorePort:
        return self.board.store

    @property
    def state_path(self) -> Path:
        return self.board.store.path

    @property
    def snapshot(self) -> DeskSnapshot:
        return self.board.snapshot

    def current_issue(self, agent: str) -> str | None:
        """`#N` of the issue the person last assigned to `agent` from the app, or None."""
        assignment = self.board.assignments().get(agent)
        return assignment.label if assignment else None

    def spec(self, agent: str) -> AgentSpec | None:
        return self.board.spec(agent)

    # -- issues (`IssuesDesk`) -----------------------------------------------------------------

    def lane_agents(self, repo: str) -> tuple[str, ...]:
        return self.issues.lane_agents(repo)

    async def lane_issues(self, agent_or_repo: str) -> list[Issue]:
        return await self.issues.lane_issues(agent_or_repo)

    async def load_issues(self) -> DeskSnapshot:
        return await self.issues.load_issues()

    async def issue(self, repo: str, number: int) -> Issue:
        return await self.issues.issue(repo, number)

    async def post_guidance(self, repo: str, number: int, body: str) -> IssueComment:
        return await self.issues.post_guidance(repo, number, body)

    def assign_prompt(self, issue: Issue, agent: str) -> str:
        return self.issues.assign_prompt(issue, agent)

    async def set_current_issue(self, agent: str, issue: Issue) -> DeskSnapshot:
        return await self.issues.set_current_issue(agent, issue)

    # -- pull requests -------------------------------------------------------------------------

    async def refresh(self) -> DeskSnapshot:
        """Every open PR in the repos with its gate and threads. Never raises a GitHubError:
        a repository that fails keeps its last PRs and is named in `repo_errors`; when every
        one fails, the last PRs stay and `error` says why."""
        async with self.board.lock:
            if not self.repos:
                return self.board.publish(at=self.board.clock(),
                                          error=DeskError("error", NOT_CONFIGURED))
            data = await build_inbox(self.github, self.repos, self.agents, isolate=True)
            failed = {repo: DeskError.of(error) for repo, error in data.failures}
            if failed and len(failed) == len(self.repos):
                return self.board.publish(at=self.board.clock(), error=failed[self.repos[0]],
                                     repo_errors={}, rate_limit=self.board.rate_limit())
            pulls = data.pulls
            items = await self.loop.items(pulls)
            if failed:
                gone = {repo.lower() for repo in failed}
                kept = [p for p in self.board.snapshot.pulls if p.pr.repo.lower() in gone]
                pulls = order_pulls([*pulls, *kept], self.agents)
                items = (*items, *(i for i in self.board.snapshot.loop_items
                                   if i.pr.repo.lower() in gone))
            if self._forget_gone(pulls):
                await self.board.save()
            return self.board.publish(at=self.board.clock(), pulls=pulls, error=None,
                                      repo_errors=failed, rate_limit=data.rate_limit,
                                      refresh_cost=data.refresh_cost, loop_items=items)

    def _forget_gone(self, pulls: Sequence[InboxPull]) -> bool:
        """Drop snoozes and queue marks of threads that left (resolved, PR merged), and
        expired snoozes. True when the state changed."""
        present = {t.id for p in pulls for t in p.pr.threads}
        changed = False
        now = self.board.clock()
        open_prs = {f"{p.pr.repo.lower()}#{p.pr.number}" for p in pulls}
        routed = self.board.store.section("routed")
        for fingerprint in list(routed):
            mark = routed[fingerprint]
            if not isinstance(mark, dict) or mark.get("pr") not in open_prs:
                del routed[fingerprint]  # its PR merged or closed: nothing more to route
                changed = True
        for key in ("snoozed", "queued"):
            section = self.board.store.section(key)
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
        resolved = await self.board.github.resolve_thread(thread_id)
        if not resolved:
            raise GitHubError(f"GitHub did not resolve thread {thread_id}", kind=ErrorKind.ERROR)
        return resolved

    async def merge(self, pr: PullRequest, gate_sha: str) -> MergeOutcome:
        """Squash-merge `pr` pinned to `gate_sha`, the head the gate was shown at. Refused
        without calling GitHub unless that gate is ready; a head that moved since is refused
        by GitHub (409) and merges nothing. Never retried."""
        gate = evaluate_gate(pr)
        if gate.head_sha != gate_sha:
            raise GitHubError(f"head moved, re-check: {pr.repo}#{pr.number} was read at "
                              f"{gate.head_sha[:7]}, not {gate_sha[:7]}; nothing was merged",
                              kind=ErrorKind.HEAD_MOVED)
        if not gate.ready:
            raise GitHubError(f"{pr.repo}#{pr.number} is not ready: {'; '.join(gate.reasons)}; "
                              "nothing was merged (an admin merge needs a typed reason)",
                              kind=ErrorKind.NOT_READY)
        return await self._merge(pr, gate_sha, gate.reasons, None)

    async def admin_merge(self, pr: PullRequest, gate_sha: str, reason: str) -> MergeOutcome:
        """Merge past the gate, still squash and still pinned to `gate_sha`; only with a
        non-empty `reason`, which the journal keeps beside what the gate said."""
        reason = (reason or "").strip()
        if not reason:
            raise GitHubError("an admin merge needs a reason; nothing was merged",
                              kind=ErrorKind.NO_REASON)
        if not gate_sha:
            raise GitHubError("refusing to merge without the head SHA the gate saw",
                              kind=ErrorKind.ERROR)
        return await self._merge(pr, gate_sha, evaluate_gate(pr).reasons, reason)

    async def _merge(self, pr: PullRequest, sha: str, reasons: Sequence[str],
                     admin_reason: str | None) -> MergeOutcome:
        record = {"repo": pr.repo, "number": pr.number, "sha": sha, "method": MERGE_METHOD,
                  "gate": list(reasons), "admin": admin_reason is not None,
                  "reason": admin_reason}
        try:
            outcome = await self.board.github.merge(pr.repo, pr.number, sha, MERGE_METHOD)
            if not outcome.merged:
                raise GitHubError(f"{pr.repo}#{pr.number} not merged: "
                                  f"{outcome.message or 'GitHub said no'}",
                                  kind=ErrorKind.NOT_MERGEABLE)
        except OrchestraError as error:
            kind = error.kind if isinstance(error, GitHubError) else ErrorKind.ERROR
            await self.board.record("merge_refused", pr.agent, **record, error=kind,
                                detail=str(error).splitlines()[0])
            self.board.publish(notice=Notice(False, str(error).splitlines()[0], self.board.clock()))
            raise
        await self.board.record("merge", pr.agent, **record, merge_commit=outcome.sha)
        how = f"admin-merged ({admin_reason})" if admin_reason else "squash-merged"
        self.board.publish(notice=Notice(True, f"{pr.repo}#{pr.number} {how} at {sha[:7]}",
                                    self.board.clock()))
        return outcome

    async def update_branch(self, pr: PullRequest) -> str:
        """Merge the base into the PR's branch, only if the head is still the one shown."""
        try:
            message = await self.board.github.update_branch(pr.repo, pr.number, pr.head_sha)
        except OrchestraError as error:
            self.board.publish(notice=Notice(False, str(error).splitlines()[0], self.board.clock()))
            raise
        await self.board.record("update_branch", pr.agent, repo=pr.repo, number=pr.number,
                            sha=pr.head_sha)
        text = f"{pr.repo}#{pr.number}: {message}"
        self.board.publish(notice=Notice(True, text, self.board.clock()))
        return text

    async def pull_diff(self, pr: PullRequest) -> Diff:
        return await self.board.github.pull_diff(pr)

    async def post_review_comments(self, pr: PullRequest, commit_id: str,
                                   comments: Sequence[LineComment]) -> list[str]:
        """Each comment on its line of `pr` at `commit_id`, as a review comment: GitHub
        makes it a review thread, which the inbox then shows (and can send to the owner).
        Stops at the first refusal; the URLs of those posted."""
        posted = []
        for comment in comments:
            posted.append(await self.board.github.post_review_comment(pr, commit_id, comment))
            await self.board.record("review_comment", pr.agent, repo=pr.repo, number=pr.number,
                                    path=comment.path, line=comment.end, sha=commit_id)
        return posted

    # -- the inbox's own state -----------------------------------------------------------------

    async def snooze(self, thread: ReviewThread, hours: float | None = None) -> DeskSnapshot:
        """Hide a thread until it changes, or for `hours` (and until it changes)."""
        until = None if hours is None else self.board.clock() + hours * 3600
        self.board.store.section("snoozed")[thread.id] = {"fingerprint": thread_fingerprint(thread),
                                                    "until": until}
        await self.board.save()
        return self.board.publish()

    async def unsnooze(self, thread_id: str) -> DeskSnapshot:
        if self.board.store.section("snoozed").pop(thread_id, None) is not None:
            await self.board.save()
        return self.board.publish()

    async def mark_routed(self, item: LoopItem, agent: str) -> DeskSnapshot:
        """Remember that a loop item went to `agent`'s queue: autoroute never sends it again."""
        self.board.store.section("routed")[item.fingerprint] = routed_mark(item, agent)
        await self.board.save()
        return self.board.publish()

    async def autoroute(self, enqueue: Enqueue) -> list[tuple[LoopItem, str]]:
        """Queue the last refresh's loop items whose owner's lane autoroutes their kind, each
        once (`enqueue` is `Fleet.enqueue`: the queue sends through the send gate, never into
        a dialog). The journal records each."""
        async with self.board.lock:
            routed = self.board.store.section("routed")
            sent = await self.loop.route(self.board.snapshot.loop_items, routed, enqueue)
            if not sent:
                return sent
            await self.board.save()
            for item, agent in sent:
                await self.board.record("autorouted", agent, kind=item.kind.value,
                                        repo=item.pr.repo, number=item.pr.number,
                                        sha=item.pr.head_sha, title=item.title)
            self.board.publish()
            return sent

    async def mark_queued(self, thread_id: str, agent: str) -> DeskSnapshot:
        """Remember that a thread went to `agent`'s queue (the inbox marks it)."""
        self.board.store.section("queued")[thread_id] = agent
        await self.board.save()
        return self.board.publish()
