"""`orchestra send AGENT_OR_PANE_ID [TEXT] [--queue] [--to-shell]`: send a prompt now, through
the send gate: it types only into a composer ready for input, and says why when it will not."""

from __future__ import annotations

import argparse
import asyncio
import sys

from orchestra_tui.bootstrap import fleet_from_args
from orchestra_tui.errors import OrchestraError, TmuxUnavailable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "send", help="send a prompt to an agent now (only into a composer ready for input)")
    parser.add_argument("agent", help="agent name or tmux pane id (%%12)")
    parser.add_argument("text", nargs="?", help="the prompt (default: read from stdin)")
    parser.add_argument("--queue", action="store_true",
                        help="add it to the agent's queue instead: a running orchestra sends "
                             "it when the agent is ready")
    parser.add_argument("--to-shell", action="store_true",
                        help="allow a pane running a plain shell (the text runs as a command)")
    parser.set_defaults(func=run)


async def _send(args: argparse.Namespace, text: str) -> int:
    fleet, _config, _services = fleet_from_args(args)
    snapshot = await fleet.refresh()
    if snapshot.tmux_error:
        raise TmuxUnavailable(snapshot.tmux_error)
    bare_pane = args.agent.startswith("%") and args.agent not in fleet.names and not any(
        view.status.pane_id == args.agent for view in snapshot.agents)
    if args.queue:
        if bare_pane:
            raise OrchestraError(f"{args.agent} is not an agent of the config, so it has no "
                                 "queue; send it without --queue")
        item = await fleet.enqueue(args.agent, text, source="cli")
        waiting = sum(1 for queued in fleet.current().get(item.agent).queue
                      if queued.state == "queued")
        print(f"queued for {item.agent} ({waiting} waiting); a running orchestra sends it "
              "when the agent is ready")
        return 0
    if bare_pane:
        result = await fleet.send_to_pane(args.agent, text, to_shell=args.to_shell)
    else:
        result = await fleet.send_now(args.agent, text, source="cli", to_shell=args.to_shell)
    return _report(args.agent, result)


def _report(target: str, result) -> int:
    if result.delivered:
        presses = ("" if result.enter_presses <= 1
                   else f" after {result.enter_presses} Enter presses")
        print(f"sent to {target}{presses}")
        return 0
    raise OrchestraError(f"{target}: the text was typed but its submission could not be "
                         f"confirmed ({result.detail or 'composer still shows it'}); "
                         "not sent again, check the pane")


def run(args: argparse.Namespace) -> int:
    text = args.text if args.text is not None else sys.stdin.read()
    if not text.strip():
        raise OrchestraError("nothing to send: the prompt is empty")
    return asyncio.run(_send(args, text.rstrip("\n")))
