"""`orchestra notify test`: one TEST event to every `[notify]` channel, and which failed and
why (a channel URL is never printed: it holds secrets; channels are named "ntfy #1")."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import platform
from typing import Any

from orchestra_tui.bootstrap import boot
from orchestra_tui.services.notify.event import NotifyEvent, NotifyKind


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "notify", help="notifications: `notify test` sends a test event to every channel",
        description="Send one test event to every [notify] channel and say which failed.")
    parser.add_argument("action", choices=["test"], help="test: send a test event")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    booted = boot(args)
    notifier = booted.notifier
    if notifier is None:
        print("no notification channel configured: add a [notify] table (see the README)")
        return 1
    now = dt.datetime.now(dt.UTC)
    event = NotifyEvent(NotifyKind.TEST, agent="orchestra", state="test",
                        reason="a test notification from `orchestra notify test`",
                        key=f"test:{now.timestamp():.0f}", host=platform.node() or "local",
                        at=now.isoformat())
    deliveries = asyncio.run(notifier.send([event], focused=False))
    failed = 0
    for delivery in deliveries:
        if delivery.ok:
            print(f"ok      {delivery.channel}")
        else:
            failed += 1
            print(f"FAILED  {delivery.channel}: {delivery.error}")
    return 1 if failed else 0
