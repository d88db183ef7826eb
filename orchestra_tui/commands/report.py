"""`orchestra report [--json|--markdown] [--since T] [--agent A]`: the session report from the
journal: per agent, prompts, restarts, alerts, PRs opened and merged, issues addressed, time
working, idle and waiting on you, and what it cost (from its CLI's session records in its
folder): in all, per merged PR and per issue, and the fleet's whole per merged PR."""

from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal
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
from orchestra_tui.core.report_costs import PeriodCost, costs_of, totals
from orchestra_tui.errors import OrchestraError
from orchestra_tui.ui.wording.costs import dollars, tokens

NOT_KNOWN = PeriodCost(unknown="not in the config or the agents orchestra started: its "
                               "folder is not known")

COLUMNS = ("agent", "prompts", "restarts", "alerts", "PRs opened", "merged", "issues",
           "working", "idle", "waiting", "cost", "$/merged", "$/issue", "receipts")


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
    costs = _costs(booted, report, args.since)
    if args.json:
        data = report_to_json(report, now=now, since=args.since)
        for row in data["agents"]:
            row["cost"] = costs[row["agent"]].row(len(row["prs_merged"]), len(row["issues"]))
        data["cost"] = _totals(report, costs)
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.markdown:
        sys.stdout.write(report_to_markdown(report, cost=cost_words(report, costs)))
    elif report:
        print(render_table(report, costs))
        print("\n".join(cost_words(report, costs)))
    else:
        print(f"no agent activity in the journal{' for that period' if args.since else ''} "
              f"({journal.path})", file=sys.stderr)
    if journal.skipped:
        print(f"orchestra: skipped {journal.skipped} unreadable line(s) in {journal.path}",
              file=sys.stderr)
    return 0


def _costs(booted, report: dict[str, AgentReport], since: float | None
           ) -> dict[str, PeriodCost]:
    """The cost of each agent in the report: configured ones, then those `orchestra new`
    started (their worktree is their folder)."""
    specs = {spec.name: spec for spec in booted.config.agents}
    try:
        records = booted.registry.records()
    except OrchestraError:  # the report goes on; those agents are named as not counted
        records = []
    for record in records:
        specs.setdefault(record.spec.name, record.spec)
    wanted = [spec for name, spec in specs.items() if name in report]
    found = costs_of(wanted, booted.usage, since=since)
    return {name: found.get(name, NOT_KNOWN) for name in report}


def _totals(report: dict[str, AgentReport], costs: dict[str, PeriodCost]) -> dict:
    merged = sum(len(r.prs_merged) for r in report.values())
    issues = len({issue for r in report.values() for issue in r.issues})
    return totals(costs, merged, issues)


def cost_words(report: dict[str, AgentReport], costs: dict[str, PeriodCost]) -> list[str]:
    """The fleet's cost in the period, per merged PR and per issue; who is not counted."""
    whole = _totals(report, costs)
    spent = sum((cost.cost for cost in costs.values() if not cost.unknown), Decimal(0))
    counted = sum((cost.tokens.total for cost in costs.values()), 0)
    line = f"cost: {dollars(spent)} ({tokens(counted)} tokens)"
    for count, what in ((whole["merged"], "merged PR"), (whole["issues"], "issue")):
        if count:
            line += f"; {dollars(spent / count)} per {what} ({count} {what}s)"
    return [line, *(f"not counted: {name}: {costs[name].unknown}"
                    for name in whole["not_counted"])]


def _money(value: Decimal | None) -> str:
    return "-" if value is None else dollars(value)


def render_table(report: dict[str, AgentReport],
                 costs: dict[str, PeriodCost] | None = None) -> str:
    """Aligned columns, one row per agent, for the terminal."""
    rows = [COLUMNS]
    for r in report.values():
        cost = (costs or {}).get(r.agent, NOT_KNOWN)
        money = ("?", "?", "?") if cost.unknown else (
            dollars(cost.cost), _money(cost.per(len(r.prs_merged))),
            _money(cost.per(len(r.issues))))
        rows.append((r.label, str(r.prompts_sent), str(r.restarts), str(len(r.alerts)),
                     str(len(r.prs_opened)), str(len(r.prs_merged)), ", ".join(r.issues) or "-",
                     format_duration(r.working), format_duration(r.idle),
                     format_duration(r.waiting), *money, receipts_cell(r.receipts)))
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
