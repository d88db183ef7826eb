"""The fleet's actions in the command palette: each titled by its binding's label and said in
a sentence, run on the fleet screen as its key would be."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import SystemCommand
from textual.binding import Binding

from orchestra_tui.ui.screens.fleet import FleetScreen

# What each fleet action does, for the command palette (its title is the binding's label).
PALETTE_HELP: dict[str, str] = {
    "prompt": "Type a prompt for the selected agent: send it now or add it to its queue",
    "queue": "Open the selected agent's queue of follow-up prompts",
    "approve": "Answer yes to the selected agent's permission dialog",
    "deny": "Answer no to the selected agent's permission dialog",
    "interrupt": "Stop the selected agent's turn (press twice)",
    "alerts": "The selected agent's alerts: forbidden commands, loops, low context",
    "attach": "Switch your tmux client to the selected agent's pane",
    "pause": "Pause or resume sending the selected agent's queued prompts",
    "restart": "Kill the selected agent and start it again with a handoff you can edit",
    "kill": "Kill the selected agent's process (asks first); its queue stays",
    "policy": "Send the lane's policy to the selected agent as a reminder",
    "nudge": "Send 'continue' to a blocked agent whose prompt box is ready (asks first)",
    "grid": "Show every agent's pane at once",
    "zoom": "Show the selected agent's pane full size",
    "why": "Why the selected agent is in its state, and what orchestra does next for it",
    "inbox": "Unresolved review threads and bot findings on the agents' PRs",
    "merge": "Each PR's evidence gate; merge only what passes",
    "issues": "The lanes' issues: comment guidance, assign one to an agent",
    "new_agent": "Start a new agent on a lane, optionally on an issue, in its own worktree",
    "retire": "Stop the selected agent and remove its worktree (asks first)",
}


def fleet_commands(fleet_screen: FleetScreen) -> Iterable[SystemCommand]:
    for binding in FleetScreen.BINDINGS:
        # Every action on an agent, shown in the footer or not; not the cursor keys.
        if not isinstance(binding, Binding):
            continue
        help_text = PALETTE_HELP.get(binding.id or "")
        if help_text is None:
            continue
        yield SystemCommand(binding.description, f"{help_text} (key: {binding.key})",
                            partial(fleet_screen.run_action, binding.action))
