"""The fleet's alerts: forbidden commands and fix-retry loops in new pane output, context running
low, and enforcement an agent asks for and does not get. Each is shown on its agent and
journaled once per occurrence (`core.alert_record`)."""

from __future__ import annotations

from collections.abc import Mapping

from orchestra_tui.core.fleet.alert_record import alert_key
from orchestra_tui.core.fleet.state import ALERTS_KEPT, FleetContext, Slot
from orchestra_tui.core.guard.guardrails import OutputWatch
from orchestra_tui.models import Alert

__all__ = ["FleetAlerts"]


class FleetAlerts:
    """`enforcement`: agent -> why the enforcement it asks for is off (`core.enforcement`)."""

    def __init__(self, context: FleetContext, enforcement: Mapping[str, str]) -> None:
        self.context = context
        self.enforcement = dict(enforcement)
        # agent -> occurrence keys already in the journal; None until the journal is read.
        self.journaled: dict[str, set[str]] | None = None

    def watch_output(self, slot: Slot, screen: str, visible: str, now: float) -> None:
        """Guardrails and loop detection read only what is new on the screen; the first
        capture's visible rows are checked too, against what the journal already holds."""
        if slot.output is None:
            slot.output = OutputWatch(slot.spec.name, slot.spec)
            for alert in slot.output.feed_baseline(visible, now):
                self.raise_alert(slot, alert, once=True)
        for alert in slot.output.feed(screen, now):
            self.raise_alert(slot, alert)
        slot.loop_reason = slot.loops.observe(slot.output.new_lines)

    def tell_enforcement(self, now: float) -> None:
        """Enforcement an agent asks for and does not get is never silent: an alert on it."""
        for name, why in self.enforcement.items():
            slot = self.context.slots.get(name)
            if slot is not None and not any(a.kind == "enforcement" for a in slot.alerts):
                self.raise_alert(slot, Alert(name, "enforcement", f"enforcement off: {why}",
                                             at=now, key=f"enforcement:{why}"), once=True)

    def raise_alert(self, slot: Slot, alert: Alert, *, once: bool = False) -> None:
        """Show the alert and journal it. `once`: an occurrence that may already be in the
        journal (a row on screen at start-up, a context level): shown, journaled only if new.
        Output that is new on screen is a new occurrence even when it repeats older text."""
        slot.alerts = [*slot.alerts, alert][-ALERTS_KEPT:]
        slot.alerts_unseen += alert.kind != "context"
        key = alert_key(alert)
        if self.journaled is None:
            self.journaled = {}
        known = self.journaled.setdefault(slot.spec.name, set())
        if once and key in known:
            return
        known.add(key)
        self.context.record.write_later("alert", alert.agent, kind=alert.kind, text=alert.text,
                                        key=key)

    def watch_context(self, slot: Slot, context_left: int | None, now: float) -> None:
        if context_left is None:
            return
        settings = self.context.settings
        level = (2 if context_left <= settings.context_critical
                 else 1 if context_left <= settings.context_warn else 0)
        if level > slot.context_level:
            label = "critical" if level == 2 else "low"
            self.raise_alert(slot, Alert(slot.spec.name, "context",
                                         f"context {context_left}% left: restart with a "
                                         "handoff (R)", at=now, key=f"context:{label}"),
                             once=True)
        slot.context_level = level
