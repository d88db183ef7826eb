"""`orchestra watch`: what the app does for the person while they are away, without the app.

A long-running command with no screen (run it in a tmux window, or as a service): it ticks the
fleet, sends queued prompts on their edge, and runs the same away watch as the app
(notifications, limit resumes, rules, `auto_approve`). One process acts at a time: the app and
`watch` share the data dir's away lock; the one without it stands by and takes over when the
holder exits. SIGTERM, SIGINT and SIGHUP end it cleanly (exit 0): sends in flight finish, the
lock is let go.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from typing import Any

from orchestra_tui.bootstrap import boot
from orchestra_tui.commands.app import ExitSignals, finish
from orchestra_tui.core.away.headless import watch_fleet
from orchestra_tui.errors import UsageError
from orchestra_tui.paths import display_path


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "watch", help="act for you while you are away, without the app",
        description="Tick the fleet with no screen and do what the app does while you are "
                    "away: notifications, usage-limit resumes, [[rule]]s, auto_approve, queued "
                    "prompts. Only one orchestra acts at a time: beside an open app, the one "
                    "that started first acts and the other stands by. Ends on SIGTERM, SIGINT "
                    "or SIGHUP.")
    parser.add_argument("--poll", metavar="SECONDS", type=float, default=None,
                        help="seconds between ticks (default: [ui] poll_seconds)")
    parser.set_defaults(func=run)


def say(words: str) -> None:
    try:
        print(f"{time.strftime('%H:%M:%S')} {words}", flush=True)
    except OSError:
        pass  # the terminal closed (SIGHUP): the journal still has it


def run(args: argparse.Namespace) -> int:
    if args.poll is not None and not 0.05 <= args.poll <= 3600:
        raise UsageError("orchestra watch: --poll must be between 0.05 and 3600 seconds")
    if not asyncio.run(_main(args)):
        return 0
    say("stopped")  # by a signal, its clean-up done: exit 0, as a service manager expects
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)  # not asyncio's teardown, which waits on every worker thread (`ended_by`)


async def _main(args: argparse.Namespace) -> bool:
    """Watch until a signal; True when one ended it."""
    async with ExitSignals() as signals:
        booted = boot(args, long_lived=True, role="watch")
        try:
            duty = booted.away_duty
            # An unusable lock is said now, in one line, before anything runs.
            acting = await asyncio.to_thread(duty.take)
            where = display_path(booted.services.store.directory)
            say(f"watching {len(booted.fleet.names)} agent(s) on {where}: " +
                (f"acting while you are away (pid {os.getpid()})" if acting else
                 f"standing by: {duty.standing_by} acts while you are away"))
            poll = args.poll if args.poll is not None else booted.config.ui.poll_seconds
            await watch_fleet(booted.fleet, duty, poll_seconds=poll, said=say)
        except asyncio.CancelledError:
            pass
        finally:
            with signals.protect():
                await finish(booted)
    return signals.received is not None
