"""`d`: a change to inspect: an agent's worktree against its base, or a pull request's diff from
GitHub. Files on the left with their +/- counts, the selected file's hunks on the right.
`]`/`[` move between files, `}`/`{` between hunks (on to the next file at the last one); `c`
writes a comment on the line under the cursor, or on the whole hunk from its heading; `s`
sends the comments as one review: queued for the owning agent, typed now, or (a PR) posted on
GitHub as review comments on those lines.

The app sets what it shows (`diff`, `comments`, `error`); the person's comments are added
here and go up in `ReviewSubmitted`."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from orchestra_tui.agents.inert import visible_controls
from orchestra_tui.core.review import ReviewTarget, hunk_comment, line_comment
from orchestra_tui.diff_models import Diff, LineComment
from orchestra_tui.ui.messages import DiffAsked, DiffLoaded, ReviewSubmitted
from orchestra_tui.ui.screens.edit_prompt import EditPromptScreen
from orchestra_tui.ui.screens.pick_agent import PickAgentScreen
from orchestra_tui.ui.widgets.diff_files import DiffFiles
from orchestra_tui.ui.widgets.diff_lines import DiffLines

__all__ = ["DiffScreen", "submit_choices"]


def submit_choices(target: ReviewTarget) -> dict[str, str]:
    """What `s` offers for this change: label -> how (see `ReviewSubmitted`)."""
    choices = {}
    if target.agent:
        choices[f"queue for {target.agent}: sent when it is ready"] = "queue"
        choices[f"send to {target.agent} now"] = "now"
    if target.pr is not None:
        choices[f"post on {target.key} as review comments"] = "github"
    return choices


class DiffScreen(Screen[None]):
    # What to do first comes first: at 80 columns the footer has room for about five keys.
    BINDINGS = [
        Binding("escape", "back", "Back", id="diff_back"),
        Binding("c", "comment", "Comment", id="diff_comment"),
        Binding("s", "submit", "Send review", id="diff_submit"),
        Binding("right_square_bracket", "file(1)", "Next file", id="diff_next_file",
                key_display="]"),
        Binding("right_curly_bracket", "hunk(1)", "Next hunk", id="diff_next_hunk",
                key_display="}"),
        Binding("left_square_bracket", "file(-1)", "Previous file", id="diff_previous_file",
                key_display="[", show=False),
        Binding("left_curly_bracket", "hunk(-1)", "Previous hunk", id="diff_previous_hunk",
                key_display="{", show=False),
        Binding("u", "undo", "Drop the last comment", id="diff_undo", show=False),
        Binding("r", "reload", "Reload", id="diff_reload"),
    ]
    # The body fills what the status line and the footer leave (a Horizontal is as tall as its
    # content otherwise, and the screen would cut the cursor's row off). The file list a third
    # of the screen at most, the lines the rest. No horizontal scrollbar
    # (left/right still scroll a long line into view): it would take the row the cursor is on.
    DEFAULT_CSS = """
    #diff-body { height: 1fr; }
    #diff-files { width: 32%; min-width: 24; max-width: 56; overflow-x: hidden; }
    #diff-lines { width: 1fr; overflow-x: hidden; }
    """

    diff: reactive[Diff | None] = reactive(None, always_update=True)
    comments: reactive[tuple[LineComment, ...]] = reactive((), always_update=True)
    error: reactive[str] = reactive("")

    def __init__(self, target: ReviewTarget, diff: Diff | None = None) -> None:
        super().__init__()
        self.target = target
        self.set_reactive(DiffScreen.diff, diff)

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        yield Static(id="diff-status")
        with Horizontal(id="diff-body"):
            yield DiffFiles(id="diff-files")
            yield DiffLines(id="diff-lines")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Diff · {visible_controls(self.target.key)}"
        self._show()
        self.query_one(DiffLines).focus()

    def watch_diff(self) -> None:
        if self.is_mounted:
            self._show()

    def watch_comments(self) -> None:
        if self.is_mounted:
            self._show(keep_cursor=True)

    def watch_error(self) -> None:
        if self.is_mounted:
            self._show_status()

    # -- drawing ----------------------------------------------------------------------------------

    def _show(self, *, keep_cursor: bool = False) -> None:
        files = self.query_one(DiffFiles)
        files.show(self.diff.files if self.diff else (), self.comments)
        self.query_one(DiffLines).show(files.selected, self.comments, keep_cursor=keep_cursor)
        self._show_status()

    def _show_status(self) -> None:
        diff = self.diff
        line = Text()
        if self.error:
            line.append(visible_controls(self.error), style="bold red")
            line.append("  r reads it again", style="dim")
        elif diff is None:
            line.append("Reading the change…", style="dim italic")
        else:
            line.append(visible_controls(diff.title), style="bold")
            if diff.base:
                line.append(f"  {visible_controls(diff.base)}..{diff.head[:7]}", style="dim")
            count = len(diff.files)
            line.append(f"  {count} file{'s' if count != 1 else ''} ")
            line.append(f"+{diff.added}", style="green")
            line.append(" ")
            line.append(f"-{diff.removed}", style="red")
            if diff.truncated:
                line.append("  (too large: the rest is not shown)", style="yellow")
            if not diff.files:
                line.append("  nothing changed", style="dim")
        if self.comments:
            count = len(self.comments)
            line.append(f"  {count} comment{'s' if count != 1 else ''} (s sends)",
                        style="bold yellow")
        self.query_one("#diff-status", Static).update(line)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.query_one(DiffFiles):
            event.stop()
            lines = self.query_one(DiffLines)
            if lines.file is not self.query_one(DiffFiles).selected:
                lines.show(self.query_one(DiffFiles).selected, self.comments)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # enter picks a file or a line; only `c` writes

    # -- moving -----------------------------------------------------------------------------------

    def action_file(self, step: int) -> None:
        if not self.query_one(DiffFiles).step(step):
            self.app.bell()

    def action_hunk(self, step: int) -> None:
        lines = self.query_one(DiffLines)
        if lines.to_hunk(step):
            return
        files = self.query_one(DiffFiles)
        if not files.step(step):
            self.app.bell()
            return
        lines.show(files.selected, self.comments)
        if step < 0 and (rows := lines.hunk_rows()):
            lines.move_cursor(row=rows[-1], animate=False)
            lines.scroll_to_region_top()

    # -- commenting -------------------------------------------------------------------------------

    def action_comment(self) -> None:
        lines = self.query_one(DiffLines)
        file, place = lines.file, lines.place
        if file is None or place is None:
            self.notify("No line here to comment on", severity="warning", timeout=3)
            return
        hunk = file.hunks[place[0]]
        line = hunk.lines[place[1]] if place[1] is not None else None

        def written(text: str | None) -> None:
            if not text:
                return
            comment = (line_comment(file, hunk, line, text) if line is not None
                       else hunk_comment(file, hunk, text))
            self.comments = (*self.comments, comment)

        draft = (line_comment(file, hunk, line, "") if line is not None
                 else hunk_comment(file, hunk, ""))
        self.app.push_screen(EditPromptScreen(
            f"Comment on {visible_controls(file.path)} {draft.span}", save_label="adds it"),
            written)

    def action_undo(self) -> None:
        if self.comments:
            self.comments = self.comments[:-1]
        else:
            self.app.bell()

    def action_submit(self) -> None:
        diff = self.diff
        if not self.comments or diff is None:
            self.notify("No comments yet: c on a line or a hunk writes one", timeout=4)
            return
        choices = submit_choices(self.target)
        if not choices:
            self.notify("No agent owns this change and it is no PR: nowhere to send it",
                        severity="warning")
            return
        comments = self.comments

        def picked(choice: str | None) -> None:
            if choice is not None:
                self.post_message(ReviewSubmitted(self.target, comments, choices[choice]))

        count = len(comments)
        self.app.push_screen(PickAgentScreen(
            list(choices), f"Send {count} comment{'s' if count != 1 else ''} as one review…"),
            picked)

    def action_reload(self) -> None:
        self.post_message(DiffAsked(self.target))

    def on_diff_loaded(self, message: DiffLoaded) -> None:
        self.error = message.error
        if message.diff is not None:
            self.diff = message.diff
        if message.comments is not None:
            self.comments = message.comments

    def action_back(self) -> None:
        self.app.pop_screen()
