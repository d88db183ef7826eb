"""`orchestra report [--json|--markdown] [--since T] [--agent A]`: the session report from the
journal: per agent, prompts, restarts, alerts, PRs opened and merged, issues addressed, and time
working, idle and waiting on you."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from orchestra_tui.bootstrap import boot
from orchestra_tui.commands.log import parse_since
from orchestra_tui.commands.targets import recorded_name
from orchestra_tui.core.report import (
    AgentReport,
    format_duration,
    report_to_json,
    report_to_markdown,
    session_report,
)

COLUMNS = ("agent", "prompts", "restarts", "alerts", "PRs opened", "merged", "issues",
           "working", "idle", "waiting", "receipts")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report", help="per-agent session report from the journal",
        description="Per agent: prompts sent, restarts, alerts, PRs opened and merged, issues "
                    "addressed, and time spent working, idle and waiting on you.")
    style = parser.add_mutually_exclusive_group()
    style.add_argument("--json", action="store_true", help="print a JSON object")
    style.add_argument("--markdown", action="store_true", help="print Markdown")
    parser.add_argument("--since", metavar="T", type=parse_since,
                        help="only the period since T: 30m, 1h, 2d or 2026-11-28T10:00")
    parser.add_argument("--agent", metavar="A", help="only this agent")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    booted = boot(args, read_only=True)
    journal = booted.journal
    now = time.time()
    report = session_report(journal.read(), now=now, since=args.since)
    if args.agent:
        agent = recorded_name(booted.config.agents, args.agent)
        report = {name: value for name, value in report.items()
                  if agent in (name, value.label)}
    if args.json:
        json.dump(report_to_json(report, now=now, since=args.since), sys.stdout,
                  ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.markdown:
        sys.stdout.write(report_to_markdown(report))
    elif report:
        print(render_table(report))
    else:
        print(f"no agent activity in the journal{' for that period' if args.since else ''} "
              f"({journal.path})", file=sys.stderr)
    if journal.skipped:
        print(f"orchestra: skipped {journal.skipped} unreadable line(s) in {journal.path}",
              file=sys.stderr)
    return 0


def render_table(report: dict[str, AgentReport]) -> str:
    """Aligned columns, one row per agent, for the terminal."""
    rows = [COLUMNS]
    for r in report.values():
        rows.append((r.label, str(r.prompts_sent), str(r.restarts), str(len(r.alerts)),
                     str(len(r.prs_opened)), str(len(r.prs_merged)), ", ".join(r.issues) or "-",
                     format_duration(r.working), format_duration(r.idle),
                     format_duration(r.waiting), receipts_cell(r.receipts)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
                     for row in rows)


def receipts_cell(counts: dict[str, int]) -> str:
    """`4 sent: 3 answered, 1 unsubmitted`; `-` when no queued prompt went out.

    >>> receipts_cell({"sent": 2, "answered": 1, "unsubmitted": 1, "refused": 0})
    '2 sent: 1 answered, 1 unsubmitted'
    """
    ended = ", ".join(f"{number} {state}" for state, number in counts.items()
                      if number and state != "sent")
    return f"{counts.get('sent', 0)} sent" + (f": {ended}" if ended else "") if counts else "-"
