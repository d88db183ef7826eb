"""The nouns of a diff, shared by every layer like `models.py` (which is full): the files a
change touches, their hunks and lines, and a comment the person wrote on some of those lines.

No I/O and no library objects: `services/diff_parse.py` turns unified-diff text (git's or
GitHub's) into these, and the screens draw them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class LineKind(StrEnum):
    ADDED = "+"
    REMOVED = "-"
    CONTEXT = " "


class FileStatus(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    REMOVED = "removed"
    RENAMED = "renamed"
    UNTRACKED = "untracked"  # in the worktree, unknown to git: shown as added, listed apart


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    text: str  # without its +/-/space prefix or line end
    old: int | None  # its number in the old file (None: added)
    new: int | None  # its number in the new file (None: removed)

    @property
    def number(self) -> int:
        """The number a comment names: the new side's, the old side's for a removed line."""
        return self.new if self.new is not None else (self.old or 0)


@dataclass(frozen=True)
class DiffHunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str  # what git names after `@@ … @@`: the enclosing function or class, often
    lines: tuple[DiffLine, ...]


@dataclass(frozen=True)
class FileDiff:
    path: str  # the new path ("" never: a removed file keeps its old one here)
    status: FileStatus
    added: int
    removed: int
    hunks: tuple[DiffHunk, ...] = ()
    old_path: str = ""  # a renamed file's former path
    binary: bool = False


@dataclass(frozen=True)
class Diff:
    """A change as the person reviews it: the worktree of an agent against its base (`base`
    the ref, `head` the commit HEAD was at), or a PR on GitHub (`head` its head SHA, the
    commit a review comment is made on)."""

    title: str
    files: tuple[FileDiff, ...] = ()
    base: str = ""
    head: str = ""
    truncated: bool = False  # more than the reader keeps: the rest is not shown

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def removed(self) -> int:
        return sum(f.removed for f in self.files)

    def file(self, path: str) -> FileDiff | None:
        return next((f for f in self.files if f.path == path), None)


class Side(StrEnum):
    """Which side of the diff a commented line is on, as GitHub names it."""

    NEW = "RIGHT"
    OLD = "LEFT"


@dataclass(frozen=True)
class LineComment:
    """What the person wrote on lines `start`..`end` of `path` (numbers of `side`); `lines`
    are those lines' texts when the comment was written, to find them again when the change
    moved on (`core/review.relocate`); `section` the hunk's heading, for the prompt."""

    path: str
    start: int
    end: int
    text: str
    side: Side = Side.NEW
    section: str = ""
    lines: tuple[str, ...] = field(default=(), compare=False)

    @property
    def span(self) -> str:
        """`line 40` or `lines 40-52`."""
        return f"line {self.start}" if self.start == self.end else f"lines {self.start}-{self.end}"
