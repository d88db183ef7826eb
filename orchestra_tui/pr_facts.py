"""What GitHub and git say about a pull request beyond its row in the list: a failed check's
step and log, a reviewer's latest review, the files two branches would conflict on. Plain
frozen dataclasses beside `models` (which keeps a PR's reviews), no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LoopKind(StrEnum):
    """What an inbox item of the PR loop is about; a lane's `autoroute` names these."""

    CI = "ci"  # a check failed
    CONFLICT = "conflict"  # the PR conflicts with its base
    BEHIND = "behind"  # the branch is further behind its base than the lane allows
    REVIEW = "review"  # a review still blocks (changes requested, a bot's comment)


@dataclass(frozen=True)
class CheckFailure:
    """One failed check on a PR's head: an Actions job with its failing step and the end of its
    log, or another app's check run (or a commit status) with its summary and URL."""

    name: str
    conclusion: str  # failure, timed_out, cancelled, action_required, ...
    url: str
    summary: str = ""
    step: str = ""  # the first failing step of an Actions job
    log_tail: str = ""  # the last lines of the job's log, timestamps removed
    job_id: int | None = None  # an Actions job (its log came through the API)


@dataclass(frozen=True)
class Review:
    """A reviewer's latest review on a PR (GitHub's `latestReviews`)."""

    id: str  # GraphQL node id: what an inbox item of it is fingerprinted by
    author: str
    author_is_bot: bool
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
    body: str
    url: str
    submitted_at: str = ""


@dataclass(frozen=True)
class MergePrediction:
    """What `git merge-tree --write-tree` says of merging two commits: clean, or the files
    that would conflict."""

    clean: bool
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class PredictedConflict:
    """The conflict radar's finding for one agent: merging its worktree with `other`'s (an
    agent of the same clone) would conflict on `files`."""

    other: str
    files: tuple[str, ...]
