"""One state from two witnesses: the agent's own hook events and its screen.

Hooks are exact and immediate where they speak (a prompt or tool start means working, a
permission request approval, a stop idle), but silent where the person acted in the pane (Esc on
a dialog, an interrupt) and blind to what only the screen shows (context left, a frozen
spinner, the shell back in the foreground). So a fresh hook event decides; the screen decides
what hooks cannot tell; and when the two disagree past a short grace, the screen wins and the
disagreement is said.

>>> from orchestra_tui.agents.hook_events import HookReading
>>> hook = HookReading(State.APPROVAL, "hook: PermissionRequest (Bash)", "PermissionRequest",
...                    at=100.0, age=0.0)
>>> fuse(State.WORKING, "working: spinner", hook, now=100.5).source
'hook'
>>> late = fuse(State.WORKING, "working: spinner", hook, now=130.0)
>>> late.state, late.source, late.disagreement
(<State.WORKING: 'working'>, 'screen', 'hook said approval 30s ago')
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestra_tui.agents.hook_events import HookReading
from orchestra_tui.models import Detection, DialogKey, State

# How long a hook event outweighs a screen that says otherwise: the screen lags a hook by a
# poll and the idle debounce.
GRACE_SECONDS = 4.0
# What only the screen knows: the pane dead or the shell back, a frozen working row.
SCREEN_ONLY = frozenset({State.EXITED, State.STUCK})
_ONLY_THE_SCREEN = {
    State.EXITED: "only the pane tells that the agent is gone (dead, or the shell is back)",
    State.STUCK: "only the screen tells a frozen working row: hooks report no silence",
}


@dataclass(frozen=True)
class Fused:
    state: State
    reason: str
    source: str  # "hook" or "screen"
    disagreement: str = ""  # set when the screen overruled an older hook reading
    why: str = ""  # why `source` decided, in words (`orchestra why` says it)


def fuse(screen: State, screen_reason: str, hook: HookReading | None, now: float, *,
         grace: float = GRACE_SECONDS, screen_only: bool = False) -> Fused:
    """`hook` is the agent's latest `HookReading` (or None). `screen_only`: the screen's state
    rests on something hooks never see (a fix-retry loop), so it stands."""
    if hook is None:
        return Fused(screen, screen_reason, "screen",
                     why="no hook event has told its state (hooks off, or silent so far)")
    if screen_only:
        return Fused(screen, screen_reason, "screen",
                     why="a fix-retry loop shows only on the screen: hooks never report one")
    if screen in SCREEN_ONLY:
        return Fused(screen, screen_reason, "screen", why=_ONLY_THE_SCREEN[screen])
    age = max(0.0, now - hook.at)
    if hook.state is screen:
        return Fused(hook.state, hook.reason, "hook", why="the hook event and the screen agree")
    if screen is State.UNKNOWN:
        return Fused(hook.state, hook.reason, "hook",
                     why="the screen cannot be read, so the hook event decides")
    if age <= grace:
        return Fused(hook.state, hook.reason, "hook",
                     why=f"the hook event is {age:.0f}s old: the screen may lag it by up to "
                         f"{grace:.0f}s")
    said = f"hook said {hook.state} {age:.0f}s ago"
    return Fused(screen, f"{screen_reason} ({said})", "screen", disagreement=said,
                 why=f"the screen has shown {screen} for longer than {grace:.0f}s after the "
                     f"hook said {hook.state}: hooks are silent when the person acts in the "
                     "pane (Esc, an interrupt), so the screen wins")


def shown_dialog(state: State, screen: Detection | None, hook: HookReading | None,
                 tool: str) -> DialogKey | None:
    """The dialog the person is shown for an agent in `state`: the one on its screen when the
    screen draws it (whoever decided the state), else, while only a hook has told of it, the
    hook event's (its time is its identity: a newer permission event is another dialog)."""
    if state is not State.APPROVAL:
        return None
    if screen is not None and screen.dialog_key is not None:
        return screen.dialog_key
    if hook is not None and hook.state is State.APPROVAL:
        return DialogKey(tool, hook_at=hook.at)
    return None
