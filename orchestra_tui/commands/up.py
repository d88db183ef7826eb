"""`orchestra up [NAME ...] [--open]`: start every configured or recorded agent that is not
running, each in its worktree or `cwd`, resuming its previous conversation where its tool can,
and wait until each is ready. Agents already running are left alone. Queued prompts are sent by
a running orchestra once their agent is ready: `--open` opens the app afterwards to do so.

Exit 0 when every agent runs and is ready, 1 when one could not be started or is not ready.
"""

from __future__ import annotations

import argparse
import asyncio

from orchestra_tui.bootstrap import boot
from orchestra_tui.core.agent_ref import resolve_agent
from orchestra_tui.core.lifecycle.restart import READY_TIMEOUT
from orchestra_tui.core.up import bring_up
from orchestra_tui.errors import AgentNotFound, OrchestraError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "up", help="start every agent that is not running (after a reboot)",
        description="Start every configured or recorded agent that is not running, in its "
                    "worktree or cwd, resuming its conversation where its tool can.")
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these agents")
    parser.add_argument("--timeout", type=float, default=READY_TIMEOUT, metavar="S",
                        help=f"seconds to wait for each to be ready (default {READY_TIMEOUT:g})")
    parser.add_argument("--open", action="store_true",
                        help="open the app afterwards (it sends the agents' queued prompts)")
    parser.set_defaults(func=run)


async def _up(args: argparse.Namespace) -> int:
    booted = boot(args)
    try:
        lifecycle = booted.lifecycle(ready_timeout=args.timeout, github=False)
        specs = [spec for spec, _ in lifecycle.specs()]
        known = {spec.name for spec in specs}
        # `devbox:r2` as the app shows it is `r2` (its host is in its config).
        names = [_name(name, specs) for name in args.names]
        unknown = [given for given, name in zip(args.names, names) if name not in known]
        if unknown:
            raise OrchestraError(f"no agent named {', '.join(unknown)} (known: "
                                 f"{', '.join(sorted(known)) or 'none'})")
        snapshot = await booted.fleet.refresh()
        outcomes = await bring_up(lifecycle, snapshot, names=tuple(names))
    finally:
        await booted.aclose()
    if not outcomes:
        print("no agents to start: add [[agent]] tables, or `orchestra new`")
    for outcome in outcomes:
        print(outcome.line())
    return 0 if all(outcome.ok for outcome in outcomes) else 1


def _name(given: str, specs) -> str:
    try:
        return resolve_agent(given, specs, ()) or given
    except AgentNotFound:
        return given


def run(args: argparse.Namespace) -> int:
    code = asyncio.run(_up(args))
    if args.open:
        from orchestra_tui.commands.app import run_app

        return run_app(args)
    return code
