"""The send recipe: put a prompt into an agent's composer, press Enter, prove it was submitted.

Typed-but-not-submitted is the most reported bug of every tmux agent orchestrator, so after the
body goes in (once, never again) Enter is pressed and the screen is read back until the
composer no longer holds the text (or, given `started`, the agent's turn began: a short prompt
such as "do" is also a piece of the placeholder the composer shows once it is empty); Enter is
retried a bounded number of times.

Every text is made inert first (`agents.inert.inert_prompt`): whatever its source, no byte of
it can act as a key, end the bracketed paste or reach a shell behind the agent.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from orchestra_tui.agents import draft_pending
from orchestra_tui.agents.inert import inert_prompt
from orchestra_tui.errors import TmuxCommandError
from orchestra_tui.models import SendResult
from orchestra_tui.services.tmux.runner import TmuxRunner, escape_arg

PendingCheck = Callable[[str, str], bool]
# (the screen before an Enter, the screen now) -> the agent's turn started since: the prompt
# was submitted whatever the composer shows.
StartedCheck = Callable[[str, str], bool]
# Called with "type" before the body and "enter" before every Enter press; it raises to stop
# the send (the core's send gate re-reads the pane there).
Guard = Callable[[str], Awaitable[None]]

# Above this many UTF-8 bytes a single line goes through a paste buffer too.
SEND_KEYS_LIMIT = 1024
POLL_INTERVAL = 0.05
# When the draft was never seen on screen, "not pending" must hold this long before it counts.
SETTLE_SECONDS = 0.3



class Keyboard(Protocol):
    """What the recipe needs of one tmux server (`TmuxService` is one): its runner for the
    body, named keys, and screens read back."""

    @property
    def runner(self) -> TmuxRunner: ...

    async def send_keys(self, pane_id: str, *keys: str) -> None: ...

    async def capture(self, pane_ids: Iterable[str], *, history: int = 0,
                      ansi: bool = False) -> dict[str, str]: ...


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def needs_paste(text: str) -> bool:
    """Multi-line, long, or holding control characters (a tab would be a key press to the
    agent when typed): send through a bracketed paste instead of `send-keys -l`."""
    return bool(_CONTROL.search(text)) or len(text.encode("utf-8")) >= SEND_KEYS_LIMIT


async def put_text(service: Keyboard, pane_id: str, text: str) -> None:
    """Type the body once: `send-keys -l` for a short plain line, else a bracketed paste."""
    if not needs_paste(text):
        await service.runner.run(["send-keys", "-t", pane_id, "-l", "--", escape_arg(text)])
        return
    name = f"orchestra-{uuid.uuid4().hex[:12]}"
    # One invocation: load-buffer reads stdin to the end before paste-buffer runs; -p brackets
    # the paste (when the program asked for it), -r keeps LF as LF, -d deletes the buffer.
    await service.runner.run(
        ["load-buffer", "-b", name, "-", ";",
         "paste-buffer", "-p", "-r", "-d", "-b", name, "-t", pane_id],
        input=text.encode("utf-8"))


async def _watch(read: Callable[[], Awaitable[str]], text: str, pending: PendingCheck,
                 before: str, draft_seen: bool, timeout: float,
                 started: StartedCheck | None = None) -> tuple[bool, str]:
    """Poll the screen after an Enter: (submitted, last screen)."""
    deadline = time.monotonic() + timeout
    clear_since: float | None = None
    screen = before
    while True:
        screen = await read()
        now = time.monotonic()
        if started is not None and screen != before and started(before, screen):
            return True, screen
        if pending(screen, text):
            clear_since = None
        elif draft_seen:
            return True, screen
        else:
            clear_since = clear_since or now
            if screen != before and now - clear_since >= SETTLE_SECONDS:
                return True, screen
        if now >= deadline:
            # Never pending and nothing changed: the program shows no composer we can read.
            return not pending(screen, text), screen
        await asyncio.sleep(POLL_INTERVAL)


async def send_text(service: Keyboard, pane_id: str, text: str, *, submit: bool = True,
                    pending: PendingCheck | None = None, enter_delay: float = 0.15,
                    max_enter_retries: int = 3, verify_timeout: float = 2.0,
                    guard: Guard | None = None,
                    started: StartedCheck | None = None) -> SendResult:
    check = pending or draft_pending
    text = inert_prompt(text)

    async def read() -> str:
        screens = await service.capture([pane_id])
        if pane_id not in screens:
            raise TmuxCommandError(f"pane {pane_id} disappeared while sending")
        return screens[pane_id]

    if guard is not None:
        await guard("type")
    if text:
        await put_text(service, pane_id, text)
    if not submit:
        return SendResult(delivered=True, detail="typed without pressing Enter")
    await asyncio.sleep(enter_delay)
    before = await read()
    draft_seen = check(before, text)
    presses = 0
    while True:
        if guard is not None:
            await guard("enter")
        await service.send_keys(pane_id, "Enter")
        presses += 1
        submitted, screen = await _watch(read, text, check, before, draft_seen, verify_timeout,
                                         started)
        if submitted:
            detail = "submitted" if draft_seen or screen != before else "no composer seen"
            return SendResult(delivered=True, enter_presses=presses,
                              uncertain=detail != "submitted", detail=detail)
        if presses > max_enter_retries:
            return SendResult(delivered=False, enter_presses=presses, uncertain=True,
                              detail=f"text still in the composer after {presses} Enter presses")
        before, draft_seen = screen, True
