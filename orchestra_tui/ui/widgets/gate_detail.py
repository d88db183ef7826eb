"""The merge panel's detail: the selected PR's evidence gate in full, check by check."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from orchestra_tui.core.desk.desk import DeskError
from orchestra_tui.core.desk.inbox import InboxPull
from orchestra_tui.pr_facts import PredictedConflict
from orchestra_tui.ui.wording.github import (
    GREEN,
    check_line,
    merge_cell,
    repo_error_text,
    review_cell,
    short_sha,
)


def gate_text(pull: InboxPull, predicted: tuple[PredictedConflict, ...] = ()) -> Text:
    pr, gate = pull.pr, pull.gate
    text = Text.assemble((f"{pr.repo}#{pr.number} ", "bold cyan"))
    text.append(pr.title, style="bold")
    text.append(f"\n{pr.head_ref} → {pr.base_ref}   head {pr.head_sha or '—'}", style="dim")
    text.append(f"   {pr.agent or 'unassigned'}\n", style="dim" if pr.agent else "yellow")
    if gate.ready:
        text.append(" READY ", style=GREEN)
        text.append(f" squash-merge pinned to {short_sha(gate.head_sha)}: M merges", style="green")
    else:
        text.append(" NOT READY ", style="bold white on #6b6f7a")
        for reason in gate.reasons:
            text.append(f"\n  • {reason}", style="yellow")
    for conflict in predicted:  # the conflict radar, on the agents' worktrees
        text.append(f"\n  ≠ predicted conflict with {conflict.other}'s work on "
                    f"{', '.join(conflict.files)}: merge one, then the other rebases",
                    style="magenta")
    text.append("\n\nchecks")
    if not pr.checks:
        text.append("  none reported", style="dim")
    width = max((len(c.name) for c in pr.checks), default=0)
    for check in pr.checks:
        text.append("\n")
        text.append_text(check_line(check, width))
    threads = sum(1 for t in pr.threads if not t.is_resolved and not t.is_outdated)
    text.append("\n\nreview    ")
    text.append_text(review_cell(pr.review_decision))
    text.append("\nthreads   ")
    text.append(f"{threads} unresolved", style="yellow" if threads else "green")
    text.append("\nmergeable ")
    text.append(pr.mergeable.lower(), style="green" if pr.mergeable == "MERGEABLE" else "yellow")
    text.append("   state ")
    text.append_text(merge_cell(pr))
    text.append("\nbehind    ")
    if pr.behind_by is None:
        text.append("behind (count unknown)" if pr.merge_state == "BEHIND" else "not behind",
                    style="yellow" if pr.merge_state == "BEHIND" else "dim")
    else:
        text.append(f"{pr.behind_by} commit{'s' if pr.behind_by != 1 else ''}",
                    style="yellow" if pr.behind_by else "dim")
    text.append("\ndraft     ")
    text.append("yes" if pr.is_draft else "no", style="yellow" if pr.is_draft else "dim")
    return text


class GateDetail(VerticalScroll):
    DEFAULT_CLASSES = "gate-detail"

    def compose(self):
        yield Static("", classes="gate-text")

    def show(self, pull: InboxPull | None, empty: str = "",
             predicted: tuple[PredictedConflict, ...] = ()) -> None:
        self.query_one(".gate-text", Static).update(
            gate_text(pull, predicted) if pull is not None else Text(empty, style="dim"))

    def show_error(self, repo: str, error: DeskError) -> None:
        """A repository that could not be read: why, and that its last PRs are still listed."""
        text = repo_error_text(repo, error.kind, error.message)
        text.append("\n\nIts pull requests as last read stay listed; the other repositories "
                    "are current. R reads GitHub again.", style="dim")
        self.query_one(".gate-text", Static).update(text)
