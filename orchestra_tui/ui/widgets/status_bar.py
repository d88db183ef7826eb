"""The line under the title: fleet size, how many agents need the person, and tmux's health."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.models import State
from orchestra_tui.ui.wording.format import needs_you
from orchestra_tui.usage_limit import countdown


def status_line(snapshot: FleetSnapshot, cut: str = "") -> Text:
    line = Text()
    count = len(snapshot.agents)
    line.append(f" {count} agent{'' if count == 1 else 's'} ", style="bold")
    need = snapshot.needs_person
    if need:
        line.append(f" {needs_you(need)} ", style="bold black on #e5c07b")
    else:
        line.append(" nobody waits on you ", style="dim")
    working = sum(1 for view in snapshot.agents if view.status.state is State.WORKING)
    line.append(f"  {working} working")
    queued = sum(view.queued for view in snapshot.agents)
    line.append(f"  {queued} queued")
    held = sum(view.status.queued or 0 for view in snapshot.agents)
    if held:
        line.append(f"  {held} held by agents", style="cyan")
    limited = [view.status.limit for view in snapshot.agents if view.status.limit is not None]
    if limited:
        soonest = min(limited, key=lambda limit: limit.resets_at or float("inf"))
        line.append(f"  {len(limited)} on a limit ({countdown(soonest, snapshot.at)})",
                    style="magenta")
    if cut:  # the list shows part of the fleet, or groups or freezes it
        line.append(f"  {cut}", style="bold cyan")
    if snapshot.tmux_error:
        line.append(f"  tmux: {snapshot.tmux_error}", style="bold red")
    return line


class FleetStatus(Static):
    DEFAULT_CLASSES = "fleet-status"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._line: Text | None = None

    def show(self, snapshot: FleetSnapshot, cut: str = "") -> None:
        # Every update lays the screen out again: only a line that changed is worth it.
        line = status_line(snapshot, cut)
        if line != self._line:
            self._line = line
            self.update(line)
