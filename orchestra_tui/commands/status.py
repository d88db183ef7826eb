"""`orchestra status [--json]`: every agent pane, configured or discovered, and its state.

`queued` is orchestra's own queue for the agent (its prompts not sent yet: `orchestra queue`
says why each waits); `tool_queued` is what the agent CLI shows queued in its own composer.
With tmux out of reach the configured agents are still printed (as last known: exited), and
the exit is 1 with one line on stderr."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace

from orchestra_tui.bootstrap import fleet_from_args
from orchestra_tui.core.fleet.find import filter_views
from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.core.fleet.queue_reasons import queue_reasons
from orchestra_tui.core.sending.receipts import receipt_of
from orchestra_tui.errors import TmuxUnavailable

STATUS_KEYS = ("name", "pane_id", "tool", "state", "context_left", "queued", "tool_queued",
               "reason", "alerts", "source", "host", "branch", "ahead", "behind",
               "files_changed", "insertions", "deletions", "conflicts", "receipts", "usage",
               "usage_unknown")
WORK_KEYS = ("branch", "ahead", "behind", "files_changed", "insertions", "deletions")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("status", help="show every agent and its state")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.add_argument("--filter", default="", metavar="TEXT",
                        help="only the agents TEXT matches, as `/` in the app does: words "
                             "found in name, lane, repo, host, issue, state or reason "
                             "(field:word looks in one field, e.g. host:gpu state:approval)")
    parser.set_defaults(func=run)


def status_rows(snapshot: FleetSnapshot) -> list[dict]:
    return [
        {
            "name": view.status.name,
            "pane_id": view.status.pane_id,
            "tool": view.status.tool,
            "state": str(view.status.state),
            "context_left": view.status.context_left,
            # orchestra's queue: its items not sent yet (queued, sending, uncertain)
            "queued": len(queue_reasons(view)),
            # the agent CLI's own on-screen queue (None: it shows none)
            "tool_queued": view.status.queued,
            "reason": view.status.reason,
            "alerts": list(view.status.alerts),
            "source": view.status.source,
            # The `[[host]]` it runs on; null for this machine's tmux server.
            "host": _host(view) or None,
            # From its worktree (git): null when it has none, or no base to count against.
            **{key: getattr(view.work, key) if view.work else None for key in WORK_KEYS},
            # The conflict radar: other agents' worktrees its own would conflict with.
            "conflicts": [{"with": found.other, "files": list(found.files)}
                          for found in view.conflicts],
            # Each prompt of orchestra's queue, sent ones too: what became of it, since when.
            "receipts": [{"id": item.id, **receipt_of(item, snapshot.at).row()}
                         for item in view.queue],
            # Tokens and dollars from the CLI's own session records (null: none read, and
            # `usage_unknown` says why when it is known: an agent on a host).
            "usage": view.cost.row() if view.cost is not None else None,
            "usage_unknown": view.cost_unknown or None,
        }
        for view in snapshot.agents
    ]


async def _refresh(fleet, *, work: bool) -> FleetSnapshot:
    await fleet.refresh()
    if work:
        await fleet.refresh_work()  # branch figures: read now, there is no next tick
        await fleet.refresh_usage()  # and tokens and cost
        await fleet.predict_conflicts()
    return fleet.current()


def run(args: argparse.Namespace) -> int:
    fleet, _config, _services = fleet_from_args(args, read_only=True)
    snapshot = asyncio.run(_refresh(fleet, work=args.json))
    if snapshot.tmux_error and not snapshot.agents:
        raise TmuxUnavailable(snapshot.tmux_error)
    if args.filter:
        snapshot = replace(snapshot, agents=filter_views(snapshot.agents, args.filter))
    rows = status_rows(snapshot)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows and args.filter:
        print(f"no agent matches {args.filter!r}")
    elif not rows:
        print("no agents: add some with `orchestra init`, or try `orchestra demo`")
    else:
        print(_table(rows))
    if snapshot.tmux_error:
        # What is printed is what the config says, not what tmux does: not a success.
        raise TmuxUnavailable(snapshot.tmux_error)
    if snapshot.storage_problem:
        # The queues shown may not be all there is (a newer or corrupt queue file).
        print(f"orchestra: {snapshot.storage_problem}", file=sys.stderr)
        return 1
    return 0


def _host(view) -> str:
    spec, pane = view.status.spec, view.pane
    return (spec.host if spec is not None else "") or (pane.host if pane is not None else "")


def _table(rows: list[dict]) -> str:
    hosts = any(row["host"] for row in rows)  # a HOST column once an agent is elsewhere
    # QUEUED: orchestra's queue; IN TOOL: what the agent CLI holds queued itself, when any does.
    in_tool = any(row["tool_queued"] for row in rows)
    headers = ("AGENT", *(("HOST",) if hosts else ()), "PANE", "TOOL", "STATE", "CTX", "QUEUED",
               *(("IN TOOL",) if in_tool else ()), "REASON")
    body = [
        (row["name"], *((row["host"] or "local",) if hosts else ()), row["pane_id"] or "-",
         row["tool"], row["state"],
         "-" if row["context_left"] is None else f"{row['context_left']}%",
         str(row["queued"]) if row["queued"] else "-",
         *((str(row["tool_queued"]) if row["tool_queued"] else "-",) if in_tool else ()),
         row["reason"])
        for row in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *body)]
    widths[-1] = 0  # the reason runs to the end of the line
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip()
        for line in (headers, *body)
    )
