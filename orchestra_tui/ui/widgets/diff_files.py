"""The left side of the diff view: the files a change touches, each with its +/- counts;
untracked files are marked (they are in the worktree, unknown to git). Names are data: their
controls are drawn as symbols."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from orchestra_tui.agents.inert import visible_controls
from orchestra_tui.diff_models import FileDiff, FileStatus, LineComment

__all__ = ["DiffFiles"]

GLYPH = {FileStatus.ADDED: ("A", "green"), FileStatus.MODIFIED: ("M", "yellow"),
         FileStatus.REMOVED: ("D", "red"), FileStatus.RENAMED: ("R", "cyan"),
         FileStatus.UNTRACKED: ("?", "magenta")}


class DiffFiles(DataTable[Text]):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", show_header=False, **kwargs)  # type: ignore[arg-type]
        self.files: tuple[FileDiff, ...] = ()

    def on_mount(self) -> None:
        # The counts before the name: a long path is cut at its end, never the figures.
        self.add_column("", key="status", width=1)
        self.add_column("+/-", key="counts")
        self.add_column("file", key="path")

    def show(self, files: Sequence[FileDiff], comments: Sequence[LineComment]) -> None:
        row = self.cursor_row
        self.files = tuple(files)
        self.clear()
        noted = {comment.path for comment in comments}
        for file in self.files:
            glyph, colour = GLYPH[file.status]
            name = Text(visible_controls(file.path).replace("\n", "␊").expandtabs(4))
            if file.old_path:
                name = Text(f"{visible_controls(file.old_path)} → ", style="dim") + name
            if file.path in noted:
                name.append(" ●", style="bold yellow")
            counts = Text.assemble((f"+{file.added}", "green"), " ", (f"-{file.removed}", "red"))
            self.add_row(Text(glyph, style=f"bold {colour}"), counts, name)
        if self.files:
            self.move_cursor(row=min(max(row, 0), len(self.files) - 1), animate=False)

    @property
    def selected(self) -> FileDiff | None:
        if not self.files or not 0 <= self.cursor_row < len(self.files):
            return None
        return self.files[self.cursor_row]

    def step(self, delta: int) -> bool:
        """To the next (1) or previous (-1) file; False at either end."""
        target = self.cursor_row + delta
        if not self.files or not 0 <= target < len(self.files):
            return False
        self.move_cursor(row=target, animate=False)
        return True
