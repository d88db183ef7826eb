"""The person's review of a diff, without a screen: comments on lines and hunks, found again
when the change moved on, and written as one prompt for the agent that owns the change.

>>> from orchestra_tui.diff_models import LineComment
>>> print(review_prompt([LineComment("api/handlers.py", 40, 52, "retry at most 3 times",
...                                  section="def retry_loop():")], "feat against main"))
Review of your change (feat against main):
In api/handlers.py lines 40-52 (def retry_loop():): retry at most 3 times
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from orchestra_tui.agents.inert import visible_controls
from orchestra_tui.diff_models import Diff, DiffHunk, DiffLine, FileDiff, LineComment, Side
from orchestra_tui.models import PullRequest, QueueItem, QueueItemState
from orchestra_tui.services.store.queues import QueueError

if TYPE_CHECKING:
    from orchestra_tui.core.fleet.fleet import Fleet

__all__ = ["REVIEW_SOURCE", "Relocated", "ReviewTarget", "comment_lines", "hunk_comment",
           "line_comment", "queue_review", "relocate_all", "review_prompt", "review_source"]

REVIEW_SOURCE = "review:"


@dataclass(frozen=True)
class ReviewTarget:
    """Whose change a diff shows: an agent's worktree, or a pull request (`pr`) owned by
    `agent` ("" when no lane claims it)."""

    agent: str
    pr: PullRequest | None = None

    @property
    def key(self) -> str:
        return f"{self.pr.repo}#{self.pr.number}" if self.pr is not None else self.agent


def review_source(about: str) -> str:
    """The queue item source of a review of `about` (an agent's worktree, or `repo#n`)."""
    return f"{REVIEW_SOURCE}{about}"


# -- comments on lines and hunks ---------------------------------------------------------------


def _numbered(hunk: DiffHunk, side: Side) -> list[tuple[int, str]]:
    """(number, text) of the hunk's lines on one side."""
    if side is Side.NEW:
        return [(line.new, line.text) for line in hunk.lines if line.new is not None]
    return [(line.old, line.text) for line in hunk.lines if line.old is not None]


def line_comment(file: FileDiff, hunk: DiffHunk, line: DiffLine, text: str) -> LineComment:
    """A comment on one line: a removed line is named on the old side, as GitHub does."""
    side = Side.NEW if line.new is not None else Side.OLD
    return LineComment(file.path, line.number, line.number, text, side, hunk.section,
                       (line.text,))


def hunk_comment(file: FileDiff, hunk: DiffHunk, text: str) -> LineComment:
    """A comment on a whole hunk: its lines on the new side (the old side when it only
    removes)."""
    side = Side.NEW if hunk.new_count else Side.OLD
    numbered = _numbered(hunk, side)
    start, end = (numbered[0][0], numbered[-1][0]) if numbered else (hunk.new_start,) * 2
    return LineComment(file.path, start, end, text, side, hunk.section,
                       tuple(text for _, text in numbered))


def comment_lines(diff: Diff, comment: LineComment) -> list[tuple[int, str]]:
    """(number, text) of every line of the commented file on the comment's side."""
    file = diff.file(comment.path)
    if file is None:
        return []
    return [pair for hunk in file.hunks for pair in _numbered(hunk, comment.side)]


# -- the change moved on: find each comment's lines again -----------------------------------------


@dataclass(frozen=True)
class Relocated:
    """Comments checked against a diff read again: `kept` at their (maybe new) lines, `lost`
    whose lines are no longer in the change, `moved` how many of the kept changed lines."""

    kept: tuple[LineComment, ...]
    lost: tuple[LineComment, ...]
    moved: int


def _relocate(comment: LineComment, diff: Diff) -> LineComment | None:
    lines = comment_lines(diff, comment)
    wanted = list(comment.lines)
    if not wanted:
        return comment if any(n == comment.start for n, _ in lines) else None
    width = len(wanted)
    found = []
    for index in range(len(lines) - width + 1):
        window = lines[index:index + width]
        numbers = [n for n, _ in window]
        if [t for _, t in window] == wanted and numbers == list(
                range(numbers[0], numbers[0] + width)):
            found.append(numbers[0])
    if not found:
        return None
    start = min(found, key=lambda n: abs(n - comment.start))  # the nearest of equal lines
    return replace(comment, start=start, end=start + width - 1)


def relocate_all(comments: Iterable[LineComment], diff: Diff) -> Relocated:
    kept: list[LineComment] = []
    lost: list[LineComment] = []
    moved = 0
    for comment in comments:
        found = _relocate(comment, diff)
        if found is None:
            lost.append(comment)
            continue
        moved += found.start != comment.start
        kept.append(found)
    return Relocated(tuple(kept), tuple(lost), moved)


# -- the prompt ---------------------------------------------------------------------------------


def _paragraph(comment: LineComment) -> str:
    where = comment.span + (" of the base version" if comment.side is Side.OLD else "")
    about = f" ({visible_controls(comment.section)})" if comment.section else ""
    text = " ".join(comment.text.split())
    return f"In {visible_controls(comment.path)} {where}{about}: {text}"


def review_prompt(comments: Sequence[LineComment], change: str = "", *,
                  header: bool = True) -> str:
    """One prompt for every comment, in the order of files and lines; file names shown with
    their controls as symbols (a name is data, never a key)."""
    ordered = sorted(comments, key=lambda c: (c.path, c.side is Side.OLD, c.start))
    body = "\n".join(_paragraph(comment) for comment in ordered)
    if not header:
        return body
    about = f" ({visible_controls(change)})" if change else ""
    return f"Review of your change{about}:\n{body}"


# -- one prompt for the agent, sent once ---------------------------------------------------------


async def queue_review(fleet: Fleet, items: Sequence[QueueItem] | None, agent: str,
                       comments: Sequence[LineComment], change: str, about: str) -> QueueItem:
    """Queue the review for `agent` through the fleet's queue (the send gate delivers it on
    its working→idle edge). A review of the same change still waiting in that queue takes the
    new comments in: the agent gets one prompt, once. `items` is the agent's queue as read
    (None: read it here)."""
    source = review_source(about)
    store = fleet.store
    if items is not None:
        listed: Sequence[QueueItem] = items
    else:  # no queue store: nothing waits, and `enqueue` says why it cannot queue
        listed = await asyncio.to_thread(store.items, agent) if store is not None else []
    waiting = [item for item in listed
               if item.source == source and item.state is QueueItemState.QUEUED]
    if waiting:
        item = waiting[-1]
        text = item.text + "\n" + review_prompt(comments, header=False)
        try:
            await fleet.queue_op("edit", item.id, text)
            return replace(item, text=text)
        except QueueError:
            pass  # claimed for sending meanwhile: these comments go as a prompt of their own
    return await fleet.enqueue(agent, review_prompt(comments, change), source=source)
