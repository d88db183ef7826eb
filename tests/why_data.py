"""A fixed fleet whose agents carry the evidence a real tick keeps (`core.evidence`): `api`
asked for approval by its hook and drew the dialog; `web` works with a prompt queued behind."""

from __future__ import annotations

from dataclasses import replace

from orchestra_tui.agents.hook_events import HookEvent, HookReading
from orchestra_tui.agents.tracker import Timers
from orchestra_tui.core.fleet.evidence import AgentEvidence
from orchestra_tui.core.fleet.fusion import fuse
from orchestra_tui.models import Detection, State
from tests.ui_data import AT, fixed_views

_PERMISSION = HookEvent(at=AT - 42, event="PermissionRequest", tool="claude", pane_id="%3",
                        detail="Bash")
_READING = HookReading(State.APPROVAL, "hook: PermissionRequest (Bash)", "PermissionRequest",
                       at=AT - 42, age=42.0)
_DIALOG = Detection(tool="claude", state=State.APPROVAL,
                    reason='approval: "Do you want to proceed?" dialog', dialog="exec",
                    rule="numbered-dialog",
                    evidence=((8, "│ Do you want to proceed?"), (9, "│ ❯ 1. Yes")))


def api_evidence() -> AgentEvidence:
    fused = fuse(State.APPROVAL, _DIALOG.reason, _READING, AT)
    return AgentEvidence(
        screen=_DIALOG, screen_at=AT - 1, screen_state=State.APPROVAL,
        screen_reason=_DIALOG.reason,
        timers=Timers(idle_debounce=1.5, stuck_after=60.0, changed_at=AT - 41),
        hook=_READING,
        hook_events=(HookEvent(at=AT - 50, event="UserPromptSubmit", tool="claude",
                               pane_id="%3"), _PERMISSION),
        source=fused.source, authority_why=fused.why)


def explained_views():
    views = []
    for view in fixed_views():
        if view.name == "api":
            view = replace(view, evidence=api_evidence())
        views.append(view)
    return views
