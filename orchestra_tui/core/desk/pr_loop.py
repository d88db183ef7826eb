"""The PR loop's items for one refresh: what it reads beyond the PR list, and who gets an item
unasked.

Reads, each at most once per head SHA (a PR that did not move costs nothing the next
refresh): the failed checks' runs, steps and logs (`failed_checks`); for a conflicting PR, the
files from `git merge-tree` on its lane's clone (a lane on this machine with a `path`); for a PR
whose lane sets `behind_limit`, how far behind its base it is (REST compare, ETag-cached by the
service).

`route` is the lane's `autoroute`: an item of a kind the owner's lane lists goes to the owner's
queue once per fingerprint (the desk store remembers it across runs). The queue is the send
gate's: a prompt is typed only when the agent's composer is ready, never into a dialog.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from orchestra_tui.core.desk.inbox import InboxPull
from orchestra_tui.core.desk.loop_items import (
    LoopItem,
    behind_item,
    ci_items,
    conflict_item,
    review_items,
)
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import AgentSpec, CheckState, LaneSpec, PullRequest
from orchestra_tui.pr_facts import CheckFailure, LoopKind
from orchestra_tui.services.git.merge_tree import predict_merge
from orchestra_tui.services.git.worktrees import ref_exists

__all__ = ["Enqueue", "LoopKind", "LoopSource", "PrLoop", "conflict_files", "lane_of",
           "routed_mark", "source_of"]

log = logging.getLogger(__name__)
CONCURRENCY = 4

# (agent, prompt, source) -> the queued item; `Fleet.enqueue` is one.
Enqueue = Callable[..., Awaitable[object]]


class LoopSource(Protocol):
    """What the loop asks GitHub beyond the PR list (`GitHubService` is one)."""

    async def failed_checks(self, repo: str, head_sha: str) -> tuple[CheckFailure, ...]: ...
    async def behind_by(self, repo: str, base: str, head: str) -> int: ...


def lane_of(pr: PullRequest, agents: Sequence[AgentSpec],
            lanes: Sequence[LaneSpec]) -> LaneSpec | None:
    """The owner's lane (`agent.lane`), else the first lane of the PR's repository whose
    branch pattern matches its head."""
    spec = next((a for a in agents if a.name == pr.agent), None)
    if spec is not None and spec.lane:
        named = next((lane for lane in lanes if lane.name == spec.lane), None)
        if named is not None:
            return named
    repo = pr.repo.lower()
    return next((lane for lane in lanes if lane.repo.lower() == repo
                 and fnmatch.fnmatchcase(pr.head_ref, lane.branch or "*")), None)


class PrLoop:
    def __init__(self, github: LoopSource, agents: Sequence[AgentSpec],
                 lanes: Sequence[LaneSpec]) -> None:
        self.github = github
        self.agents = tuple(agents)
        self.lanes = tuple(lanes)
        self._failures: dict[tuple[str, int, str], tuple[CheckFailure, ...]] = {}
        self._conflicts: dict[tuple[str, int, str], tuple[str, ...] | None] = {}
        self._gate = asyncio.Semaphore(CONCURRENCY)

    async def items(self, pulls: Sequence[InboxPull]) -> tuple[LoopItem, ...]:
        found = await asyncio.gather(*(self._items_of(item.pr) for item in pulls))
        live = {(p.pr.repo.lower(), p.pr.number, p.pr.head_sha) for p in pulls}
        for cache in (self._failures, self._conflicts):
            for key in [key for key in cache if key not in live]:
                del cache[key]  # merged, closed or moved on: a new head is read anew
        return tuple(item for items in found for item in items)

    async def _items_of(self, pr: PullRequest) -> list[LoopItem]:
        lane = lane_of(pr, self.agents, self.lanes)
        items: list[LoopItem] = []
        if any(c.state is CheckState.FAILING for c in pr.checks):
            items += ci_items(pr, await self._failed(pr))
        if pr.mergeable == "CONFLICTING" or pr.merge_state == "DIRTY":
            items.append(conflict_item(pr, await self._conflict_files(pr, lane), lane))
        elif lane is not None and lane.behind_limit is not None:
            behind = await self._behind(pr)
            if behind is not None and behind > lane.behind_limit:
                items.append(behind_item(pr, behind, lane.behind_limit, lane))
        return items + review_items(pr)

    async def _failed(self, pr: PullRequest) -> tuple[CheckFailure, ...]:
        key = (pr.repo.lower(), pr.number, pr.head_sha)
        if key not in self._failures:
            try:
                async with self._gate:
                    self._failures[key] = await self.github.failed_checks(pr.repo, pr.head_sha)
            except OrchestraError as error:  # the checks' names and URLs still tell
                log.info("failed checks of %s#%s unread: %s", pr.repo, pr.number, error)
                return ()
        return self._failures[key]

    async def _behind(self, pr: PullRequest) -> int | None:
        if pr.behind_by is not None:
            return pr.behind_by
        try:
            async with self._gate:
                return await self.github.behind_by(pr.repo, pr.base_ref, pr.head_sha)
        except OrchestraError as error:
            log.info("compare of %s#%s unread: %s", pr.repo, pr.number, error)
            return None

    async def _conflict_files(self, pr: PullRequest,
                              lane: LaneSpec | None) -> tuple[str, ...] | None:
        key = (pr.repo.lower(), pr.number, pr.head_sha)
        if key in self._conflicts:
            return self._conflicts[key]
        files = None
        if lane is not None and lane.path and not lane.host:
            files = await conflict_files(lane.path, pr)
        self._conflicts[key] = files
        return files

    async def route(self, items: Sequence[LoopItem], routed: dict[str, object],
                    enqueue: Enqueue) -> list[tuple[LoopItem, str]]:
        """Queue each item of a kind its owner's lane autoroutes, once per fingerprint;
        `routed` (fingerprint -> its mark) is updated. Returns what was queued."""
        sent: list[tuple[LoopItem, str]] = []
        for item in items:
            agent = item.pr.agent
            lane = lane_of(item.pr, self.agents, self.lanes)
            if (agent is None or lane is None or item.fingerprint in routed
                    or item.kind.value not in lane.autoroute):
                continue
            try:
                await enqueue(agent, item.prompt, source=source_of(item))
            except (OrchestraError, KeyError) as error:  # not in the fleet (yet): next time
                log.info("autoroute to %s held: %s", agent, error)
                continue
            routed[item.fingerprint] = routed_mark(item, agent)
            sent.append((item, agent))
        return sent


def routed_mark(item: LoopItem, agent: str) -> dict[str, str]:
    """What the desk store keeps of a routed item: who got it, and its PR (forgotten when the
    PR is no longer open)."""
    return {"agent": agent, "pr": f"{item.pr.repo.lower()}#{item.pr.number}"}


def source_of(item: LoopItem) -> str:
    """The queue item's `source`: which loop item it came from."""
    return f"loop:{item.kind.value}:{item.fingerprint}"


async def _first_ref(clone: str, *refs: str) -> str | None:
    for ref in refs:
        if ref and await ref_exists(clone, ref):
            return ref
    return None


async def conflict_files(clone: str, pr: PullRequest) -> tuple[str, ...] | None:
    """The files merging the PR's head into its base would conflict on, by `git merge-tree` in
    the lane's clone (its remote-tracking base when it has one); None when the clone lacks
    either commit or git cannot tell."""
    try:
        base = await _first_ref(clone, f"origin/{pr.base_ref}", pr.base_ref)
        head = await _first_ref(clone, pr.head_sha, pr.head_ref, f"origin/{pr.head_ref}")
        if base is None or head is None:
            return None
        prediction = await predict_merge(clone, base, head)
    except OrchestraError as error:
        log.info("merge-tree in %s: %s", clone, error)
        return None
    if prediction is None or prediction.clean:
        return None if prediction is None else ()
    return prediction.files

