"""The line under the title: fleet size, how many agents need the person, and tmux's health."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from orchestra_tui.core.fleet import FleetSnapshot


class FleetStatus(Static):
    DEFAULT_CLASSES = "fleet-status"

    def show(self, snapshot: FleetSnapshot) -> None:
        line = Text()
        line.append(f" {len(snapshot.agents)} agents ", style="bold")
        need = snapshot.needs_person
        if need:
            line.append(f" {need} need you ", style="bold black on #e5c07b")
        else:
            line.append(" nobody waits on you ", style="dim")
        working = sum(1 for view in snapshot.agents if view.status.state == "working")
        line.append(f"  {working} working", style="")
        queued = sum(1 for view in snapshot.agents for item in view.queue
                     if item.state == "queued")
        line.append(f"  {queued} queued")
        if snapshot.tmux_error:
            line.append(f"  tmux: {snapshot.tmux_error}", style="bold red")
        self.update(line)
