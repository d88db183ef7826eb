"""Delivery receipts: which step each queued prompt has reached, on what evidence, and the one
key that presses Enter again for a prompt left in the composer.

An item's receipt is its list of steps (`orchestra_tui.receipt`), kept by the store. The rules:

- `typed` is written when the item is claimed for sending (with the pane, its process and the
  text's digest), before a byte reaches the pane.
- `submitted` needs the agent's turn start: a `UserPromptSubmit` hook event after the typed
  time (carrying the text's digest, or, from a hook that tells none, any while orchestra sent
  it live), or the screen working since with the text no longer in the composer.
- `answered`: after submitted, the agent read idle from a moment after the submission on.
- `unsubmitted`: the send recipe gave up with the text still in the composer, or no turn start
  was seen within `SUBMIT_WINDOW` seconds, or (after a crash) the text is still in the composer.
- `uncertain`: no evidence either way; an item cut off mid-send by a crash stays so, holding
  the items behind it, unless a hook event carrying its digest shows it was submitted.
- `refused`: the send gate would not type (the why is its refusal); the item stays queued.

Each change is decided here from what a tick already read (no I/O), then written by the fleet
off the event loop and journaled (`receipt` events), which `orchestra report` counts.

>>> from orchestra_tui.models import QueueItem
>>> typed = ReceiptStep(ReceiptState.TYPED, 100.0)
>>> item = QueueItem(id="a", agent="api", text="x", state=QueueItemState.SENT, receipt=(typed,))
>>> receipt_of(item, now=101.0).state, receipt_of(item, now=100.0 + SUBMIT_WINDOW + 1).state
(<ReceiptState.TYPED: 'typed'>, <ReceiptState.UNSUBMITTED: 'unsubmitted'>)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from orchestra_tui.agents.draft import draft_pending
from orchestra_tui.agents.hook_events import HookEvent
from orchestra_tui.agents.inert import inert_prompt
from orchestra_tui.agents.turn_start import history_rows
from orchestra_tui.core.ansi import strip_ansi
from orchestra_tui.core.sending.send_gate import judge
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import PaneInfo, QueueItem, QueueItemState, State
from orchestra_tui.receipt import ReceiptState, ReceiptStep
from orchestra_tui.services.store.queues_format import QueueSnapshot

# Typed this long ago with no turn start seen: the prompt is shown `unsubmitted`. A real agent
# shows its spinner (and fires its hook) well within a second of Enter.
SUBMIT_WINDOW = 5.0
# How much earlier than the typed step a hook event may be stamped and still count: the hook
# program and orchestra read the same clock, a host's may be a little off.
CLOCK_SKEW = 1.0
# After Enter pressed again, how long the composer gets to let the text go.
ENTER_AGAIN_SECONDS = 3.0
PROMPT_EVENTS = frozenset({"UserPromptSubmit", "BeforeAgent"})
_ECHO_CHARS = 32  # of a prompt's start, whitespace left out, sought in the history
PROMPTS_KEPT = 16  # per agent: the recent turn starts its hooks reported

NO_TURN_START = f"no turn start seen within {SUBMIT_WINDOW:g} s of Enter"
STILL_IN_COMPOSER = "its text is still in the composer: Enter did not submit it"

_Q = QueueItemState


@dataclass(frozen=True)
class Receipt:
    """An item's receipt as shown: its state, since when, and why (refused, unsubmitted)."""

    state: ReceiptState
    at: float
    why: str = ""

    def row(self) -> dict[str, Any]:
        return {"state": str(self.state), "at": self.at, "why": self.why or None}


def last_typed(item: QueueItem) -> ReceiptStep | None:
    return next((step for step in reversed(item.receipt)
                 if step.state is ReceiptState.TYPED), None)


def receipt_of(item: QueueItem, now: float) -> Receipt:
    """The item's receipt at `now`: its last step, read with its queue state (an item from
    before receipts has no steps: its state says what is known)."""
    last = item.receipt[-1] if item.receipt else None
    if item.state is _Q.QUEUED:
        if last is not None and last.state is ReceiptState.REFUSED:
            return Receipt(ReceiptState.REFUSED, last.at, last.why)
        return Receipt(ReceiptState.QUEUED, item.created_at)
    if item.state is _Q.SENDING:
        typed = last_typed(item)
        return Receipt(ReceiptState.TYPED, typed.at if typed else item.created_at)
    if last is None:
        return (Receipt(ReceiptState.SENT, item.sent_at or item.created_at)
                if item.state is _Q.SENT else Receipt(ReceiptState.UNCERTAIN, item.created_at))
    if item.state is _Q.UNCERTAIN:
        if last.state in (ReceiptState.UNSUBMITTED, ReceiptState.UNCERTAIN):
            return Receipt(last.state, last.at, last.why)
        return Receipt(ReceiptState.UNCERTAIN, last.at)
    if last.state is ReceiptState.TYPED and now - last.at > SUBMIT_WINDOW:
        return Receipt(ReceiptState.UNSUBMITTED, last.at + SUBMIT_WINDOW, NO_TURN_START)
    return Receipt(last.state, last.at, last.why)


def left_in_composer(queue: Iterable[QueueItem], now: float) -> tuple[str, ...]:
    """The texts of an agent's `unsubmitted` prompts: the send gate treats any of them still
    in the composer as a draft (another prompt typed after it would join it)."""
    return tuple(item.text for item in queue
                 if receipt_of(item, now).state is ReceiptState.UNSUBMITTED)


def pane_identity(pane: PaneInfo | None) -> str:
    """`%3@4242`: the pane and the process in it; a restarted agent is another process
    ("" for no pane: nothing to check against)."""
    return f"{pane.pane_id}@{pane.pid}" if pane is not None else ""


def in_composer(screen: str, text: str) -> bool:
    """The composer on `screen` (plain or with colours) still holds `text` as it was typed:
    the tail of its last line, or the marker a multi-line paste is shown as."""
    return draft_pending(strip_ansi(screen), inert_prompt(text))


def echoed(screen: str, text: str) -> bool:
    """The start of `text` shows above the composer: the agent echoed it as a prompt it took
    (a prompt never submitted sits in the composer only)."""
    rows = history_rows(strip_ansi(screen))
    head = "".join(inert_prompt(text).split())[:_ECHO_CHARS]
    return bool(rows and head) and head in "".join("".join(rows or ()).split())


# -- evidence, per tick ----------------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    """What a tick knows of one agent: its fused state and since when, its last screen, its
    pane, and the turn starts its hooks reported (`PROMPT_EVENTS`)."""

    state: State | None
    since: float
    screen: str
    pane: PaneInfo | None
    prompts: tuple[HookEvent, ...] = ()


@dataclass(frozen=True)
class Change:
    agent: str
    item_id: str
    step: ReceiptStep  # the store's `with_step` says which steps release an uncertain item


def _hook_submit(look: Look, typed: ReceiptStep, live: bool) -> HookEvent | None:
    for event in look.prompts:
        if event.at < typed.at - CLOCK_SKEW:
            continue
        if (event.prompt and event.prompt == typed.digest) or (not event.prompt and live):
            return event
    return None


def _same_process(look: Look, typed: ReceiptStep) -> bool:
    return look.pane is not None and (not typed.pane or typed.pane == pane_identity(look.pane))


def evidence(item: QueueItem, look: Look, now: float) -> Change | None:
    """The step `item` moves to on what `look` shows, or None (nothing new)."""
    typed, last = last_typed(item), (item.receipt[-1] if item.receipt else None)
    if typed is None or last is None or item.state not in (_Q.SENT, _Q.UNCERTAIN):
        return None
    live = item.state is _Q.SENT
    if last.state in (ReceiptState.TYPED, ReceiptState.UNSUBMITTED):
        if (hooked := _hook_submit(look, typed, live)) is not None:
            step = ReceiptStep(ReceiptState.SUBMITTED, hooked.at, f"hook: {hooked.event}")
            return Change(item.agent, item.id, step)
        if not _same_process(look, typed):
            return None
        holds = in_composer(look.screen, item.text)
        if (live and look.state is State.WORKING and look.since >= typed.at - CLOCK_SKEW
                and not holds):
            step = ReceiptStep(ReceiptState.SUBMITTED, look.since, "screen: working")
            return Change(item.agent, item.id, step)
        if live and not holds and echoed(look.screen, item.text):
            step = ReceiptStep(ReceiptState.SUBMITTED, now, "screen: its prompt in the history")
            return Change(item.agent, item.id, step)
        if last.state is ReceiptState.UNSUBMITTED:
            return None
        if holds and (not live or now - typed.at > SUBMIT_WINDOW):
            return Change(item.agent, item.id,
                          ReceiptStep(ReceiptState.UNSUBMITTED, now, STILL_IN_COMPOSER))
        if live and now - typed.at > SUBMIT_WINDOW:
            return Change(item.agent, item.id,
                          ReceiptStep(ReceiptState.UNSUBMITTED, now, NO_TURN_START))
        return None
    if (last.state is ReceiptState.SUBMITTED and look.state is State.IDLE
            and look.since > last.at):
        return Change(item.agent, item.id, ReceiptStep(ReceiptState.ANSWERED, look.since))
    return None


class ReceiptWatch:
    """Each tick, the receipt changes the fleet's evidence supports, each asked for once (the
    write happens off the loop; the next tick may still read the old step)."""

    def __init__(self) -> None:
        self._asked: set[tuple[str, ReceiptState, float]] = set()

    def observe(self, looks: Mapping[str, Look], queues: QueueSnapshot,
                now: float) -> list[Change]:
        changes = []
        for agent, look in looks.items():
            for item in queues.of(agent):
                change = evidence(item, look, now)
                if change is None:
                    continue
                key = (item.id, change.step.state, item.receipt[-1].at)
                if key not in self._asked:
                    self._asked.add(key)
                    changes.append(change)
        return changes


def looks(slots: Iterable[Any]) -> dict[str, Look]:
    """Each agent's `Look` from the fleet's slots (`core.fleet_state.Slot`) after a tick."""
    return {slot.spec.name: Look(slot.status.state, slot.status.since, slot.screen, slot.pane,
                                 slot.prompts)
            for slot in slots if slot.status is not None}


def recent_prompts(kept: Iterable[HookEvent], new: Iterable[HookEvent]) -> tuple[HookEvent, ...]:
    """The turn starts among `new` hook events added to those `kept`, the latest few."""
    return (*kept, *(event for event in new if event.event in PROMPT_EVENTS))[-PROMPTS_KEPT:]


class StepStore(Protocol):
    def get(self, item_id: str) -> QueueItem: ...
    def note(self, item_id: str, step: ReceiptStep) -> QueueItem: ...


Journal = Callable[..., Awaitable[None]]


async def record(store: StepStore, journal: Journal, change: Change) -> None:
    """Write one change (in a thread: the store fsyncs) and journal it for the report."""
    await asyncio.to_thread(store.note, change.item_id, change.step)
    await journal("receipt", agent=change.agent, item=change.item_id,
                  state=str(change.step.state), why=change.step.why)


# -- Enter again -----------------------------------------------------------------------------


class SubmitRefused(OrchestraError):
    """Enter was not pressed: the item is not unsubmitted, its agent restarted, its pane shows
    no composer holding its text, or a dialog opened."""


async def submit_again(gate: Any, store: StepStore, journal: Journal, agent: str,
                       pane: PaneInfo, item_id: str, *, tool: str | None,
                       before_enter: Callable[[str], None] = lambda text: None,
                       clock: Callable[[], float] = time.time) -> Receipt:
    """Press Enter once more in `agent`'s pane for its `unsubmitted` item, never retyping it.

    Under the pane's writer lock (`gate.holding`): the pane is read afresh; Enter is pressed
    only when it is the process the text was typed into, the gate takes input there, and the
    composer still shows the text. The item is then `typed` again (its turn start is looked
    for as after any send) or, the text still there, `unsubmitted` again."""
    item = await asyncio.to_thread(store.get, item_id)
    if item.agent != agent:
        raise SubmitRefused(f"prompt {item_id} is {item.agent}'s, not {agent}'s")
    shown = receipt_of(item, clock())
    typed = last_typed(item)
    if shown.state is not ReceiptState.UNSUBMITTED or typed is None:
        raise SubmitRefused(f"prompt {item_id} is {shown.state}, not unsubmitted: "
                            "Enter not pressed")
    async with gate.holding(agent, pane.pane_id):
        reading = await gate.read(pane.pane_id, tool)
        if typed.pane and typed.pane != pane_identity(reading.pane):
            raise SubmitRefused(f"{agent} restarted since prompt {item_id} was typed (another "
                                "process in its pane): Enter not pressed; requeue it (r)")
        refused = judge(reading, tool, before_typing=False)
        if refused is not None:
            raise SubmitRefused(f"{agent}: Enter not pressed ({refused[1]})")
        if not in_composer(reading.coloured or reading.screen, item.text):
            raise SubmitRefused(f"{agent}'s composer no longer holds prompt {item_id}: Enter "
                                "not pressed (look at the pane; r sends it again)")
        before_enter(item.text)
        await gate.tmux.send_keys(pane.pane_id, "Enter")
        pressed = clock()
        held = await _still_held(gate, pane.pane_id, tool, item.text)
    identity = typed.pane or pane_identity(reading.pane)
    if held:
        step = ReceiptStep(ReceiptState.UNSUBMITTED, clock(),
                           "Enter pressed again; " + STILL_IN_COMPOSER)
        change = Change(agent, item_id, step)
    else:
        change = Change(agent, item_id, ReceiptStep(ReceiptState.TYPED, pressed, "Enter again",
                                                    identity, typed.digest))
    await record(store, journal, change)
    return Receipt(change.step.state, change.step.at, change.step.why)


async def _still_held(gate: Any, pane_id: str, tool: str | None, text: str) -> bool:
    deadline = time.monotonic() + ENTER_AGAIN_SECONDS
    while True:
        reading = await gate.read(pane_id, tool)
        if not in_composer(reading.coloured or reading.screen, text):
            return False
        if time.monotonic() >= deadline:
            return True
        await asyncio.sleep(0.05)


# -- the report ------------------------------------------------------------------------------

COUNTED = ("sent", "submitted", "answered", "refused", "unsubmitted", "uncertain")


def receipt_counts(entries: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Per agent, from the journal's `receipt` events: prompts `sent` (typed at least once) and
    how many ended in each receipt state (each prompt counted once, by its latest step)."""
    latest: dict[str, dict[str, str]] = {}
    typed: dict[str, set[str]] = {}
    for entry in entries:
        if entry.get("event") != "receipt":
            continue
        agent, item, state = entry.get("agent"), entry.get("item"), entry.get("state")
        if not (isinstance(agent, str) and isinstance(item, str) and isinstance(state, str)):
            continue
        latest.setdefault(agent, {})[item] = state
        if state != ReceiptState.REFUSED:
            typed.setdefault(agent, set()).add(item)
    counts: dict[str, dict[str, int]] = {}
    for agent, items in latest.items():
        row = dict.fromkeys(COUNTED, 0)
        row["sent"] = len(typed.get(agent, ()))
        for state in items.values():
            if state in row and state != "sent":
                row[state] += 1
        counts[agent] = row
    return counts
