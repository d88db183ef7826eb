"""The line under the title of every GitHub screen: what was read, or why it could not be
(not configured, token rejected, rate limited until when, unreachable), and the outcome of the
last action. A failure is this visible state, never a traceback."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from orchestra_tui.core.desk.desk import NOT_CONFIGURED, DeskError, DeskSnapshot
from orchestra_tui.ui.wording.github import error_title, in_time


def error_line(error: DeskError, now: float) -> Text:
    title = error_title(error.kind)
    line = Text.assemble((f" ⚠ {title} ", "bold white on #d0463b"))
    if error.kind == "rate_limited" and error.reset_at:
        line.append(f" resets {in_time(error.reset_at - now)} ", style="bold black on #e5c07b")
    line.append(f"  {error.message}", style="red")
    return line


class DeskStatus(Static):
    DEFAULT_CLASSES = "desk-status"

    def show(self, snapshot: DeskSnapshot, summary: Text | str = "", *,
             error: DeskError | None = None, loaded: bool | None = None,
             now: float | None = None, notice: bool = False,
             failed: tuple[str, ...] | None = None) -> None:
        """`summary` describes what the screen lists; `error`, `loaded` and `failed` (the
        repositories that could not be read) override the snapshot's (the issues screen has its
        own); `notice` adds the last action's outcome."""
        failed = tuple(snapshot.repo_errors) if failed is None else failed
        error = error if error is not None else snapshot.error
        loaded = snapshot.loaded if loaded is None else loaded
        now = snapshot.at if now is None else now  # never the wall clock: screenshots agree
        if not snapshot.configured:
            line = Text.assemble((f" {NOT_CONFIGURED}", "bold yellow"))
        elif error is not None:
            line = error_line(error, now)
        elif not loaded:
            line = Text.assemble((" Reading GitHub…", "dim"))
        else:
            line = Text(" ")
            line.append_text(summary if isinstance(summary, Text) else Text(summary))
            limit = snapshot.rate_limit
            if limit.remaining is not None:
                line.append(f"   rate {limit.remaining}/{limit.limit or '?'}", style="dim")
                if limit.reset_at:
                    line.append(f", resets {in_time(limit.reset_at - now)}",
                                style="dim")
            if snapshot.refresh_cost is not None and snapshot.loaded:
                line.append(f", refresh cost {snapshot.refresh_cost}", style="dim")
            if failed:
                line.append(f"   ⚠ {len(failed)} repo{'s' if len(failed) != 1 else ''} not "
                            f"read: {', '.join(failed)}", style="bold red")
        if notice and snapshot.notice is not None:
            mark, style = ("✓", "green") if snapshot.notice.ok else ("✗", "bold red")
            line.append("\n")
            line.append(f" {mark} {snapshot.notice.text}", style=style)
        self.update(line)
