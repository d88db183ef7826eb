"""A safe merge order for the merge panel: the clean ones first, and in a conflicting pair the
one whose merge leaves the other the smallest rebase.

A PR whose owner's worktree the conflict radar found conflicting with another agent's
(`PredictedConflict`) will need a rebase once the other lands; merging the PRs with no
predicted conflict and a passing gate first lands the most work with no rework. Pure, so the
panel, its tests and a command agree.

Ranks, each kept in the order the PRs came: ready with no predicted conflict; ready with one
(the first of a conflicting pair to merge; the others then rebase); not ready, no conflict;
not ready with one. Within a rank, PRs with a predicted conflict go: fewer conflicting files
first, then fewer lines changed in them (what the other must rebase over once this one lands),
then the older PR (the lower number: conflicts are within one repository). A predicted
conflict belongs to the PR of the worktree's branch, when the radar knew the branch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from orchestra_tui.core.desk.inbox import InboxPull
from orchestra_tui.pr_facts import PredictedConflict

__all__ = ["Conflicts", "PairOrder", "conflicts_of", "merge_order", "pair_orders"]

Conflicts = Mapping[str, tuple[PredictedConflict, ...]]  # agent -> what the radar predicts


@dataclass(frozen=True)
class PairOrder:
    """Where a PR stands against the other side of one predicted conflict, and why."""

    conflict: PredictedConflict
    other: InboxPull | None  # the other agent's PR (None: its work has no PR yet)
    first: bool  # this PR merges before the other
    why: str

    @property
    def text(self) -> str:
        """`merge before #102 (web's): …`"""
        if self.other is None:
            return (f"{self.conflict.other}'s work has no PR yet: merge this, "
                    f"{self.conflict.other} rebases")
        when = "before" if self.first else "after"
        return f"merge {when} #{self.other.pr.number} ({self.conflict.other}'s): {self.why}"


def conflicts_of(pull: InboxPull, conflicts: Conflicts) -> tuple[PredictedConflict, ...]:
    """The radar's predictions for the PR's owner (none for an unassigned PR), those of the
    worktree on another branch left out."""
    if not pull.pr.agent:
        return ()
    return tuple(conflict for conflict in conflicts.get(pull.pr.agent, ())
                 if not conflict.branch or conflict.branch == pull.pr.head_ref)


def _files(mine: tuple[PredictedConflict, ...]) -> int:
    return len({name for conflict in mine for name in conflict.files})


def _key(pull: InboxPull, index: int, conflicts: Conflicts) -> tuple[int, ...]:
    mine = conflicts_of(pull, conflicts)
    rank = (0 if pull.gate.ready else 2) + (1 if mine else 0)
    if not mine:
        return (rank, 0, 0, 0, index)
    return (rank, _files(mine), sum(c.lines for c in mine), pull.pr.number, index)


def merge_order(pulls: Sequence[InboxPull], conflicts: Conflicts) -> tuple[InboxPull, ...]:
    """`pulls` in the order to merge them (see the module's ranks and ties)."""
    keys = {id(pull): _key(pull, index, conflicts) for index, pull in enumerate(pulls)}
    return tuple(sorted(pulls, key=lambda pull: keys[id(pull)]))


def _pr_key(pull: InboxPull) -> tuple[str, int]:
    return pull.pr.repo.lower(), pull.pr.number


def _partner(conflict: PredictedConflict, pull: InboxPull,
             order: Sequence[InboxPull]) -> InboxPull | None:
    for other in order:
        if (_pr_key(other) != _pr_key(pull) and other.pr.agent == conflict.other
                and other.pr.repo == pull.pr.repo
                and (not conflict.other_branch or other.pr.head_ref == conflict.other_branch)):
            return other
    return None


def _why(pull: InboxPull, other: InboxPull, conflict: PredictedConflict,
         conflicts: Conflicts) -> str:
    """Which of the ties decided between `pull` and `other`, in words."""
    mine, theirs = conflicts_of(pull, conflicts), conflicts_of(other, conflicts)
    me, them = f"#{pull.pr.number}", f"#{other.pr.number}"
    if pull.gate.ready != other.gate.ready:
        ready, waiting = (me, them) if pull.gate.ready else (them, me)
        return f"{ready} is ready, {waiting} is not"
    if _files(mine) != _files(theirs):
        return (f"{me} conflicts on {_files(mine)} file(s), {them} on {_files(theirs)}: "
                "fewer first")
    lines, other_lines = sum(c.lines for c in mine), sum(c.lines for c in theirs)
    if lines != other_lines:
        fewer = me if lines < other_lines else them
        return (f"{me} first leaves {conflict.other} {lines} changed line(s) to rebase over, "
                f"{them} first leaves {pull.pr.agent} {other_lines}: {fewer}, the smaller "
                "rebase, first")
    if pull.pr.number != other.pr.number:
        return f"the same rebase either way ({lines} line(s)): the older PR first"
    return "the order the PRs came"


def pair_orders(pull: InboxPull, order: Sequence[InboxPull],
                conflicts: Conflicts) -> tuple[PairOrder, ...]:
    """For each predicted conflict of `pull`: the other side's PR, which goes first in `order`
    (as `merge_order` made it), and why. PRs are matched by repository and number: the
    panel's selected row need not be the very object `order` holds."""
    found = []
    position = {_pr_key(item): index for index, item in enumerate(order)}
    for conflict in conflicts_of(pull, conflicts):
        other = _partner(conflict, pull, order)
        if other is None:
            found.append(PairOrder(conflict, None, True, ""))
            continue
        mine, theirs = position.get(_pr_key(pull)), position.get(_pr_key(other))
        first = mine is not None and theirs is not None and mine < theirs
        found.append(PairOrder(conflict, other, first, _why(pull, other, conflict, conflicts)))
    return tuple(found)
