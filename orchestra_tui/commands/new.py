"""`orchestra new NAME --lane L [--issue N] [--prompt TEXT] [--tool T]`: an agent on an issue,
in its own git worktree of the lane's clone, on a new branch of the lane's pattern naming the
issue, in its own tmux session; once it is ready, the issue prompt (the assign template)
through the send gate. It is recorded in the data dir, not in your config.

Exit 0 when the agent runs and got its first prompt (or needed none); 2 when it runs but was
not ready in time or showed a dialog (its first prompt waits in its queue); 1 when nothing was
made.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from orchestra_tui.bootstrap import boot
from orchestra_tui.core.lifecycle.lifecycle import NewRequest
from orchestra_tui.core.lifecycle.restart import READY_TIMEOUT


def issue_number(text: str) -> int:
    value = text.strip().removeprefix("#")
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not an issue number (like 7 or #7)")
    return int(value)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "new", help="start an agent on an issue in its own worktree",
        description="Make a git worktree of the lane's clone on a new branch, start the lane's "
                    "command there in a new tmux session, and send it the issue once ready.")
    parser.add_argument("name", help="the new agent's name (letters, digits, - and _)")
    parser.add_argument("--lane", required=True, metavar="L", help="the [[lane]] to follow")
    parser.add_argument("--issue", type=issue_number, metavar="N",
                        help="the issue it works on (its number names the branch)")
    parser.add_argument("--prompt", default="", metavar="TEXT",
                        help="its first prompt (after the issue's, when --issue is given)")
    parser.add_argument("--tool", metavar="T", help="the tool, when not the lane's")
    parser.add_argument("--timeout", type=float, default=READY_TIMEOUT, metavar="S",
                        help=f"seconds to wait for it to be ready (default {READY_TIMEOUT:g})")
    parser.add_argument("--no-github", action="store_true",
                        help="do not ask GitHub for the issue's title")
    parser.set_defaults(func=run)


async def _new(args: argparse.Namespace) -> int:
    booted = boot(args)
    try:
        lifecycle = booted.lifecycle(ready_timeout=args.timeout, github=not args.no_github)
        outcome = await lifecycle.new(NewRequest(name=args.name, lane=args.lane,
                                                 issue=args.issue, prompt=args.prompt,
                                                 tool=args.tool))
    finally:
        await booted.aclose()
    for note in outcome.notes:
        print(f"orchestra: note: {note}", file=sys.stderr)
    print(outcome.summary)
    return 0 if not outcome.prompt or outcome.delivered else 2


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_new(args))
