"""The merge panel's list: one row per open PR with its evidence at a glance, and first one row
per repository that could not be read (its last PRs stay below). Rows are rebuilt only when a
PR changed; the cursor stays on the same PR."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from orchestra_tui.core.desk.desk import DeskError
from orchestra_tui.core.desk.inbox import InboxPull
from orchestra_tui.core.desk.merge_order import Conflicts, conflicts_of
from orchestra_tui.ui.wording.github import (
    RED,
    checks_cell,
    clip,
    error_title,
    gate_badge,
    merge_cell,
    review_cell,
    short_sha,
)

COLUMNS = ("gate", "PR", "agent", "title", "checks", "review", "threads", "merge", "behind",
           "head")


def pull_key(pull: InboxPull) -> str:
    return f"{pull.pr.repo}#{pull.pr.number}"


class PullTable(DataTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._pulls: tuple[InboxPull, ...] = ()
        self._errors: tuple[tuple[str, DeskError], ...] = ()
        self._conflicts: Conflicts = {}

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.add_column(column, key=column)

    @property
    def selected(self) -> InboxPull | None:
        """The PR under the cursor; None on a repository's error row."""
        row = (self.cursor_row or 0) - len(self._errors)
        if not self._pulls or self.cursor_row is None or not 0 <= row < len(self._pulls):
            return None
        return self._pulls[row]

    @property
    def selected_error(self) -> tuple[str, DeskError] | None:
        """(repo, error) when the cursor is on a repository's error row."""
        row = self.cursor_row
        return self._errors[row] if row is not None and 0 <= row < len(self._errors) else None

    def show(self, pulls: tuple[InboxPull, ...],
             errors: Mapping[str, DeskError] | None = None,
             conflicts: Conflicts | None = None) -> None:
        """`conflicts`: the radar's predictions per agent, marked on their owners' PRs."""
        failed = tuple(sorted((errors or {}).items()))
        conflicts = conflicts or {}
        if pulls == self._pulls and failed == self._errors and conflicts == self._conflicts:
            return
        selected = self.selected
        self._pulls, self._errors, self._conflicts = pulls, failed, conflicts
        self.clear()
        for repo, error in failed:
            self.add_row(*self._error_cells(repo, error), key=f"error:{repo}")
        for pull in pulls:
            self.add_row(*self._cells(pull, conflicts), key=pull_key(pull))
        keys = [pull_key(p) for p in pulls]
        if selected is not None and pull_key(selected) in keys:
            row = keys.index(pull_key(selected))
        else:
            row = 0
        self.move_cursor(row=row + len(failed) if pulls else 0, animate=False)

    @staticmethod
    def _error_cells(repo: str, error: DeskError) -> tuple:
        return (Text(" ⚠ fail ", style=RED), Text(repo, style="bold red"), Text(""),
                Text(clip(f"{error_title(error.kind)}: {error.message}", 34), style="red"),
                *(Text("") for _ in COLUMNS[4:]))

    @staticmethod
    def _cells(pull: InboxPull, conflicts: Conflicts) -> tuple:
        pr = pull.pr
        agent = Text(pr.agent or "unassigned", style="" if pr.agent else "yellow")
        if predicted := conflicts_of(pull, conflicts):  # the radar: a rebase after the other
            agent.append(f" ≠{predicted[0].other}", style="bold magenta")
        threads = sum(1 for t in pr.threads if not t.is_resolved and not t.is_outdated)
        title = Text()
        if pr.is_draft:
            title.append("draft ", style="italic yellow")
        title.append(clip(pr.title, 34 - len(title)))
        behind = (Text(str(pr.behind_by), style="yellow") if pr.behind_by
                  else Text("0" if pr.behind_by == 0 else "·", style="dim"))
        return (
            gate_badge(pull.gate),
            Text(f"{pr.repo}#{pr.number}", style="bold cyan" if pull.gate.ready else "cyan"),
            agent,
            title,
            checks_cell(pr),
            review_cell(pr.review_decision),
            Text(str(threads), style="bold yellow" if threads else "dim"),
            merge_cell(pr),
            behind,
            Text(short_sha(pr.head_sha), style="dim"),
        )
