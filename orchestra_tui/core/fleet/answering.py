"""What `y`/`n` check before their keys go in: the dialog on screen now is the one the person
was shown (`DialogKey`), and a dialog a hook announced has been drawn (Claude Code runs its
PermissionRequest hooks before it draws the dialog, up to a second, and drops a key pressed
the instant it appears)."""

from __future__ import annotations

import asyncio

from orchestra_tui.core.fleet.state import Slot
from orchestra_tui.core.sending.send_gate import Reading, SendGate
from orchestra_tui.models import DialogKey, State

__all__ = ["ANSWER_LANDS_SECONDS", "DIALOG_DRAW_SECONDS", "answer_swallowed", "dialog_drawn",
           "still_shown"]

# How long an answer waits for a dialog a hook announced, how often it looks, and how long a
# just-drawn dialog is let settle before its keys.
DIALOG_DRAW_SECONDS = 3.0
DIALOG_DRAW_POLL = 0.1
DIALOG_SETTLE_SECONDS = 0.6
# How long an Enter that answered a dialog has to change the screen before it counts as lost.
ANSWER_LANDS_SECONDS = 1.5


async def dialog_drawn(gate: SendGate, slot: Slot, pane_id: str) -> Reading:
    """The pane read afresh; while the agent's hook says a dialog opened that its screen does
    not show yet, read again until it is drawn (then let it settle), a few seconds at most."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DIALOG_DRAW_SECONDS
    waited = False
    while True:
        reading = await gate.read(pane_id, slot.tool)
        hook = slot.hook
        waiting = (hook is not None and hook.state is State.APPROVAL
                   and not reading.pane.dead and reading.detection.state is not State.APPROVAL)
        if not waiting or loop.time() >= deadline:
            break
        waited = True
        await asyncio.sleep(DIALOG_DRAW_POLL)
    if waited and reading.detection.state is State.APPROVAL:
        await asyncio.sleep(DIALOG_SETTLE_SECONDS)
        reading = await gate.read(pane_id, slot.tool)
    return reading


def still_shown(slot: Slot, seen: DialogKey, now: DialogKey | None) -> bool:
    """Whether `now` (the screen's dialog) is the one the person was shown, `seen`."""
    if not seen.answers(now):
        return False
    # Shown from a hook event alone: another permission event since is another dialog.
    hook = slot.hook
    return (seen.from_screen or hook is None or hook.state is not State.APPROVAL
            or hook.at == seen.hook_at)


async def answer_swallowed(gate: SendGate, slot: Slot, before: Reading) -> bool:
    """Whether an Enter pressed on the dialog `before` shows was lost: the pane still shows
    exactly that screen `ANSWER_LANDS_SECONDS` later and no other permission event came (a CLI
    still binding its keys drops an Enter pressed the instant its dialog is drawn). Pressing
    Enter again is then safe: it answers the same dialog, never another one, and an Enter on
    an empty composer sends nothing."""
    hook_before = slot.hook
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ANSWER_LANDS_SECONDS
    while loop.time() < deadline:
        await asyncio.sleep(DIALOG_DRAW_POLL)
        now = await gate.read(before.pane.pane_id, slot.tool)
        if now.pane.dead or now.screen != before.screen:
            return False
    return slot.hook is hook_before
