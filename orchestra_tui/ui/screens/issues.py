"""`I`: issues as the task ledger. Each lane's open issues with their comments; write
implementation guidance in an editor and post it on the issue (it outlives any agent session);
assign an issue to an agent, which queues the "work on issue #N" prompt and records that the
agent is on it."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from orchestra_tui.core.desk.desk import GUIDANCE_TEMPLATE, DeskSnapshot
from orchestra_tui.core.desk.who import issue_workers
from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.models import Issue
from orchestra_tui.ui.messages import (
    AgentOnIssueAsked,
    AgentPicked,
    BrowserOpenAsked,
    GuidanceWritten,
    IssueAssigned,
    IssuesWanted,
    IssueWanted,
)
from orchestra_tui.ui.screens.ask import AskScreen
from orchestra_tui.ui.screens.desk_screen import DeskScreen, cursor_bindings
from orchestra_tui.ui.screens.edit_prompt import EditPromptScreen
from orchestra_tui.ui.screens.pick_agent import PickAgentScreen
from orchestra_tui.ui.widgets.issue_tree import IssueTree
from orchestra_tui.ui.wording.github import repo_error_text


def issue_markdown(issue: Issue, with_comments: bool) -> str:
    """The issue and its comments as one Markdown document (their text is the authors')."""
    parts = [issue.body.strip() or "*No description.*"]
    if with_comments:
        for comment in issue.comments:
            parts.append("---")
            parts.append(f"**{comment.author}** · {comment.created_at}")
            parts.append(comment.body.strip() or "*(empty)*")
        if not issue.comments:
            parts.append("---\n\n*No comments yet: g writes guidance for the agent.*")
    else:
        parts.append("---\n\n*Reading comments…*")
    return "\n\n".join(parts)


class IssuesScreen(DeskScreen):
    PREFIX = "issues"
    SUB_TITLE = "Issues"
    TREE = IssueTree
    TREE_ID = "issues-list"
    BINDINGS = [
        Binding("escape", "back", "Back", id="issues_back"),
        Binding("a", "assign", "Assign to agent", id="issues_assign"),
        Binding("N", "start_agent", "Start a new agent on it", id="issues_start", show=False),
        Binding("g", "guidance", "Write guidance", id="issues_guidance"),
        Binding("o", "open", "Open", id="issues_open"),
        Binding("R", "refresh", "Refresh", id="issues_refresh"),
        Binding("i", "app.inbox", "Inbox", id="issues_inbox", show=False),
        Binding("m", "app.merge_panel", "Merge panel", id="issues_merge", show=False),
        *cursor_bindings(),
    ]

    def __init__(self, snapshot: FleetSnapshot, desk: DeskSnapshot) -> None:
        super().__init__(snapshot, desk)
        self._requested: set[tuple[str, int]] = set()

    def on_mount(self) -> None:
        super().on_mount()
        if self.desk.configured and self.desk.issues is None:
            self.post_message(IssuesWanted())

    @property
    def listing(self) -> IssueTree:
        return self.query_one(IssueTree)

    def show_desk(self, snapshot: DeskSnapshot) -> None:
        lanes = snapshot.issues or ()
        count = sum(len(lane.issues) for lane in lanes)
        summary = Text()
        summary.append(f"{count} open issue{'s' if count != 1 else ''} in "
                       f"{len(lanes)} repo{'s' if len(lanes) != 1 else ''}", style="bold")
        workers = issue_workers(snapshot)
        on_it = sorted(f"{name} #{number}" for (_repo, number), names in workers.items()
                       for name in names)
        if on_it:
            summary.append("  on it: " + ", ".join(on_it), style="green")
        status = self.status
        if snapshot.configured and snapshot.issues is None and snapshot.issues_error is None:
            status.update(Text.assemble((" Reading issues…", "dim")))
        else:
            status.show(snapshot, summary, error=snapshot.issues_error,
                        loaded=snapshot.issues is not None, now=snapshot.issues_at,
                        failed=tuple(lane.repo for lane in lanes if lane.error))
        self.listing.show(lanes, snapshot.agents, workers)
        self.show_detail()

    def show_detail(self) -> None:
        snapshot = self.desk
        detail = self.detail
        issue = self.listing.selected_issue
        lane = self.listing.selected_lane
        if issue is None and lane is not None and lane.error is not None:
            head = repo_error_text(lane.repo, lane.error.kind, lane.error.message)
            head.append("\nIts issues as last read stay listed; R reads GitHub again.",
                        style="dim")
            detail.show(head, "")
            return
        if issue is None:
            loaded = snapshot.issues is not None and snapshot.issues_error is None
            detail.show(Text("No open issues in the agents' repositories." if loaded else "",
                             style="dim"), "")
            return
        key = (issue.repo, issue.number)
        full = snapshot.details.get(key)
        if full is None and key not in self._requested:
            self._requested.add(key)
            self.post_message(IssueWanted(issue.repo, issue.number))
        shown = full or issue
        detail.show(self._head(shown, snapshot, full is not None),
                    issue_markdown(shown, full is not None))

    @staticmethod
    def _head(issue: Issue, snapshot: DeskSnapshot, with_comments: bool) -> Text:
        head = Text.assemble((f"{issue.repo}#{issue.number} ", "bold cyan"))
        head.append(issue.title, style="bold")
        head.append(f"\nby {issue.author or 'unknown'}", style="dim")
        if issue.labels:
            head.append("  labels: " + ", ".join(issue.labels), style="italic magenta")
        if with_comments:
            count = len(issue.comments)
            head.append(f"  {count} comment{'s' if count != 1 else ''}", style="dim")
        on_it = issue_workers(snapshot).get((issue.repo.lower(), issue.number), ())
        if on_it:
            head.append(f"\non it: {', '.join(on_it)}", style="bold green")
        return head

    def _require_issue(self) -> Issue | None:
        issue = self.listing.selected_issue
        if issue is None:
            self.notify("Select an issue first", severity="warning", timeout=3)
        return issue

    def action_assign(self) -> None:
        issue = self._require_issue()
        if issue is None:
            return
        lane = self.listing.selected_lane
        in_lane = list(lane.agents) if lane is not None else []
        fleet = [view.name for view in self.snapshot.agents]
        choices = [name for name in in_lane if not fleet or name in fleet] or \
            self.agent_names()
        if not choices:
            self.notify("No agent to assign it to", severity="warning")
            return
        if len(choices) == 1:
            self.post_message(IssueAssigned(issue, choices[0]))
            return

        def picked(name: str | None) -> None:
            if name:
                self.post_message(IssueAssigned(issue, name))

        self.app.push_screen(PickAgentScreen(choices, f"Assign #{issue.number} to…"), picked)

    def action_start_agent(self) -> None:
        """A new agent in its own worktree on this issue, from the lane of its repository;
        when an agent already works on it, that is said first and nothing is started: the
        person may go to that agent instead."""
        issue = self._require_issue()
        if issue is None:
            return
        on_it = issue_workers(self.desk).get((issue.repo.lower(), issue.number), ())
        if not on_it:
            self.post_message(AgentOnIssueAsked(issue))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.post_message(AgentPicked(on_it[0]))

        self.app.push_screen(AskScreen(
            f"{' and '.join(on_it)} already work{'s' if len(on_it) == 1 else ''} on "
            f"#{issue.number}: select {on_it[0]}?",
            f"y selects {on_it[0]} in the fleet; n starts nothing (`orchestra new --issue "
            f"{issue.number}` starts another agent on it anyway)"), answered)

    def action_guidance(self) -> None:
        issue = self._require_issue()
        if issue is None:
            return

        def written(text: str | None) -> None:
            if not text or text.strip() == GUIDANCE_TEMPLATE.strip():
                self.notify("Nothing posted", timeout=3)
                return
            self.post_message(GuidanceWritten(issue.repo, issue.number, text))

        self.app.push_screen(EditPromptScreen(
            f"Guidance on {issue.repo}#{issue.number} (posted as a comment)", GUIDANCE_TEMPLATE),
            written)

    def action_open(self) -> None:
        if issue := self._require_issue():
            self.post_message(BrowserOpenAsked(issue.url))

    def action_refresh(self) -> None:
        issue = self.listing.selected_issue
        self._requested.clear()
        self.post_message(IssuesWanted())
        if issue is not None:
            self._requested.add((issue.repo, issue.number))
            self.post_message(IssueWanted(issue.repo, issue.number))
