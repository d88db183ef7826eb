"""When a tick reads (captures) a pane: when what it shows may mean something new, not on every
frame it draws.

A working agent redraws its pane ten times a second (spinner, counters); its state changes a
few times a minute. With the writes tmux pushes (`services/tmux/activity.py`) a pane is read:

- the first time it is watched, and when it is on screen (the selected pane, zoom, grid cells)
  and wrote since its last read, at the loop's rate; off screen, only as follows;
- when it wrote and its last reading was not `working` (idle -> working, a dialog answered);
- when a `working` pane stops writing for `QUIET_SECONDS` (a turn ending and a dialog opening
  both stop the spinner);
- when a hook event arrives for it;
- every `SAFETY_SECONDS` while it keeps writing (context figures, stuck detection), or every
  `UNCOVERED_SECONDS` when what it writes can be lost between reads and no hook covers it.

A read after writes that were not read (`quiet`, `safety`, `hook`, `wrote`) takes the rows of
scrollback that scrolled off since the last read (tmux's `history_size` says how many; at most
`GUARD_HISTORY`, all of it when that is not known): whatever scrolled off in between still
passes the guardrails (`core/guard/guardrails.py` aligns the capture with the last one, so only
rows after the last read count as new), as it did when every frame was read. A pane in the
alternate screen (a full-screen TUI such as Codex's) keeps no scrollback: what leaves its screen
between two reads is gone. When the agent's hooks report (the enforcing pre-tool hook judges
every command before it runs), the screen is only the guardrails' second look and is read at the
safety interval; without hooks it is read every `UNCOVERED_SECONDS` while it writes.

A pane that wrote nothing is never read: its screen is the one last read. A pane whose writes
are not pushed (no control mode, its session's client not attached) is read as before: when
its window's activity changed, or when it is on screen.

A pane whose agent's hooks report and that is not on screen is "hook-led": its writes are not
pushed at all (`OutputWatch` attaches no client to its session: a client attached to a busy
session costs the tmux server work on every frame, even with the pane's output paused or off).
Its turn end and dialogs come as hook events; tmux's `window_activity` (whole seconds, in the
pane list every tick) says whether it wrote since its last read, and that it stopped: a working
pane whose activity is `HUSH_SECONDS` old is read once ("quiet"); one that keeps writing is
read once in every `HOOK_LED_SAFETY_SECONDS`, at a moment of its own (`safety_due`): a fleet
started together would otherwise come due all in one tick. An agent that redraws once a second
(a counter, no spinner) has pauses that long between frames: with whole seconds of activity it
looked quiet in a third of the ticks, and each look read it. A quiet read after which the pane
writes on while its screen still says working was such a pause: its hush grows by
`HUSH_STEP` (up to `HUSH_MOST`, `learn_hush`), so a stop no hook reports (an interrupt typed
into its own terminal) is seen at most `HUSH_MOST` after its last write.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection

from orchestra_tui.core.fleet.state import Slot
from orchestra_tui.models import State
from orchestra_tui.services.tmux.activity import QUIET_SECONDS, OutputReport

__all__ = ["GUARD_HISTORY", "HOOK_LED_SAFETY_SECONDS", "HUSH_SECONDS", "QUIET_SECONDS",
           "SAFETY_SECONDS", "UNCOVERED_SECONDS", "UNSEEN_WRITES", "activity_changed",
           "hook_led", "hooks_report", "hush_of", "learn_hush", "safety_due", "unseen_rows",
           "why_read"]

SAFETY_SECONDS = 4.0
UNCOVERED_SECONDS = 1.0
# Rows of scrollback a read after unread writes takes: more than an agent prints in
# SAFETY_SECONDS (a full-speed build log is paused by the flow control long before).
GUARD_HISTORY = 400
# The reasons to read that follow writes no read saw.
UNSEEN_WRITES = frozenset({"first", "quiet", "safety", "hook", "wrote"})
# Rows more than tmux said had scrolled off: rows that scroll between the tick's list of panes
# and its capture are still in it.
SCROLL_MARGIN = 50
# A hook-led pane that keeps writing is read this often (its context figure, a counter that
# froze): its turn's end and its dialogs come as hook events, its stop from its activity.
HOOK_LED_SAFETY_SECONDS = 10.0
# How old a hook-led pane's `window_activity` (whole seconds: a write at 10.9 reads as 10) is
# when its last write is surely QUIET_SECONDS behind.
HUSH_SECONDS = 1.0 + QUIET_SECONDS
# What a quiet read that proved to be a pause between frames adds to the pane's hush, and the
# most it grows to: one step covers an agent drawing once a second, two once in two.
HUSH_STEP = 1.0
HUSH_MOST = HUSH_SECONDS + 2 * HUSH_STEP


def unseen_rows(slot: Slot) -> int:
    """Rows of scrollback a read after unseen writes takes: those scrolled off since the last
    read (a spinner redrawn in place scrolls none), with a margin; `GUARD_HISTORY` when that
    is not known (never read, the history at its limit and dropping rows, or cleared)."""
    pane, seen = slot.pane, slot.history_read
    if (pane is None or seen is None or not pane.history_limit
            or pane.history_size >= pane.history_limit):
        return GUARD_HISTORY
    if pane.history_size < seen:  # cleared since: all of what it holds is new
        return min(GUARD_HISTORY, pane.history_size + SCROLL_MARGIN)
    return min(GUARD_HISTORY, pane.history_size - seen + SCROLL_MARGIN)


def why_read(slot: Slot, output: OutputReport, wanted: Collection[str], history: str | None,
             now: float) -> str | None:
    """Why this tick reads the slot's pane, or None when it need not."""
    pane = slot.pane
    if pane is None or pane.dead:
        return None
    name = slot.spec.name
    on_screen = name in wanted or name == history
    if pane.pane_id not in output.watched:
        if on_screen:
            return "on screen"
        if hook_led(slot, output):
            return _why_read_hook_led(slot, now)
        return "activity" if activity_changed(slot) else None
    if slot.detection is None or slot.output_seen is None:
        return "first"
    if name == history and not slot.deep:
        return "history"
    if slot.recent_hooks and slot.recent_hooks[-1] is not slot.hook_seen:
        return "hook"
    seen = output.panes.get(pane.pane_id)
    if seen is None or seen.writes == slot.output_seen:
        return None
    if on_screen:
        return "on screen"
    if slot.detection.state is not State.WORKING:
        return "wrote"
    if seen.quiet_for >= QUIET_SECONDS:
        return "quiet"
    if now - slot.captured_at >= (SAFETY_SECONDS if guarded(slot) else UNCOVERED_SECONDS):
        return "safety"
    return None  # still writing, still working


def hook_led(slot: Slot, output: OutputReport) -> bool:
    """Its writes are not pushed and its hooks report: read on their events and its window's
    activity (see the module's docstring)."""
    return (slot.pane is not None and slot.pane.pane_id not in output.watched
            and hooks_report(slot))


def _why_read_hook_led(slot: Slot, now: float) -> str | None:
    assert slot.pane is not None
    if slot.detection is None or slot.captured_activity is None:
        return "first"
    if slot.recent_hooks and slot.recent_hooks[-1] is not slot.hook_seen:
        return "hook"
    if not activity_changed(slot):
        return None  # nothing written since the last read
    if slot.detection.state is not State.WORKING:
        return "wrote"
    if now - slot.pane.activity >= hush_of(slot):
        return "quiet"
    if safety_due(slot.pane.pane_id, slot.captured_at, now):
        return "safety"
    return None  # still writing, still working


def hush_of(slot: Slot) -> float:
    """How old a hook-led working pane's activity is when the tick reads it as quiet."""
    return min(HUSH_MOST, HUSH_SECONDS + slot.false_quiets * HUSH_STEP)


def learn_hush(slot: Slot) -> None:
    """Before a tick weighs the slot: a quiet read its pane wrote after, its screen still
    saying working, was a pause between frames (its hush grows); one that saw the turn over
    was right."""
    if slot.quiet_read is None or slot.pane is None:
        return
    if slot.detection is None or slot.detection.state is not State.WORKING:
        slot.quiet_read = None
    elif slot.pane.activity > slot.quiet_read:
        slot.quiet_read = None
        slot.false_quiets += 1


def safety_due(pane_id: str, read_at: float, now: float) -> bool:
    """Whether a hook-led pane read at `read_at` is due its safety read: once in each window
    of `HOOK_LED_SAFETY_SECONDS`, the windows shifted by a phase of its own (from its id). A
    fleet started together has every pane read at once; due at one interval from that, fifty
    working panes were read in one tick every ten seconds (a 40 ms stall of the app, keys
    waiting behind it). With phases their reads spread over the window from the first."""
    phase = zlib.crc32(pane_id.encode()) % 1000 / 1000 * HOOK_LED_SAFETY_SECONDS
    return ((now + phase) // HOOK_LED_SAFETY_SECONDS
            > (read_at + phase) // HOOK_LED_SAFETY_SECONDS)


def guarded(slot: Slot) -> bool:
    """Whether nothing the agent shows between two safety reads escapes the guardrails: its
    scrollback keeps it (read with the next capture), or its hooks judge commands first."""
    assert slot.pane is not None
    return not slot.pane.alternate or hooks_report(slot)


def hooks_report(slot: Slot) -> bool:
    """Whether the agent's hooks report its events (its turn end and dialogs among them)."""
    return bool(slot.recent_hooks) or bool(slot.pane is not None and slot.pane.hook_mark)


def activity_changed(slot: Slot) -> bool:
    """The polled signal: the pane's window shows activity since the last read."""
    # window_activity has one-second resolution: output later in the same second as our
    # last capture leaves it unchanged, so a pane stays "changed" through that second.
    assert slot.pane is not None
    return (slot.captured_activity is None
            or slot.pane.activity != slot.captured_activity
            or slot.pane.activity >= int(slot.captured_at))


def steady_since(slot: Slot, output: OutputReport, now: float) -> float | None:
    """Since when the slot's pane has written nothing (None: not known)."""
    if slot.pane is not None and hook_led(slot, output) and slot.pane.activity:
        return min(now, slot.pane.activity + 1.0)  # its last write was in that second
    if slot.pane is None or slot.pane.pane_id not in output.watched:
        return None
    seen = output.panes.get(slot.pane.pane_id)
    return now - seen.quiet_for if seen is not None else None
