"""Sixty agents over three hosts (this machine, `gpu`, `build`) in four lanes, for the find and
group tests: a FixedFleet-style snapshot whose hosts are the agents' `[[host]]` names, as the
fleet reports agents reached over ssh."""

from __future__ import annotations

from orchestra_tui.core.fleet.fleet import AgentView
from orchestra_tui.models import AgentSpec, AgentStatus, State
from tests.ui_data import AT

HOSTS = ("", "gpu", "build")
LANES = (("api", "acme/api"), ("web", "acme/web"), ("ingest", "acme/ingest"),
         ("infra", "acme/infra"))
TOOLS = ("claude", "codex", "gemini")
# One in three waits on the person (approval, blocked), the rest work or idle.
STATES = (State.WORKING, State.IDLE, State.APPROVAL, State.WORKING, State.BLOCKED, State.IDLE)
REASONS = {
    State.WORKING: "working: status row (esc to interrupt)",
    State.IDLE: "idle: composer, no activity",
    State.APPROVAL: 'approval: "Do you want to proceed?" dialog',
    State.BLOCKED: 'blocked: "RateLimitError", retrying',
}


def sixty_views() -> list[AgentView]:
    views = []
    for index in range(60):
        lane, repo = LANES[index % len(LANES)]
        host = HOSTS[index % len(HOSTS)]
        state = STATES[index % len(STATES)]
        name = f"{lane}-{index:02d}"
        spec = AgentSpec(name=name, tool=TOOLS[index % 3], repo=repo, branch=f"{lane}/*",
                         target=f"%{index + 1}", host=host, lane=lane)
        pane = f"{host}:%{index + 1}" if host else f"%{index + 1}"
        status = AgentStatus(name=name, pane_id=pane, tool=spec.tool, state=state,
                             reason=REASONS[state], context_left=90 - index, since=AT - index,
                             spec=spec)
        views.append(AgentView(status=status, screen=f"{name} on {host or 'local'}\n"))
    # The fleet hands them over in attention order, as `Fleet` does.
    return sorted(views, key=lambda view: view.attention_rank)
