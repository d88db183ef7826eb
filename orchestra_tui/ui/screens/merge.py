"""`m`: the merge panel. Every open PR with its evidence gate, in a safe merge order (ready PRs
whose owners' work the conflict radar found clean first: `core.desk.merge_order`); a ready PR
squash-merges pinned to the head SHA the gate saw, after a confirm dialog; an admin merge only
with a typed reason."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from orchestra_tui.core.desk.desk import UNCONFIGURED, DeskSnapshot
from orchestra_tui.core.desk.inbox import InboxPull
from orchestra_tui.core.desk.merge_order import Conflicts, conflicts_of, merge_order
from orchestra_tui.core.fleet.state import FleetSnapshot
from orchestra_tui.core.review import ReviewTarget
from orchestra_tui.ui.messages import (
    AdminMergeConfirmed,
    BranchUpdateAsked,
    BrowserOpenAsked,
    DeskRefreshAsked,
    DiffAsked,
    MergeConfirmed,
)
from orchestra_tui.ui.screens.confirm import ConfirmScreen, ReasonScreen
from orchestra_tui.ui.widgets.desk_status import DeskStatus
from orchestra_tui.ui.widgets.gate_detail import GateDetail
from orchestra_tui.ui.widgets.pull_table import PullTable
from orchestra_tui.ui.wording.github import short_sha


class MergeScreen(Screen[None]):
    """Shows `desk` and, from `snapshot` (the fleet's), the radar's predicted conflicts (the
    app sets both)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="merge_back"),
        Binding("M", "merge", "Squash merge", id="merge_squash"),
        Binding("u", "update_branch", "Update branch", id="merge_update"),
        Binding("A", "admin_merge", "Admin merge…", id="merge_admin"),
        Binding("o", "open", "Open", id="merge_open"),
        Binding("d", "diff", "Diff", id="merge_diff"),
        Binding("R", "refresh", "Refresh", id="merge_refresh"),
        Binding("i", "app.inbox", "Inbox", id="merge_inbox", show=False),
        Binding("I", "app.issues", "Issues", id="merge_issues", show=False),
    ]

    desk: reactive[DeskSnapshot] = reactive(UNCONFIGURED, always_update=True, repaint=False)
    snapshot: reactive[FleetSnapshot] = reactive(FleetSnapshot(agents=(), at=0.0),
                                                 always_update=True, repaint=False)

    def __init__(self, desk: DeskSnapshot, snapshot: FleetSnapshot | None = None) -> None:
        super().__init__()
        self.set_reactive(MergeScreen.desk, desk)
        if snapshot is not None:
            self.set_reactive(MergeScreen.snapshot, snapshot)
        self._conflicts: Conflicts = {}

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        yield DeskStatus(id="merge-status")
        yield PullTable(id="merge-pulls")
        yield GateDetail(id="merge-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Merge panel"
        self._show(self.desk)
        self.query_one(PullTable).focus()

    def watch_desk(self, desk: DeskSnapshot) -> None:
        if self.is_mounted:
            self._show(desk)

    def watch_snapshot(self, snapshot: FleetSnapshot) -> None:
        # Every tick brings a snapshot; the panel changes only when a prediction did.
        if self.is_mounted and self._radar(snapshot) != self._conflicts:
            self._show(self.desk)

    @staticmethod
    def _radar(snapshot: FleetSnapshot) -> Conflicts:
        return {view.name: view.conflicts for view in snapshot.agents if view.conflicts}

    @property
    def selected(self) -> InboxPull | None:
        return self.query_one(PullTable).selected

    def _show(self, snapshot: DeskSnapshot) -> None:
        ready = sum(1 for p in snapshot.pulls if p.gate.ready)
        count = len(snapshot.pulls)
        summary = Text()
        summary.append(f"{count} open PR{'s' if count != 1 else ''}", style="bold")
        summary.append(f"  {ready} ready to merge", style="bold green" if ready else "dim")
        self._conflicts = self._radar(self.snapshot)
        order = merge_order(snapshot.pulls, self._conflicts)
        if ready:
            summary.append("  merge in order: ", style="dim")
            summary.append(" → ".join(f"#{p.pr.number}" for p in order if p.gate.ready),
                           style="green")
        self.query_one(DeskStatus).show(snapshot, summary, notice=True)
        self.query_one(PullTable).show(order, snapshot.repo_errors, self._conflicts)
        self._show_detail()

    def _show_detail(self) -> None:
        snapshot = self.desk
        failed = self.query_one(PullTable).selected_error
        if failed is not None:
            self.query_one(GateDetail).show_error(*failed)
            return
        empty = ("No open pull requests." if snapshot.loaded and snapshot.error is None
                 else "")
        selected = self.selected
        self.query_one(GateDetail).show(
            selected, empty, conflicts_of(selected, self._conflicts) if selected else ())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # enter only selects: merging takes M and a confirm

    def _require_selected(self) -> InboxPull | None:
        pull = self.selected
        if pull is None:
            self.notify("No pull request selected", severity="warning", timeout=3)
        return pull

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_merge(self) -> None:
        pull = self._require_selected()
        if pull is None:
            return
        pr, gate = pull.pr, pull.gate
        if not gate.ready:
            self.app.bell()
            self.notify(f"{pr.repo}#{pr.number} is not ready: {'; '.join(gate.reasons)}. "
                        "A merges past the gate with a typed reason.",
                        title="Not merged", severity="warning", timeout=8)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.post_message(MergeConfirmed(pr, gate.head_sha))

        self.app.push_screen(ConfirmScreen(
            f"Squash merge {pr.repo}#{pr.number} into {pr.base_ref}?", pr.title, gate.head_sha,
            f"Pinned to {short_sha(gate.head_sha)}: if the head moved since, GitHub refuses "
            "and nothing is merged."), confirmed)

    def action_admin_merge(self) -> None:
        pull = self._require_selected()
        if pull is None:
            return
        pr, gate = pull.pr, pull.gate

        def reasoned(reason: str | None) -> None:
            if reason:
                self.post_message(AdminMergeConfirmed(pr, gate.head_sha, reason))

        self.app.push_screen(ReasonScreen(
            f"Admin merge {pr.repo}#{pr.number} past the gate", pr.title, gate.head_sha,
            gate.reasons), reasoned)

    def action_update_branch(self) -> None:
        pull = self._require_selected()
        if pull is None:
            return
        if pull.pr.behind_by == 0 and pull.pr.merge_state != "BEHIND":
            self.notify(f"{pull.pr.repo}#{pull.pr.number} is not behind its base",
                        timeout=3)
            return
        self.post_message(BranchUpdateAsked(pull.pr))

    def action_open(self) -> None:
        if pull := self._require_selected():
            self.post_message(BrowserOpenAsked(pull.pr.url))

    def action_diff(self) -> None:
        if pull := self._require_selected():
            self.post_message(DiffAsked(ReviewTarget(pull.pr.agent or "", pull.pr)))

    def action_refresh(self) -> None:
        self.post_message(DeskRefreshAsked())
