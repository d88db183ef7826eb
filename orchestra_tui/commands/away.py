"""`orchestra away [--since T]`: what happened while the person was away, as the app shows it
when they come back: what each agent did, what waits for them, what rules did for them."""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from orchestra_tui.bootstrap import boot
from orchestra_tui.commands.log import parse_since
from orchestra_tui.core.away.summary import AWAY_SINCE, away_summary, away_text, last_left


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "away", help="summarise what happened while you were away",
        description="What each agent did, what waits for you, and what rules did on your "
                    "behalf since T (default: since the app last lost your attention, "
                    "else the last 8 hours).")
    parser.add_argument("--since", metavar="T", type=parse_since,
                        help="since T: 30m, 2h, 1d or 2026-11-28T10:00 (default: since you "
                             "last left the app, else 8h)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    booted = boot(args, read_only=True)
    since = args.since if args.since is not None else last_left(
        booted.journal.read(events=(AWAY_SINCE,)), time.time())
    snapshot = asyncio.run(booted.fleet.refresh())
    entries = booted.journal.read(since=since)
    print(away_text(away_summary(entries, snapshot.agents, since=since, now=time.time())))
    return 0
