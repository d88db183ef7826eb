"""The right side of the diff view: one file's hunks, line by line, with syntax colour and the
old and new line numbers; a row per hunk heading (`@@ -a,b +c,d @@ section`). The cursor is
what `c` comments on: a line, or the whole hunk on its heading.

Text from the diff is data: its controls are drawn as symbols (`agents.inert.visible_controls`)
before any colour is applied, and it reaches the table as `Text`, never as markup."""

from __future__ import annotations

from collections.abc import Sequence

from rich.syntax import Syntax
from rich.text import Text
from textual.widgets import DataTable

from orchestra_tui.agents.inert import visible_controls
from orchestra_tui.diff_models import DiffHunk, DiffLine, FileDiff, LineComment, LineKind, Side

__all__ = ["DiffLines"]

THEME = "monokai"
ROW_STYLE = {LineKind.ADDED: "on #12361c", LineKind.REMOVED: "on #3d1518",
             LineKind.CONTEXT: ""}
NUMBER_WIDTH = 5  # up to 9999, and a space
SIGN_STYLE = {LineKind.ADDED: "bold green", LineKind.REMOVED: "bold red", LineKind.CONTEXT: "dim"}


def _shown(text: str) -> str:
    return visible_controls(text).expandtabs(4)


def coloured(path: str, hunk: DiffHunk) -> list[Text]:
    """The hunk's lines with the colours of their language (guessed from the file name),
    highlighted together so a string or comment spanning lines stays one."""
    code = "\n".join(_shown(line.text) for line in hunk.lines)
    lexer = Syntax.guess_lexer(visible_controls(path), code)
    highlighted = Syntax(code, lexer, theme=THEME, background_color="default").highlight(code)
    lines = list(highlighted.split("\n", allow_blank=True))[:len(hunk.lines)]
    lines += [Text(_shown(line.text)) for line in hunk.lines[len(lines):]]
    return lines


def _number(number: int | None) -> Text:
    return Text(f"{number or '':>{NUMBER_WIDTH - 1}} ", style="dim")


def _heading(hunk: DiffHunk) -> Text:
    heading = Text(f"@@ -{hunk.old_start},{hunk.old_count} +{hunk.new_start},{hunk.new_count} @@",
                   style="bold cyan")
    if hunk.section:
        heading.append(f" {_shown(hunk.section)}", style="cyan")
    return heading


def commented(comments: Sequence[LineComment], path: str, line: DiffLine) -> bool:
    for comment in comments:
        if comment.path != path:
            continue
        number = line.new if comment.side is Side.NEW else line.old
        if number is not None and comment.start <= number <= comment.end:
            return True
    return False


class DiffLines(DataTable[Text]):
    """Shows one file (`show`); `place` is where the cursor is: (hunk, line) with line None on
    a hunk's heading."""

    def __init__(self, **kwargs: object) -> None:
        # No padding between cells: the numbers carry their own spaces, the code gets the room.
        super().__init__(cursor_type="row", zebra_stripes=False, show_header=False,
                         cell_padding=0, **kwargs)  # type: ignore[arg-type]
        self.file: FileDiff | None = None
        self.places: list[tuple[int, int | None]] = []

    def on_mount(self) -> None:
        self.add_column("", key="mark", width=1)
        self.add_column("old", key="old", width=NUMBER_WIDTH)
        self.add_column("new", key="new", width=NUMBER_WIDTH)
        self.add_column("", key="text")

    def show(self, file: FileDiff | None, comments: Sequence[LineComment], *,
             keep_cursor: bool = False) -> None:
        row = self.cursor_row if keep_cursor and self.file is file else 0
        self.file = file
        self.clear()
        self.places = []
        if file is None:
            return
        if not file.hunks:
            what = "binary file" if file.binary else "no lines changed (a rename or a mode)"
            self.add_row(Text(""), Text(""), Text(""), Text(what, style="dim italic"))
            return
        for h, hunk in enumerate(file.hunks):
            self.add_row(Text(""), Text(""), Text(""), _heading(hunk))
            self.places.append((h, None))
            for index, (line, text) in enumerate(zip(hunk.lines, coloured(file.path, hunk))):
                row_text = Text(line.kind.value, style=SIGN_STYLE[line.kind]) + text
                row_text.stylize(ROW_STYLE[line.kind])
                mark = Text("●", style="bold yellow") if commented(
                    comments, file.path, line) else Text("")
                self.add_row(mark, _number(line.old), _number(line.new), row_text)
                self.places.append((h, index))
        self.move_cursor(row=min(row, self.row_count - 1), animate=False)
        # The rows just added are laid out on the next refresh: the cursor is scrolled into
        # view then (before it, the table still has the height of its old rows).
        self.call_after_refresh(self._cursor_in_view)

    def on_resize(self) -> None:
        # Shorter when the status line above wraps (a comment's count joined it): the cursor's
        # row must not end up below the bottom.
        self.call_after_refresh(self._cursor_in_view)

    def _cursor_in_view(self) -> None:
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif height and self.cursor_row >= top + height:
            self.scroll_to(y=self.cursor_row - height + 1, animate=False)

    @property
    def place(self) -> tuple[int, int | None] | None:
        if not self.places or not 0 <= self.cursor_row < len(self.places):
            return None
        return self.places[self.cursor_row]

    def hunk_rows(self) -> list[int]:
        return [row for row, (_, line) in enumerate(self.places) if line is None]

    def to_hunk(self, step: int) -> bool:
        """Move to the next (`step` 1) or previous (-1) hunk heading; False at either end."""
        rows = self.hunk_rows()
        here = self.cursor_row
        after = [r for r in rows if r > here] if step > 0 else [r for r in rows if r < here]
        if not after:
            return False
        self.move_cursor(row=after[0] if step > 0 else after[-1], animate=False)
        self.scroll_to_region_top()
        return True

    def scroll_to_region_top(self) -> None:
        """The hunk's heading at the top of the view, its lines below it."""
        self.scroll_to(y=self.cursor_row, animate=False)
