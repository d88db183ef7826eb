"""What every command that names an agent shares: the one resolver of names (`api`,
`devbox:r2`, `%3`, `devbox:%3`: every name the app shows, see `core.agent_ref`), one look at
tmux that fails in one line when tmux cannot be reached, and the person's confirmation.

Not a subcommand: `cli.SUBCOMMANDS` does not list it.
"""

from __future__ import annotations

import sys

from orchestra_tui.core.agent_ref import is_pane_id, resolve_agent
from orchestra_tui.core.fleet.fleet import AgentView, Fleet, FleetSnapshot
from orchestra_tui.errors import AgentNotFound, OrchestraError, TmuxUnavailable


def agent_name(fleet: Fleet, text: str) -> str | None:
    """The fleet's name for `text` (None: a pane id no agent holds); `AgentNotFound` else.
    Pane ids of discovered agents are known after `look`."""
    return resolve_agent(text, [fleet.spec(name) for name in fleet.names],
                         fleet.snapshot.agents)


def recorded_name(specs, text: str | None) -> str | None:
    """The name the journal holds for `text` (`devbox:r2` is `r2`), from the config alone;
    `text` itself when the config does not know it (an agent since removed, a bare pane)."""
    if not text:
        return text
    try:
        return resolve_agent(text, specs, ()) or text
    except AgentNotFound:
        return text


async def look(fleet: Fleet) -> FleetSnapshot:
    """One tick; tmux out of reach (the local server down) raises `TmuxUnavailable`."""
    snapshot = await fleet.refresh()
    if snapshot.tmux_error:
        raise TmuxUnavailable(snapshot.tmux_error)
    if snapshot.tick_error:
        raise OrchestraError(snapshot.tick_error)
    return snapshot


async def agent_after_look(fleet: Fleet, text: str) -> str:
    """The agent `text` names, after one look at tmux; a pane id that is no agent's is said
    as such: `no such pane: %99`, or that it runs no agent of the fleet."""
    await look(fleet)
    name = agent_name(fleet, text)
    if name is not None:
        return name
    if not await pane_exists(fleet, text):
        raise AgentNotFound(f"no such pane: {text}")
    raise AgentNotFound(f"pane {text} runs no agent orchestra knows (known: "
                        f"{', '.join(fleet.names) or 'none'})")


async def view_after_look(fleet: Fleet, text: str) -> AgentView:
    """What one look at tmux shows of the agent `text` names (`agent_after_look`)."""
    name = await agent_after_look(fleet, text)
    view = fleet.snapshot.get(name)
    if view is None:  # the look that resolved the name has its view: only a bug gets here
        raise AgentNotFound(f"{text}: not in the fleet's last look")
    return view


async def pane_exists(fleet: Fleet, pane_id: str) -> bool:
    if not is_pane_id(pane_id):
        return False
    return any(pane.pane_id == pane_id for pane in await fleet.tmux.list_panes())


def confirmed(what: str, detail: str, *, yes: bool) -> bool:
    """`--yes`, or the person answers y on a terminal to `what (detail)? [y/N]`. Without a
    terminal and without `--yes` nothing is asked and nothing is done: a script must say it."""
    if yes:
        return True
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise OrchestraError(f"{what} needs --yes (no terminal to ask on); nothing done")
    print(f"{what} ({detail})? [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")
