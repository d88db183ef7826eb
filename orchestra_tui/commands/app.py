"""`orchestra` with no subcommand: open the app on the configured (or discovered) agents, and
leave the terminal as it was however it ends: `q`, SIGTERM, SIGHUP (the terminal closed) or
SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from orchestra_tui.bootstrap import Boot, boot, build_app

if TYPE_CHECKING:
    from orchestra_tui.ui.app import OrchestraApp

EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
SENDS_FINISH_WITHIN = 5.0  # seconds an in-flight send may take to finish before exiting
# After a signal, the process ends by this many seconds whatever still runs: sends finish
# within SENDS_FINISH_WITHIN and every store write is atomic, so nothing is lost; seen under
# load, an app whose terminal had closed was still alive 30 s later, stuck in its teardown.
SIGNAL_EXIT_WITHIN = 15.0


class ExitSignals:
    """Within `async with`, SIGTERM, SIGHUP and SIGINT end the program through its normal exit
    path instead of killing it where it stands.

    While an app runs (`self.app`), a signal asks it to exit the way `q` does: Textual then
    leaves the alternate screen, turns mouse tracking off and shows the cursor. A second signal
    while it is still exiting, or a signal with no app, cancels the task, whose `finally`
    blocks and Textual's own shutdown still run. Inside `protect()` (cleanup) signals are only
    noted: cleanup is not cut short by the signal that asked for it."""

    def __init__(self) -> None:
        self.app: OrchestraApp | None = None
        self.received: int | None = None
        self._task: asyncio.Task[Any] | None = None
        self._protected = False
        self._exit_asked = False
        self._cancelled = False

    @property
    def exit_code(self) -> int | None:
        """128 + the signal's number when one ended the program (as shells report it)."""
        return None if self.received is None else 128 + self.received

    async def __aenter__(self) -> ExitSignals:
        loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        for number in EXIT_SIGNALS:
            loop.add_signal_handler(number, self._received, number)
        return self

    async def __aexit__(self, *exc: object) -> None:
        loop = asyncio.get_running_loop()
        for number in EXIT_SIGNALS:
            loop.remove_signal_handler(number)

    @contextmanager
    def protect(self) -> Iterator[None]:
        self._protected = True
        try:
            yield
        finally:
            self._protected = False

    def _received(self, number: int) -> None:
        if not self.received:
            _end_by_deadline(128 + number, SIGNAL_EXIT_WITHIN)
        self.received = self.received or number
        if self._protected or self._cancelled:
            return
        if self.app is not None and not self._exit_asked:
            self._exit_asked = True
            self.app.exit()
            return
        if self._task is not None:
            self._cancelled = True
            self._task.cancel()


def _end_by_deadline(code: int, seconds: float) -> None:
    """End the process with `code` `seconds` from now unless it ended before (a daemon thread:
    it dies with the process and never holds it up)."""
    timer = threading.Timer(seconds, os._exit, args=(code,))
    timer.daemon = True
    timer.start()


async def finish(booted: Boot) -> None:
    """What the app leaves behind is whole: sends already typing finish (bounded), and the
    connections close. Queue writes are atomic renames, journal lines single appends."""
    try:
        await asyncio.wait_for(booted.fleet.wait_for_sends(), SENDS_FINISH_WITHIN)
    except TimeoutError:
        pass
    await booted.aclose()


async def run_until_exit(booted: Boot, signals: ExitSignals) -> int:
    """Run the app over `booted` until `q` or a signal, then finish its work; the app's exit
    code (non-zero when it failed)."""
    app = build_app(booted)
    app.freeze_after_first_screen = True
    signals.app = app
    try:
        await app.run_async()
        return app.return_code or 0
    finally:
        signals.app = None
        with signals.protect():
            await finish(booted)


async def _main(args: argparse.Namespace) -> int:
    code = 0
    async with ExitSignals() as signals:
        booted = boot(args, long_lived=True)
        try:
            code = await run_until_exit(booted, signals)
        except asyncio.CancelledError:
            pass
    return ended_by(signals.exit_code or code)


def run_app(args: argparse.Namespace) -> int:
    return asyncio.run(_main(args))


def ended_by(code: int) -> int:
    """`code`, or, when a signal ended the program (128 + its number), the process ends here
    and now, from inside the event loop, once orchestra's own cleanup is done (it ran under
    `protect()`). What follows would be asyncio's teardown, which waits for every task and
    worker thread: seen in tests, an app whose terminal had closed was still alive 30 s later
    with its signal handled and its cleanup done, waiting in that teardown."""
    if code <= 128:
        return code
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # the terminal is gone
    os._exit(code)
