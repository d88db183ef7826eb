"""A safe merge order for the merge panel: the clean ones first.

A PR whose owner's worktree the conflict radar found conflicting with another agent's
(`PredictedConflict`) will need a rebase once the other lands; merging the PRs with no
predicted conflict and a passing gate first lands the most work with no rework. Pure, so the
panel, its tests and a command agree.

Ranks, each kept in the order the PRs came: ready with no predicted conflict; ready with one
(the first of a conflicting pair to merge; the others then rebase); not ready, no conflict;
not ready with one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from orchestra_tui.core.desk.inbox import InboxPull
from orchestra_tui.pr_facts import PredictedConflict

__all__ = ["Conflicts", "conflicts_of", "merge_order"]

Conflicts = Mapping[str, tuple[PredictedConflict, ...]]  # agent -> what the radar predicts


def conflicts_of(pull: InboxPull, conflicts: Conflicts) -> tuple[PredictedConflict, ...]:
    """The radar's predictions for the PR's owner (none for an unassigned PR)."""
    return conflicts.get(pull.pr.agent, ()) if pull.pr.agent else ()


def merge_order(pulls: Sequence[InboxPull], conflicts: Conflicts) -> tuple[InboxPull, ...]:
    """`pulls` in the order to merge them (see the module's ranks)."""

    def rank(pull: InboxPull) -> int:
        return (0 if pull.gate.ready else 2) + (1 if conflicts_of(pull, conflicts) else 0)

    return tuple(sorted(pulls, key=rank))
