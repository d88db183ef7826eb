"""The conflict radar (issue 23, item 5): would two agents' work merge cleanly?

From the fleet's branch figures, the agents whose worktrees have changed files are read once
more, in one git round trip (`snapshot_worktree`): a commit of the worktree as it is
(uncommitted edits and new untracked files included, made through a scratch index: the
worktree, its index, its stash list and its refs untouched), the clone it belongs to (git's
common dir: worktrees of one clone share their objects), and which files it changed since its
base. Two worktrees of one clone that touched a file in common are merged by `git merge-tree
--write-tree` (no worktree or index touched) and a conflict it predicts is kept for both
agents, with its files.

Cost is bounded: a sweep runs in the background (never on the tick), only when some agent's
figures moved since the last one, and a pair is merged again only when one of its commits
moved, at most once per `every` seconds; a pair that touched no file in common costs nothing.
Ignored files and new files over `MAX_NEW_FILE_BYTES` are outside the prediction.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from orchestra_tui.core.fleet.state import FleetContext, Slot
from orchestra_tui.core.lifecycle.hosts import git_runner
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import BranchFigures, State
from orchestra_tui.pr_facts import PredictedConflict
from orchestra_tui.services.git.merge_tree import predict_merge, snapshot_worktree

__all__ = ["RADAR_EVERY", "ConflictRadar"]

# Seconds between two merges of one pair whose commits keep moving: an agent at work commits
# often, and a prediction a few seconds old is as good to a person deciding a merge order.
RADAR_EVERY = 30.0
log = logging.getLogger(__name__)

# (agent, its worktree, its host, its figures): an agent the radar looks at.
Candidate = tuple[str, str, str, BranchFigures]


@dataclass(frozen=True)
class _Tree:
    where: str
    figures: BranchFigures
    commit: str
    clone: str  # the absolute common git dir: worktrees of one clone share it
    files: frozenset[str]
    lines: Mapping[str, int]  # lines changed per file since the base

    def conflict(self, other: str, theirs: _Tree, files: tuple[str, ...]) -> PredictedConflict:
        """This worktree's side of a conflict with `other`'s worktree `theirs`."""
        return PredictedConflict(other, files, sum(self.lines.get(f, 0) for f in files),
                                 sum(theirs.lines.get(f, 0) for f in files),
                                 self.figures.branch, theirs.figures.branch)


@dataclass(frozen=True)
class _Check:
    commits: tuple[str, str]
    at: float
    files: tuple[str, ...]  # () when the pair merges cleanly (or git could not tell)


class ConflictRadar:
    """`figures` are the fleet's branch figures per agent (read by `FleetWork`), `worktree_of`
    says where an agent works; `every` is seconds between two merges of one pair."""

    def __init__(self, context: FleetContext, figures: Mapping[str, BranchFigures],
                 worktree_of: Callable[[Slot], str], *, every: float = RADAR_EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.context = context
        self.figures = figures
        self.worktree_of = worktree_of
        self.every = every
        self.clock = clock
        self.found: dict[str, tuple[PredictedConflict, ...]] = {}  # agent -> its conflicts
        self.merges = 0  # `git merge-tree` runs so far (what the rate limit saves)
        self.snapshots = 0  # worktree snapshots taken (only ever grows)
        self._trees: dict[str, _Tree] = {}
        self._checks: dict[tuple[str, str], _Check] = {}
        self._seen: object = None  # the candidates when last swept
        self._due = False  # a pair was held back by the rate limit: sweep again later
        self._swept_at = -math.inf
        self._busy = False

    def note(self) -> None:
        """Start a sweep in the background when some agent's figures moved since the last
        one, or a pair held back by the rate limit is due."""
        if self._busy:
            return
        candidates = self._candidates()
        due = self._due and self.clock() - self._swept_at >= self.every
        if candidates == self._seen and not due:
            return
        self._busy = True
        self.context.record.later(self._sweep(candidates))

    async def scan(self) -> dict[str, tuple[PredictedConflict, ...]]:
        """Sweep now, within the same rate limit (a one-shot command, the tests)."""
        await self._sweep(self._candidates())
        return dict(self.found)

    def _candidates(self) -> tuple[Candidate, ...]:
        found = []
        for name, slot in self.context.slots.items():
            figures = self.figures.get(name)
            unreachable = slot.status is not None and slot.status.state is State.UNREACHABLE
            if figures is None or unreachable or not figures.base or not figures.files_changed:
                continue
            where = self.worktree_of(slot)
            if where:
                found.append((name, where, slot.spec.host, figures))
        return tuple(found)

    async def _sweep(self, candidates: tuple[Candidate, ...]) -> None:
        try:
            self._seen, self._swept_at, self._due = candidates, self.clock(), False
            trees: dict[tuple[str, str], list[tuple[str, _Tree]]] = {}
            made: dict[tuple[str, str, BranchFigures], _Tree | None] = {}
            for name, where, host, figures in candidates:
                # Agents in one folder share its snapshot: one script per folder per sweep.
                if (host, where, figures) not in made:
                    made[(host, where, figures)] = await self._tree(name, where, host, figures)
                tree = made[(host, where, figures)]
                if tree is not None:
                    self._trees[name] = tree
                    trees.setdefault((host, tree.clone), []).append((name, tree))
            found: dict[str, list[PredictedConflict]] = {}
            checked: set[tuple[str, str]] = set()
            for (host, _clone), members in trees.items():
                for (a, tree_a), (b, tree_b) in itertools.combinations(sorted(members), 2):
                    # Two agents in one folder share their work: not a pair to merge.
                    if tree_a.where == tree_b.where or not tree_a.files & tree_b.files:
                        continue
                    checked.add((a, b))
                    files = await self._check(a, tree_a, b, tree_b, host)
                    if files:
                        found.setdefault(a, []).append(tree_a.conflict(b, tree_b, files))
                        found.setdefault(b, []).append(tree_b.conflict(a, tree_a, files))
            self._checks = {pair: check for pair, check in self._checks.items()
                            if pair in checked}
            names = {candidate[0] for candidate in candidates}
            self._trees = {name: tree for name, tree in self._trees.items() if name in names}
            self.found = {name: tuple(conflicts) for name, conflicts in found.items()}
        finally:
            self._busy = False

    async def _tree(self, name: str, where: str, host: str,
                    figures: BranchFigures) -> _Tree | None:
        """The agent's worktree as a commit, read again only when its figures moved."""
        known = self._trees.get(name)
        if known is not None and known.where == where and known.figures == figures:
            return known
        self.snapshots += 1
        try:
            snapshot = await snapshot_worktree(where, figures.base,
                                               runner=git_runner(self.context.tmux, host))
        except OrchestraError as error:
            log.info("radar: worktree of %s unread: %s", name, error)
            return None
        if snapshot is None:
            return None
        tree = _Tree(where, figures, snapshot.commit, snapshot.clone, snapshot.files,
                     snapshot.lines)
        self._trees[name] = tree
        return tree

    async def _check(self, a: str, tree_a: _Tree, b: str, tree_b: _Tree,
                     host: str) -> tuple[str, ...]:
        """The files merging the pair would conflict on, merged again only when a commit moved
        and the pair's last merge is `every` seconds old."""
        commits = (tree_a.commit, tree_b.commit)
        last = self._checks.get((a, b))
        now = self.clock()
        if last is not None and (last.commits == commits or now - last.at < self.every):
            self._due = self._due or last.commits != commits
            return last.files
        try:
            prediction = await predict_merge(tree_a.where, *commits,
                                             runner=git_runner(self.context.tmux, host))
        except OrchestraError as error:
            log.info("radar: merge of %s and %s unread: %s", a, b, error)
            prediction = None
        self.merges += 1
        files = prediction.files if prediction is not None and not prediction.clean else ()
        self._checks[(a, b)] = _Check(commits, now, files)
        return files
