"""`orchestra log [--agent A] [--since T] [--event E] [--json]`: the journal, one line per event."""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
import time
from typing import Any

from orchestra_tui.bootstrap import boot
from orchestra_tui.commands.targets import recorded_name

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_AGO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.I)
_BARE = re.compile(r"^[^\s\"'=]+$")


def parse_since(text: str, now: float | None = None) -> float:
    """Epoch seconds for `1h`, `30m`, `45s`, `2d`, `1w` ago, or an ISO date/time in local time
    (`2026-11-28T10:00`, `2026-11-28`) or with an offset.

    >>> parse_since("30m", now=10_000.0)
    8200.0
    """
    match = _AGO.match(text)
    if match:
        seconds = float(match[1]) * _UNITS[match[2].lower()]
        return (time.time() if now is None else now) - seconds
    try:
        moment = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a duration (30m, 1h, 2d) nor a date/time "
            "(2026-11-28T10:00)") from None
    return moment.timestamp()


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "log", help="show the journal of prompts, approvals, kills, restarts and merges",
        description="Show orchestra's journal, oldest first.")
    parser.add_argument("--agent", metavar="A", help="only this agent's events")
    parser.add_argument("--since", metavar="T", type=parse_since,
                        help="only events since T: 30m, 1h, 2d or 2026-11-28T10:00")
    parser.add_argument("--event", metavar="E", action="append", dest="events",
                        help="only events of this kind (repeatable), e.g. prompt_sent, merge")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    booted = boot(args, read_only=True)
    journal = booted.journal
    entries = journal.read(agent=recorded_name(booted.config.agents, args.agent),
                           since=args.since,
                           events=getattr(args, "events", None))
    if args.json:
        json.dump(entries, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for entry in entries:
            print(format_entry(entry))
        if not entries:
            print("no events in the journal" + (" matching that" if _filtered(args) else "")
                  + f" ({journal.path})", file=sys.stderr)
    if journal.skipped:
        print(f"orchestra: skipped {journal.skipped} unreadable line(s) in {journal.path}",
              file=sys.stderr)
    return 0


def _filtered(args: argparse.Namespace) -> bool:
    return bool(args.agent or args.since is not None or getattr(args, "events", None))


def format_entry(entry: dict[str, Any]) -> str:
    """`2026-11-28 10:00:03  api  prompt_sent  source=person text="run the tests"`: one line,
    newlines in values escaped.

    >>> format_entry({"at": 0, "event": "merge", "repo": "o/r", "number": 7, "reason": "ok"})[19:]
    '  -  merge  repo=o/r number=7 reason=ok'
    """
    at = entry.get("at")
    when = (datetime.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M:%S")
            if isinstance(at, (int, float)) else "?")
    parts = [when, str(entry.get("agent") or "-"), str(entry.get("event", "?"))]
    extras = " ".join(f"{key}={_value(value)}" for key, value in entry.items()
                      if key not in ("at", "agent", "event"))
    return "  ".join(parts + ([extras] if extras else []))


def _value(value: Any) -> str:
    if isinstance(value, str) and _BARE.match(value):
        return value
    return json.dumps(value, ensure_ascii=False)
