"""`i`: the review inbox. Every unresolved, non-outdated review thread on the agents' PRs, grouped
by agent and PR, newest first, with the selected comment rendered as Markdown. One key sends a
thread to the owning agent's queue; resolve, snooze and open in the browser from here."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from orchestra_tui.core.desk.desk import DeskSnapshot, InboxEntry, LoopEntry
from orchestra_tui.core.desk.inbox import InboxPull, clean_body
from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.core.review import ReviewTarget
from orchestra_tui.ui.messages import (
    BrowserOpenAsked,
    DeskRefreshAsked,
    DiffAsked,
    LoopItemQueued,
    ReviewQueued,
    ReviewResolved,
    ReviewSnoozed,
    ReviewUnsnoozed,
)
from orchestra_tui.ui.screens.desk_screen import DeskScreen, cursor_bindings
from orchestra_tui.ui.screens.pick_agent import PickAgentScreen
from orchestra_tui.ui.widgets.thread_tree import ThreadTree
from orchestra_tui.ui.wording.github import (
    author_text,
    repo_error_text,
    severity_badge,
    short_sha,
    where,
)

# What `z` offers: label -> hours (None: until the thread changes).
SNOOZE_CHOICES: dict[str, float | None] = {
    "until the thread changes": None,
    "for 1 hour (or until it changes)": 1.0,
    "for 4 hours (or until it changes)": 4.0,
    "for 24 hours (or until it changes)": 24.0,
}


class InboxScreen(DeskScreen):
    PREFIX = "inbox"
    SUB_TITLE = "Review inbox"
    TREE = ThreadTree
    TREE_ID = "inbox-threads"
    BINDINGS = [
        Binding("escape", "back", "Back", id="inbox_back"),
        Binding("s,enter", "send", "Send to agent", id="inbox_send"),
        Binding("r", "resolve", "Resolve", id="inbox_resolve"),
        Binding("z", "snooze", "Snooze", id="inbox_snooze"),
        Binding("o", "open", "Open", id="inbox_open"),
        Binding("d", "diff", "Diff", id="inbox_diff"),
        Binding("R", "refresh", "Refresh", id="inbox_refresh"),
        Binding("Z", "toggle_snoozed", "Show snoozed", id="inbox_show_snoozed", show=False),
        Binding("m", "app.merge_panel", "Merge panel", id="inbox_merge", show=False),
        Binding("I", "app.issues", "Issues", id="inbox_issues", show=False),
        *cursor_bindings(),
    ]

    def __init__(self, snapshot: FleetSnapshot, desk: DeskSnapshot) -> None:
        super().__init__(snapshot, desk)
        self.show_snoozed = False

    @property
    def listing(self) -> ThreadTree:
        return self.query_one(ThreadTree)

    def show_desk(self, snapshot: DeskSnapshot) -> None:
        groups = snapshot.inbox(include_snoozed=self.show_snoozed)
        threads = sum(len(entries) for _, pulls in groups for _, entries in pulls)
        pulls = sum(1 for _, p in groups for _, entries in p if entries)
        summary = Text()
        summary.append(f"{threads} open review thread{'s' if threads != 1 else ''} on "
                       f"{pulls} PR{'s' if pulls != 1 else ''}", style="bold")
        hidden = len(snapshot.snoozed)
        if hidden:
            summary.append(f"  {hidden} snoozed" + ("" if self.show_snoozed else " (Z shows)"),
                           style="dim")
        if snapshot.loop_items:
            count = len(snapshot.loop_items)
            summary.append(f"  {count} CI, conflict and review item{'s' if count != 1 else ''}",
                           style="bold")
        self.status.show(snapshot, summary, notice=False)
        self.listing.show(groups, snapshot.agents, snapshot.at, snapshot.repo_errors, snapshot)
        self.show_detail()

    def show_detail(self) -> None:
        snapshot = self.desk
        detail = self.detail
        failed = self.listing.selected_error
        if failed is not None:
            repo, error = failed
            head = repo_error_text(repo, error.kind, error.message)
            head.append("\nIts review threads as last read stay listed; the other "
                        "repositories are current. R reads GitHub again.", style="dim")
            detail.show(head, "")
            return
        entry = self.listing.selected_entry
        if entry is not None:
            detail.show(self._entry_head(entry), clean_body(entry.thread.body) or "*(empty)*")
            return
        loop = self.listing.selected_loop_entry
        if loop is not None:
            head = self._pull_head(loop.pull)
            head.append(f"\n\n{loop.item.title}", style="bold red")
            if loop.routed_to:
                head.append(f"\nsent to {loop.routed_to}'s queue", style="green")
            detail.show(head, loop.item.prompt)  # what the agent gets, quoted parts as quotes
            return
        pull = self.listing.selected_pull
        if pull is not None:
            detail.show(self._pull_head(pull), "")
            return
        groups = snapshot.inbox(include_snoozed=self.show_snoozed)
        empty = not any(entries for _, pulls in groups for _, entries in pulls)
        if empty and snapshot.configured and snapshot.loaded and snapshot.error is None:
            detail.show(Text("Inbox zero: no open review threads on the agents' PRs.",
                             style="green"), "")
        elif not empty:  # a group row: what it holds is under it
            detail.show(Text("Move to a thread (j/k) to read it and act on it.", style="dim"),
                        "")
        else:
            detail.show(Text(""), "")

    @staticmethod
    def _pull_head(pull: InboxPull) -> Text:
        pr = pull.pr
        head = Text.assemble((f"{pr.repo}#{pr.number} ", "bold cyan"))
        head.append(pr.title, style="bold")
        head.append(f"\n{pr.head_ref} → {pr.base_ref} at {short_sha(pr.head_sha)}", style="dim")
        head.append(f"\nowner: {pr.agent}" if pr.agent else "\nunassigned: no lane claims it",
                    style="" if pr.agent else "yellow")
        head.append("\ngate: ")
        head.append("ready" if pull.gate.ready else "; ".join(pull.gate.reasons),
                    style="green" if pull.gate.ready else "yellow")
        return head

    def _entry_head(self, entry: InboxEntry) -> Text:
        head = self._pull_head(entry.pull)
        thread = entry.thread
        head.append("\n\n")
        head.append_text(severity_badge(thread.severity))
        head.append(" ")
        head.append_text(author_text(thread.author, thread.author_is_bot))
        head.append(f"  {where(thread)}", style="cyan")
        head.append(f"  {thread.created_at}", style="dim")
        if entry.queued_for:
            head.append(f"\nsent to {entry.queued_for}'s queue", style="green")
        if entry.snoozed:
            head.append("\nsnoozed (z wakes it)", style="italic dim")
        return head

    def _require_entry(self) -> InboxEntry | None:
        entry = self.listing.selected_entry
        if entry is None:
            self.notify("Select a review thread first", severity="warning", timeout=3)
        return entry

    def action_send(self) -> None:
        loop = self.listing.selected_loop_entry
        if loop is not None:
            self._send_loop(loop)
            return
        entry = self._require_entry()
        if entry is None:
            return
        agent = entry.pull.pr.agent
        if agent:
            self.post_message(ReviewQueued(entry, agent))
            return
        names = self.agent_names()
        if not names:
            self.notify("No agent to send it to", severity="warning")
            return

        def picked(name: str | None) -> None:
            if name:
                self.post_message(ReviewQueued(entry, name))

        self.app.push_screen(PickAgentScreen(names, "Unassigned PR: send to which agent?"),
                             picked)

    def _send_loop(self, loop: LoopEntry) -> None:
        agent = loop.pull.pr.agent
        if agent:
            self.post_message(LoopItemQueued(loop, agent))
            return
        names = self.agent_names()
        if not names:
            self.notify("No agent to send it to", severity="warning")
            return

        def picked(name: str | None) -> None:
            if name:
                self.post_message(LoopItemQueued(loop, name))

        self.app.push_screen(PickAgentScreen(names, "Unassigned PR: send to which agent?"),
                             picked)

    def action_resolve(self) -> None:
        if entry := self._require_entry():
            self.post_message(ReviewResolved(entry))

    def action_snooze(self) -> None:
        entry = self._require_entry()
        if entry is None:
            return
        if entry.snoozed:
            self.post_message(ReviewUnsnoozed(entry))
            return

        def picked(choice: str | None) -> None:
            if choice is not None:
                self.post_message(ReviewSnoozed(entry, SNOOZE_CHOICES[choice]))

        self.app.push_screen(PickAgentScreen(list(SNOOZE_CHOICES), "Snooze this thread…"),
                             picked)

    def action_toggle_snoozed(self) -> None:
        self.show_snoozed = not self.show_snoozed
        self.show_desk(self.desk)

    def action_open(self) -> None:
        entry = self.listing.selected_entry
        loop = self.listing.selected_loop_entry
        pull = self.listing.selected_pull
        url = (entry.thread.url if entry is not None else loop.item.url if loop is not None
               else (pull.pr.url if pull else ""))
        if url:
            self.post_message(BrowserOpenAsked(url))
        else:
            self.app.bell()

    def action_diff(self) -> None:
        """`d` on a PR, one of its threads, or one of its CI, conflict or review items."""
        entry = self.listing.selected_entry
        loop = self.listing.selected_loop_entry
        pull = self.listing.selected_pull
        pr = (entry.pull.pr if entry is not None else loop.item.pr if loop is not None
              else pull.pr if pull is not None else None)
        if pr is None:
            self.notify("Select a pull request or one of its threads first", timeout=3)
            return
        self.post_message(DiffAsked(ReviewTarget(pr.agent or "", pr)))

    def action_refresh(self) -> None:
        self.post_message(DeskRefreshAsked())
