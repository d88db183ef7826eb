"""The merge panel's list: one row per open PR with its evidence at a glance. Rows are rebuilt
only when a PR changed; the cursor stays on the same PR."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from orchestra_tui.core.inbox import InboxPull
from orchestra_tui.ui.github_format import (
    checks_cell,
    clip,
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

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.add_column(column, key=column)

    @property
    def selected(self) -> InboxPull | None:
        if not self._pulls or self.cursor_row is None or self.cursor_row >= len(self._pulls):
            return None
        return self._pulls[self.cursor_row]

    def show(self, pulls: tuple[InboxPull, ...]) -> None:
        if pulls == self._pulls:
            return
        selected = self.selected
        self._pulls = pulls
        self.clear()
        for pull in pulls:
            self.add_row(*self._cells(pull), key=pull_key(pull))
        if selected is not None:
            keys = [pull_key(p) for p in pulls]
            if pull_key(selected) in keys:
                self.move_cursor(row=keys.index(pull_key(selected)), animate=False)

    @staticmethod
    def _cells(pull: InboxPull) -> tuple:
        pr = pull.pr
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
            Text(pr.agent or "unassigned", style="" if pr.agent else "yellow"),
            title,
            checks_cell(pr),
            review_cell(pr.review_decision),
            Text(str(threads), style="bold yellow" if threads else "dim"),
            merge_cell(pr),
            behind,
            Text(short_sha(pr.head_sha), style="dim"),
        )
