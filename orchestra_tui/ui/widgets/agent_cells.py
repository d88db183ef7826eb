"""The cells of one agent's row in the fleet list (`agent_table.AgentTable`)."""

from __future__ import annotations

from rich.text import Text

from orchestra_tui.core.fleet.fleet import AgentView
from orchestra_tui.models import QueueItemState
from orchestra_tui.ui.wording.costs import cost_cell
from orchestra_tui.ui.wording.format import (
    WAIT_STYLES,
    context_bar,
    ellipsis,
    lane,
    state_badge,
)

__all__ = ["AGENT_WIDTH", "LANE_WIDTH", "TOLD_WAITS", "WAITING", "Cells", "agent_cells", "on_host"]

Cells = dict[str, object]
WAITING = (QueueItemState.SENDING, QueueItemState.UNCERTAIN)
# Why a queue waits, told in its column: what the person can act on (busy and next are normal).
TOLD_WAITS = ("draft", "unreachable", "held", "budget")
# Longer names and lanes end in an ellipsis: one long branch must not push the lane column off.
AGENT_WIDTH, LANE_WIDTH = 24, 32


def agent_cells(view: AgentView, since: str, bar: int, armed: str = "", wait: str = "",
                limit_left: float | None = None, *, issue: str | None = None, warn: int = 20,
                critical: int = 10) -> Cells:
    """One agent's row: `since` its time in state, `bar` the context bar's width, `armed` a
    pending double-press interrupt, `wait` why its queue does not go, `issue` its issue."""
    status = view.status
    spec = status.spec
    queued = view.queued
    waiting = sum(1 for item in view.queue if item.state in WAITING)
    queue = Text(str(queued) if queued else "·", style="bold" if queued else "dim")
    if waiting:
        queue.append(f" !{waiting}", style="bold yellow")
    if view.paused:
        queue.append(" ⏸", style="yellow")
    elif queued and wait in TOLD_WAITS:
        # Work queued that does not go: why, in a word (Q says more).
        queue.append(f" {wait}", style=WAIT_STYLES[wait])
    if status.queued:  # prompts the agent holds in its own queue, not orchestra's
        queue.append(f" +{status.queued} held", style="cyan")
    name = on_host(Text(ellipsis(status.name, AGENT_WIDTH), style="bold"),
                   spec.host if spec is not None else "")
    if status.alerts:
        name.append(f" ⚠{len(status.alerts)}", style="bold red")
    if view.conflicts:  # the radar: merging its work and this one's would conflict
        name.append(f" ≠{view.conflicts[0].other}", style="bold magenta")
    if armed:
        name.append(f" {armed} again: interrupt", style="bold reverse red")
    lane_cell = Text(ellipsis(lane(spec.repo, spec.branch), LANE_WIDTH) if spec else "—")
    if issue:
        lane_cell.append(f" {issue}", style="bold cyan")
    return {
        "state": state_badge(status.state, limit_left),
        "agent": name,
        "tool": status.tool,
        "lane": lane_cell,
        "for": since,
        "context": context_bar(status.context_left, status.context_trend, width=bar,
                               warn=warn, critical=critical),
        "queue": queue,
        "cost": cost_cell(view.cost, view.cost_unknown),
    }


def on_host(name: Text, host: str) -> Text:
    """An agent's name as every view shows it: an agent on another machine has its host first
    (`gpu:w2`), as its pane id does."""
    return Text.assemble((f"{host}:", "dim"), name) if host else name
