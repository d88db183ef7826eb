"""The fleet's alerts, as a mixin of `Fleet`: forbidden commands and fix-retry loops in new
pane output, context running low, and enforcement an agent asks for and does not get. Each is
shown on its agent and journaled once per occurrence (`core.alert_record`).

Expects `_slots`, `settings`, `enforcement`, `journal`, `read_only`, `_journaled_alerts`,
`_background` and `_journal` from `Fleet`."""

from __future__ import annotations

from orchestra_tui.core.alert_record import alert_key
from orchestra_tui.core.fleet_state import ALERTS_KEPT, Slot
from orchestra_tui.core.guardrails import OutputWatch
from orchestra_tui.models import Alert

__all__ = ["FleetAlerts"]


class FleetAlerts:
    def _watch_output(self, slot: Slot, screen: str, visible: str, now: float) -> None:
        """Guardrails and loop detection read only what is new on the screen; the first
        capture's visible rows are checked too, against what the journal already holds."""
        if slot.output is None:
            slot.output = OutputWatch(slot.spec.name, slot.spec)
            for alert in slot.output.feed_baseline(visible, now):
                self._raise(slot, alert, once=True)
        for alert in slot.output.feed(screen, now):
            self._raise(slot, alert)
        slot.loop_reason = slot.loops.observe(slot.output.new_lines)

    def _tell_enforcement(self, now: float) -> None:
        """Enforcement an agent asks for and does not get is never silent: an alert on it."""
        for name, why in self.enforcement.items():
            slot = self._slots.get(name)
            if slot is not None and not any(a.kind == "enforcement" for a in slot.alerts):
                self._raise(slot, Alert(name, "enforcement", f"enforcement off: {why}", at=now,
                                        key=f"enforcement:{why}"), once=True)

    def _raise(self, slot: Slot, alert: Alert, *, once: bool = False) -> None:
        """Show the alert and journal it. `once`: an occurrence that may already be in the
        journal (a row on screen at start-up, a context level): shown, journaled only if new.
        Output that is new on screen is a new occurrence even when it repeats older text."""
        slot.alerts = [*slot.alerts, alert][-ALERTS_KEPT:]
        slot.alerts_unseen += alert.kind != "context"
        key = alert_key(alert)
        known = (self._journaled_alerts or {}).setdefault(slot.spec.name, set())
        if once and key in known:
            return
        known.add(key)
        if self.journal is not None and not self.read_only:
            self._background(self._journal("alert", agent=alert.agent, kind=alert.kind,
                                           text=alert.text, key=key))

    def _watch_context(self, slot: Slot, context_left: int | None, now: float) -> None:
        if context_left is None:
            return
        level = (2 if context_left <= self.settings.context_critical
                 else 1 if context_left <= self.settings.context_warn else 0)
        if level > slot.context_level:
            label = "critical" if level == 2 else "low"
            self._raise(slot, Alert(slot.spec.name, "context",
                                    f"context {context_left}% left: restart with a handoff (R)",
                                    at=now, key=f"context:{label}"), once=True)
        slot.context_level = level
