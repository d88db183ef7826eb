"""The issues list: each repository of the agents' lanes, its open issues under it, and which
agent is on which issue. The cursor stays on the same issue across reloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from orchestra_tui.core.desk.desk import LaneIssues
from orchestra_tui.models import AgentSpec, Issue
from orchestra_tui.ui.wording.github import clip, repo_error_text


class IssueTree(Tree[Any]):
    def __init__(self, **kwargs) -> None:
        super().__init__("issues", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = False
        self._key: tuple = ()

    @property
    def selected_issue(self) -> Issue | None:
        node = self.cursor_node
        return node.data if node is not None and isinstance(node.data, Issue) else None

    @property
    def selected_lane(self) -> LaneIssues | None:
        node = self.cursor_node
        while node is not None:
            if isinstance(node.data, LaneIssues):
                return node.data
            node = node.parent
        return None

    def show(self, lanes: tuple[LaneIssues, ...], agents: tuple[AgentSpec, ...],
             on_issue: Mapping[tuple[str, int], tuple[str, ...]]) -> None:
        """`on_issue`: (repo in lower case, number) -> the agents that work on it."""
        key = (tuple((lane.repo, lane.agents, lane.error,
                      tuple((i.number, i.title, i.labels) for i in lane.issues))
                     for lane in lanes),
               tuple(sorted((k, tuple(v)) for k, v in on_issue.items())))
        if key == self._key:
            return
        self._key = key
        selected = self.selected_issue
        wanted = (selected.repo, selected.number) if selected else None
        specs = {a.name: a for a in agents}
        self.clear()
        target: TreeNode | None = None
        first: TreeNode | None = None
        for lane in lanes:
            node = self.root.add(self._lane_label(lane, specs), data=lane, expand=True)
            for issue in lane.issues:
                leaf = node.add_leaf(self._issue_label(
                    issue, on_issue.get((issue.repo.lower(), issue.number), ())), data=issue)
                first = first or leaf
                if (issue.repo, issue.number) == wanted:
                    target = leaf
        chosen = target or first
        if chosen is not None:
            self.get_node_at_line(0)  # lays the lines out so the node has its line
            self.move_cursor(chosen)

    @staticmethod
    def _lane_label(lane: LaneIssues, specs: Mapping[str, AgentSpec]) -> Text:
        if lane.error is not None:  # its issues as last read stay under it
            return repo_error_text(lane.repo, lane.error.kind, lane.error.message, 110)
        label = Text.assemble((lane.repo, "bold"))
        if lane.agents:
            lanes = ", ".join(
                name if specs.get(name) is None or specs[name].branch in ("", "*")
                else f"{name} ({specs[name].branch})" for name in lane.agents)
            label.append(f"  lanes: {lanes}", style="dim")
        else:
            label.append("  no agent's lane", style="dim yellow")
        label.append(f"  {len(lane.issues)} open", style="dim")
        return label

    @staticmethod
    def _issue_label(issue: Issue, agents_on_it: tuple[str, ...]) -> Text:
        label = Text.assemble((f"#{issue.number}".ljust(6), "bold cyan"))
        label.append(clip(issue.title, 60))
        for name in issue.labels[:3]:
            label.append(f"  {name}", style="italic magenta")
        if agents_on_it:
            label.append(f"  ← {', '.join(sorted(agents_on_it))}", style="bold green")
        return label
