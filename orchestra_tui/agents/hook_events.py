"""What an agent's own hook events mean for its state: pure, no I/O.

The hook program (`orchestra hook`) writes one record per event the agent CLI reports; the
reader (`services.hook_log.HookLog`) turns records into `HookEvent`s; this module says what
they mean. The latest event that tells anything about state decides:

- working: UserPromptSubmit, PreToolUse, PostToolUse(Failure), PreCompact (Claude Code,
  Codex); BeforeAgent, BeforeTool, AfterTool, PreCompress (Gemini CLI);
- approval: PermissionRequest; a Notification of type permission_prompt, elicitation_dialog
  (Claude Code) or ToolPermission (Gemini CLI);
- idle: Stop, Notification idle_prompt, SessionStart (not after a compaction); AfterAgent
  (Gemini CLI, which sends it after a turn that failed too: its screen's error wins);
  agent-turn-complete (Codex's notify program), but only for the session the hooks report:
  Codex 0.171 also calls notify when a side thread ends (the title it generates for a new
  session), in the middle of the person's turn;
- blocked: StopFailure (a turn ended on an API error: usage limit, sign-in, billing);
- exited: SessionEnd (not for `/clear`).

What hooks never tell, and the screen must: that the person answered a permission dialog with
Esc or "No" (no event follows), or interrupted a turn (no Stop), context left, the agent's own
queue, a frozen agent. Hence a reading carries its event's time: the caller lets a screen that
disagrees for longer than a short grace win.

>>> events = [HookEvent(at=1.0, event="UserPromptSubmit", tool="claude", pane_id="%1"),
...           HookEvent(at=2.0, event="PermissionRequest", tool="claude", pane_id="%1",
...                     detail="Bash")]
>>> reading = state_of(events, now=5.0)
>>> reading.state, reading.reason, reading.age
(<State.APPROVAL: 'approval'>, 'hook: PermissionRequest (Bash)', 3.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from orchestra_tui.models import State

__all__ = ["HookEvent", "HookReading", "meaning", "state_of"]


@dataclass(frozen=True)
class HookEvent:
    """One event an agent's hook reported, as the hook program recorded it.

    `event` is the tool's own event name (`hook_event_name`, or `agent-turn-complete` for
    Codex's notify program); `detail` the part that refines it: the tool name of a tool event,
    a notification's type, a session's start source or end reason, a failed turn's error.
    `denied` is the label of the forbidden command orchestra's pre-tool hook denied."""

    at: float
    event: str
    tool: str = ""
    pane_id: str = ""
    session_id: str = ""
    detail: str = ""
    agent: str = ""
    denied: str = ""
    tmux_socket: str = ""
    prompt: str = ""  # the submitted prompt's digest (`hook_log.prompt_digest`), when told
    command: str = ""  # the shell command a PermissionRequest asks about (`auto_approve`)

    @classmethod
    def from_record(cls, record: Mapping[str, Any], pane_id: str = "") -> HookEvent | None:
        """The event a log line holds (`pane_id` when the line names none), or None for a line
        that is not one."""
        at, event = record.get("at"), record.get("event")
        if not isinstance(at, (int, float)) or isinstance(at, bool) or not isinstance(event, str):
            return None

        def text(key: str) -> str:
            value = record.get(key)
            return value if isinstance(value, str) else ""

        return cls(at=float(at), event=event, tool=text("tool"), pane_id=text("pane") or pane_id,
                   session_id=text("session"), detail=text("detail"), agent=text("agent"),
                   denied=text("denied"), tmux_socket=text("tmux"), prompt=text("prompt"),
                   command=text("command"))


@dataclass(frozen=True)
class HookReading:
    """What the latest telling event says: `state`, a `reason` for the fleet's reason column,
    the event (`event`, `at`) and how long ago it was at the time asked (`age`, seconds)."""

    state: State
    reason: str
    event: str
    at: float
    age: float
    session_id: str = ""


_WORKING = frozenset({
    "UserPromptSubmit", "UserPromptExpansion", "PreToolUse", "PostToolUse",
    "PostToolUseFailure", "PostToolBatch", "PreCompact", "PostCompact", "SubagentStart",
    "BeforeAgent", "BeforeTool", "AfterTool", "PreCompress", "BeforeModel", "AfterModel",
})
_IDLE = frozenset({"Stop", "AfterAgent", "agent-turn-complete"})
_APPROVAL_NOTICES = frozenset({"permission_prompt", "elicitation_dialog", "ToolPermission"})
_IDLE_NOTICES = frozenset({"idle_prompt"})


def meaning(event: HookEvent) -> tuple[State, str] | None:
    """(state, reason) that this one event tells, or None when it tells nothing about state
    (a sub-agent stopping, a login notice, an event orchestra does not know).

    >>> meaning(HookEvent(at=0, event="Notification", detail="idle_prompt"))
    (<State.IDLE: 'idle'>, 'hook: Notification (idle_prompt)')
    >>> meaning(HookEvent(at=0, event="SubagentStop")) is None
    True
    """
    name, detail = event.event, event.detail
    label = f"hook: {name} ({detail})" if detail else f"hook: {name}"
    if name == "PreToolUse" and event.denied:
        return State.WORKING, f"hook: denied {event.denied} before it ran"
    if name in _WORKING:
        return State.WORKING, label
    if name == "PermissionRequest":
        return State.APPROVAL, label
    if name == "Notification":
        if detail in _APPROVAL_NOTICES:
            return State.APPROVAL, label
        if detail in _IDLE_NOTICES:
            return State.IDLE, label
        return None
    if name in _IDLE:
        return State.IDLE, label
    if name == "StopFailure":
        return State.BLOCKED, label
    if name == "SessionStart":
        # A compaction restarts the session in the middle of a turn: it says nothing new.
        return None if detail == "compact" else (State.IDLE, label)
    if name == "SessionEnd":
        # `/clear` ends one session and starts the next in the same process.
        return None if detail == "clear" else (State.EXITED, label)
    return None


NOTIFY_TURN_END = "agent-turn-complete"


def _hooked_session(events: list[HookEvent]) -> str:
    """The session of the latest hook event (not a notify) that names one, else ""."""
    hooked = [event for event in events if event.session_id and event.event != NOTIFY_TURN_END]
    return max(hooked, key=lambda event: event.at).session_id if hooked else ""


def state_of(events: Iterable[HookEvent], now: float) -> HookReading | None:
    """The reading of the latest event (by time, then order given) that tells a state, or
    None when no event does. `now` gives the reading's `age`.

    >>> side = HookEvent(at=3.0, event="agent-turn-complete", tool="codex", session_id="t2")
    >>> state_of([HookEvent(at=2.0, event="PreToolUse", tool="codex", session_id="t1"), side],
    ...          now=4.0).state
    <State.WORKING: 'working'>
    """
    events = list(events)
    main_session = _hooked_session(events)
    latest: tuple[HookEvent, tuple[State, str]] | None = None
    for event in events:
        if (event.event == NOTIFY_TURN_END and main_session
                and event.session_id != main_session):
            continue  # a side thread's turn ended, not the person's
        told = meaning(event)
        if told is not None and (latest is None or event.at >= latest[0].at):
            latest = (event, told)
    if latest is None:
        return None
    event, (state, reason) = latest
    return HookReading(state=state, reason=reason, event=event.event, at=event.at,
                       age=max(0.0, now - event.at), session_id=event.session_id)
