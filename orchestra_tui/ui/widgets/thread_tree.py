"""The inbox list: review threads grouped by agent, then pull request, newest first, under one
line per repository that could not be read. Rebuilt only when what it shows changed; the cursor
stays on the same thread across refreshes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from orchestra_tui.core.desk.desk import DeskError, InboxEntry, LoopEntry
from orchestra_tui.core.desk.inbox import InboxPull, summary_line
from orchestra_tui.core.desk.snapshot import DeskSnapshot, InboxGroups
from orchestra_tui.core.desk.who import agent_issues, pull_issues
from orchestra_tui.models import AgentSpec
from orchestra_tui.ui.wording.github import (
    age,
    author_text,
    clip,
    repo_error_text,
    severity_badge,
    where,
)

Groups = InboxGroups


class ThreadTree(Tree[Any]):
    # enter means the screen's "send to agent", not Tree's select (which a click also does).
    BINDINGS = [Binding("enter", "screen.send", "Send to agent", show=False)]

    def __init__(self, **kwargs) -> None:
        super().__init__("inbox", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = False
        self._key: tuple = ()
        self.now = 0.0

    @property
    def selected_entry(self) -> InboxEntry | None:
        node = self.cursor_node
        return node.data if node is not None and isinstance(node.data, InboxEntry) else None

    @property
    def selected_loop_entry(self) -> LoopEntry | None:
        node = self.cursor_node
        return node.data if node is not None and isinstance(node.data, LoopEntry) else None

    @property
    def selected_error(self) -> tuple[str, DeskError] | None:
        """(repo, error) when the cursor is on a repository that could not be read."""
        node = self.cursor_node
        data = node.data if node is not None else None
        return data if isinstance(data, tuple) else None

    @property
    def selected_pull(self) -> InboxPull | None:
        node = self.cursor_node
        while node is not None:
            if isinstance(node.data, InboxPull):
                return node.data
            if isinstance(node.data, (InboxEntry, LoopEntry)):
                return node.data.pull
            node = node.parent
        return None

    def show(self, groups: Groups, agents: tuple[AgentSpec, ...], now: float,
             errors: Mapping[str, DeskError] | None = None,
             desk: DeskSnapshot | None = None) -> None:
        """`desk` gives each PR's loop items (failed checks, conflicts, ...), listed first."""
        failed = tuple(sorted((errors or {}).items()))
        loops = {(p.pr.repo, p.pr.number): (desk.loop_entries(p) if desk else [])
                 for _, pulls in groups for p, _ in pulls}
        issues = agent_issues(desk) if desk else {}  # who works on which issue
        key = (failed, tuple((agent, pull.pr.repo, pull.pr.number, pull.gate.ready,
                              tuple((e.thread.id, e.thread.body, e.snoozed, e.queued_for)
                                    for e in entries),
                              tuple((e.item.fingerprint, e.routed_to)
                                    for e in loops[(pull.pr.repo, pull.pr.number)]))
                             for agent, pulls in groups for pull, entries in pulls),
               tuple(sorted(issues.items())))
        if key == self._key and now == self.now:
            return
        self._key, self.now = key, now
        selected = self.selected_entry
        selected_loop = self.selected_loop_entry
        selected_id = (selected.thread.id if selected else
                       selected_loop.item.fingerprint if selected_loop else None)
        self.clear()
        for repo, error in failed:
            self.root.add_leaf(repo_error_text(repo, error.kind, error.message, 110),
                               data=(repo, error))
        lanes = {a.name: a for a in agents}
        target: TreeNode | None = None
        first: TreeNode | None = None
        for agent, pulls in groups:
            agent_node = self.root.add(self._agent_label(agent, lanes.get(agent or ""), pulls,
                                                         issues.get(agent or "", ())),
                                       expand=True)
            for pull, entries in pulls:
                pr_node = agent_node.add(self._pull_label(pull, len(entries)), data=pull,
                                         expand=True)
                for loop in loops[(pull.pr.repo, pull.pr.number)]:
                    leaf = pr_node.add_leaf(self._loop_label(loop), data=loop)
                    first = first or leaf
                    if loop.item.fingerprint == selected_id:
                        target = leaf
                for entry in entries:
                    leaf = pr_node.add_leaf(self._thread_label(entry), data=entry)
                    first = first or leaf
                    if entry.thread.id == selected_id:
                        target = leaf
        node = target or first
        if node is not None:
            self.get_node_at_line(0)  # lays the lines out so the node has its line
            self.move_cursor(node)

    @staticmethod
    def _agent_label(agent: str | None, spec: AgentSpec | None, pulls: list,
                     issues: tuple[str, ...] = ()) -> Text:
        count = sum(len(entries) for _, entries in pulls)
        if agent is None:
            label = Text.assemble(("unassigned", "bold yellow"))
            label.append("  no lane claims these PRs: s asks which agent", style="dim")
        else:
            label = Text.assemble((agent, "bold"))
            if spec is not None:
                lane = spec.repo if spec.branch in ("", "*") else f"{spec.repo} @ {spec.branch}"
                label.append(f"  {lane}", style="dim")
            if issues:
                label.append(f"  on {', '.join(issues)}", style="bold green")
        label.append(f"  {count} open", style="dim")
        return label

    @staticmethod
    def _loop_label(entry: LoopEntry) -> Text:
        item = entry.item
        label = Text()
        label.append(f"{item.kind.value.upper():<9}", style="bold red" if item.kind.value in (
            "ci", "conflict") else "bold yellow")
        label.append(" ")
        label.append(clip(item.title, 90))
        if entry.routed_to:
            label.append(f"  → {entry.routed_to}", style="italic green")
        return label

    @staticmethod
    def _pull_label(pull: InboxPull, count: int) -> Text:
        pr = pull.pr
        label = Text.assemble((f"{pr.repo}#{pr.number} ", "bold cyan"))
        label.append(clip(pr.title, 50))
        if addressed := pull_issues(pr):
            label.append(f"  → {', '.join(f'#{n}' for n in addressed)}", style="green")
        label.append(f"  {count} thread{'s' if count != 1 else ''}", style="dim")
        if pull.gate.ready:
            label.append("  ready", style="green")
        return label

    def _thread_label(self, entry: InboxEntry) -> Text:
        thread = entry.thread
        label = Text()
        label.append_text(severity_badge(thread.severity))
        label.append(" ")
        label.append_text(author_text(thread.author, thread.author_is_bot, 18))
        label.append(" ")
        label.append(clip(where(thread), 24).ljust(24), style="cyan")
        label.append(" ")
        label.append(age(thread.created_at, self.now).rjust(3), style="dim")
        label.append(" ")
        label.append(clip(summary_line(thread.body, 200), 56),
                     style="dim" if entry.snoozed else "")
        if entry.snoozed:
            label.append("  snoozed", style="italic dim")
        if entry.queued_for:
            label.append(f"  → {entry.queued_for}", style="italic green")
        return label
