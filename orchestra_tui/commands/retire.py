"""`orchestra retire NAME [--force]`: stop an agent orchestra started, remove its worktree and,
when its work is merged, its local branch. It refuses, removing nothing, while the worktree
holds uncommitted changes or commits on no remote branch; `--force` throws those away."""

from __future__ import annotations

import argparse
import asyncio
import sys

from orchestra_tui.bootstrap import boot
from orchestra_tui.commands.targets import agent_name
from orchestra_tui.core.lifecycle.retire import retire
from orchestra_tui.errors import AgentNotFound


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "retire", help="stop an agent orchestra started and remove its worktree",
        description="Stop the agent, remove its worktree and, when merged, its local branch. "
                    "Refuses while the worktree holds uncommitted or unpushed work.")
    parser.add_argument("name", help="the agent's name")
    parser.add_argument("--force", action="store_true",
                        help="retire even though uncommitted or unpushed work is lost")
    parser.set_defaults(func=run)


async def _retire(args: argparse.Namespace) -> int:
    booted = boot(args)
    try:
        snapshot = await booted.fleet.refresh()
        try:  # `devbox:r2` or `%3` as the app shows it; else the record says
            name = agent_name(booted.fleet, args.name) or args.name
        except AgentNotFound:
            name = args.name
        view = snapshot.get(name)
        pane = view.pane.pane_id if view is not None and view.pane is not None else None
        outcome = await retire(booted.lifecycle(github=False), name, force=args.force,
                                                             pane_id=pane)
    finally:
        await booted.aclose()
    for note in outcome.notes:
        print(f"orchestra: note: {note}", file=sys.stderr)
    print(outcome.summary)
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_retire(args))
