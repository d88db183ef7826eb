"""What a new fleet snapshot tells the person in toasts, and whether the bell rings: a failed
tick, a tmux or data-dir problem, a lane's budget, an alert, and an agent that starts needing
the person. Only changes are told; never a toast over the prompt bar while the person types
(the row and the bell tell them)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.notifications import SeverityLevel

from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.models import NEEDS_PERSON
from orchestra_tui.ui.wording.costs import budget_news
from orchestra_tui.ui.wording.states import NEXT_STEP, STATE_PHRASES


@dataclass(frozen=True)
class Toast:
    text: str
    title: str
    severity: SeverityLevel
    timeout: float


def fleet_news(before: FleetSnapshot, after: FleetSnapshot, *,
               typing: bool) -> tuple[list[Toast], bool]:
    """The toasts `after` brings over `before`, and whether to ring the bell."""
    toasts = []
    if after.tick_error and after.tick_error != before.tick_error:
        toasts.append(Toast(f"{after.tick_error}; orchestra keeps polling", "Refresh failed",
                            "error", 10))
    if after.tmux_notice and after.tmux_notice != before.tmux_notice:
        toasts.append(Toast(after.tmux_notice, "tmux", "warning", 10))
    if after.storage_problem and after.storage_problem != before.storage_problem:
        toasts.append(Toast(after.storage_problem, "orchestra's data", "error", 15))
    toasts += [Toast(text, title, "warning", 12) for title, text in budget_news(before, after)]
    if before.at <= 0:  # the first look: the list shows it all
        return toasts, False
    ring = False
    earlier = {view.name: view for view in before.agents}
    for view in after.agents:
        old = earlier.get(view.name)
        if old is not None and view.status.alerts != old.status.alerts:
            for text in view.status.alerts:
                if text not in old.status.alerts:
                    toasts.append(Toast(f"{text} (! to see its alerts)",
                                        f"{view.name}: alert", "error", 10))
                    ring = True
        state = view.status.state
        if old is None or old.status.state is state or state not in NEEDS_PERSON:
            continue
        if not typing:
            toasts.append(Toast(NEXT_STEP[state], f"{view.name} {STATE_PHRASES[state]}",
                                "warning", 6))
        ring = True
    return toasts, ring
