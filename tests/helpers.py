"""Shared test helpers: wait for a condition with a deadline, never sleep for state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.05,
               message: str = "condition") -> T:
    """Poll `predicate` until it returns a truthy value; fail with `message` at the deadline."""
    deadline = time.monotonic() + timeout
    last: T = predicate()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)
        last = predicate()
    return last


async def async_wait_until(predicate: Callable[[], Awaitable[T]], timeout: float = 10.0,
                           interval: float = 0.05, message: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    last: T = await predicate()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        await asyncio.sleep(interval)
        last = await predicate()
    return last


async def pilot_wait_until(pilot, predicate: Callable[[], T], timeout: float = 10.0,
                           message: str = "condition") -> T:
    """`wait_until` inside a Textual Pilot test: the app runs its messages between looks."""
    async def after_a_pause() -> T:
        await pilot.pause()
        return predicate()

    return await async_wait_until(after_a_pause, timeout=timeout, message=message)


def process_ended(pid: int) -> bool:
    """Gone, or a zombie: it has exited and waits only for a parent to reap it (the shell that
    started it died with the terminal, and this sandbox's init may never reap it)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def rows_rendered(widget) -> list[int]:
    """The rows `widget` renders from now on (its `render_line` calls), in a list the caller
    clears between looks."""
    rendered: list[int] = []
    render_line = widget.render_line

    def counting(y: int):
        rendered.append(y)
        return render_line(y)

    widget.render_line = counting
    return rendered
