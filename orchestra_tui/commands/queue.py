"""`orchestra queue [NAME] [--json]`: orchestra's queue of every agent (or one), each prompt not
sent yet with why it waits: held (paused, or stopped by you), unreachable host, being sent,
uncertain (needs your `r`), busy (the agent is not idle), a draft in its prompt box, its
lane's daily budget spent (`--resume-budget LANE` lets it go on today), or next. The reasons
are `core.queue_reasons`', the same the app shows.

With tmux out of reach the queues are still printed (every agent then reads exited) and the
exit is 1 with one line on stderr, as `status` does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from orchestra_tui.agents.inert import visible_controls
from orchestra_tui.agents.text import clip
from orchestra_tui.bootstrap import fleet_from_args
from orchestra_tui.commands.targets import agent_name
from orchestra_tui.core.agent_ref import shown_name
from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.core.fleet.queue_reasons import queue_reasons
from orchestra_tui.core.sending.receipts import Receipt, receipt_of
from orchestra_tui.errors import AgentNotFound, OrchestraError, TmuxUnavailable
from orchestra_tui.receipt import ReceiptState

TEXT_WIDTH = 60
# Sent prompts that list their agent even with nothing waiting: the person has to look.
LOOK_AT = (ReceiptState.UNSUBMITTED, ReceiptState.TYPED)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "queue", help="show orchestra's queued prompts and why each waits",
        description="Every agent's prompts not sent yet (queued, sending, uncertain), oldest "
                    "first, with why each waits.")
    parser.add_argument("name", nargs="?", metavar="NAME",
                        help="only this agent (api, devbox:r2, %%3)")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.add_argument("--submit", metavar="ID",
                        help="press Enter again for NAME's unsubmitted prompt ID (its text still "
                             "in the composer; never retyped)")
    parser.add_argument("--resume-budget", metavar="LANE",
                        help="let LANE's queues go on past its budget_per_day for the rest of "
                             "today")
    parser.set_defaults(func=run)


def queue_rows(snapshot: FleetSnapshot, now: float, only: str | None = None) -> list[dict]:
    """One row per agent with unsent items (or the agent `only`, even with none)."""
    rows = []
    for view in sorted(snapshot.agents, key=lambda view: view.name):
        waits = queue_reasons(view)
        waiting = {wait.item.id for wait in waits}
        # Sent prompts with their receipts: what became of each (submitted, answered, ...).
        sent = [(item, receipt_of(item, now)) for item in view.queue if item.id not in waiting]
        if (only is not None and view.name != only) or (only is None and not waits and not any(
                receipt.state in LOOK_AT for _, receipt in sent)):
            continue
        host = view.status.spec.host if view.status.spec is not None else ""
        host = host or (view.pane.host if view.pane is not None else "")
        rows.append({
            "agent": view.name,
            "host": host or None,
            "shown_as": shown_name(view.status.spec, host) if view.status.spec else view.name,
            "state": str(view.status.state),
            "paused": view.paused,
            "items": [{
                "id": wait.item.id,
                "state": str(wait.item.state),
                "source": wait.item.source,
                "created_at": wait.item.created_at,
                "age_seconds": max(0, round(now - wait.item.created_at)),
                "waits": str(wait.kind),
                "why": wait.why,
                "text": wait.item.text,
                "receipt": receipt_of(wait.item, now).row(),
            } for wait in waits],
            "sent": [{"id": item.id, "source": item.source, "text": item.text,
                      "receipt": receipt.row()} for item, receipt in sent],
        })
    return rows


def age(seconds: float) -> str:
    """`42s`, `5m`, `3h`, `2d`.

    >>> [age(s) for s in (3, 300, 7200, 200000)]
    ['3s', '5m', '2h', '2d']
    """
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def render(rows: list[dict], now: float | None = None) -> str:
    lines: list[str] = []
    now = time.time() if now is None else now
    for row in rows:
        items = row["items"]
        held = ", paused" if row["paused"] else ""
        lines.append(f"{row['shown_as']} ({row['state']}{held}): "
                     f"{len(items) or 'nothing'} waiting")
        for item in items:
            receipt, why = item["receipt"], f"{item['waits']}: {item['why']}"
            if receipt["state"] == ReceiptState.UNSUBMITTED:
                why = (f"{receipt['why']}; `orchestra queue {row['shown_as']} --submit "
                       f"{item['id']}` presses Enter again")
            lines.append(f"  {item['id']}  {receipt['state']:<11} {item['source'] or '-':<10} "
                         f"{age(item['age_seconds']):>4}  {why}")
            lines.append(f"      {clip(item['text'], TEXT_WIDTH)}")
        for item in row.get("sent", ()):
            receipt = item["receipt"]
            why = f": {receipt['why']}" if receipt["why"] else ""
            lines.append(f"  {item['id']}  {receipt['state']:<11} "
                         f"{age(max(0.0, now - receipt['at'])):>4} ago{why}")
            lines.append(f"      {clip(item['text'], TEXT_WIDTH)}")
    return "\n".join(lines) if lines else "no prompts queued"


async def _look(fleet) -> FleetSnapshot:
    await fleet.refresh()
    await fleet.refresh_usage()  # what each lane spent today: a budget may hold its queues
    return fleet.current()


def resume_budget(args: argparse.Namespace) -> int:
    fleet, _config, _services = fleet_from_args(args)

    async def resume():
        await _look(fleet)
        standing = await fleet.resume_budget(args.resume_budget)
        await fleet.settle()
        return standing

    standing = asyncio.run(resume())
    print(f"{standing.words()}; its queues go on for the rest of today")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.submit:
        return submit(args)
    if args.resume_budget:
        return resume_budget(args)
    fleet, _config, _services = fleet_from_args(args, read_only=True)
    snapshot = asyncio.run(_look(fleet))
    if snapshot.tmux_error and not snapshot.agents:
        raise TmuxUnavailable(snapshot.tmux_error)
    only = None
    if args.name is not None:
        only = agent_name(fleet, args.name)
        if only is None:
            raise AgentNotFound(f"no agent holds pane {args.name}")
    rows = queue_rows(snapshot, time.time(), only)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        # Queued text came from anyone (a review comment): nothing printed here is obeyed.
        print(visible_controls(render(rows)))
    if snapshot.tmux_error:
        raise TmuxUnavailable(snapshot.tmux_error)
    return 0


def submit(args: argparse.Namespace) -> int:
    """`queue NAME --submit ID`: Enter again for an unsubmitted prompt, through the same checks
    as `s` in the app (the pane's writer lock, the same process, the text in the composer)."""
    if args.name is None:
        raise OrchestraError("--submit needs the agent: orchestra queue NAME --submit ID")
    fleet, _config, _services = fleet_from_args(args)

    async def press() -> Receipt:
        await fleet.refresh()
        name = agent_name(fleet, args.name)
        if name is None:
            raise AgentNotFound(f"no agent holds pane {args.name}")
        return await fleet.submit_again(name, args.submit)

    receipt = asyncio.run(press())
    print(f"{args.submit}: Enter pressed again, now {receipt.state}"
          + (f" ({receipt.why})" if receipt.why else ""))
    return 0 if receipt.state is not ReceiptState.UNSUBMITTED else 1
