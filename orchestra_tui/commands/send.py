"""`orchestra send AGENT_OR_PANE_ID [TEXT]`: send a prompt now, with the reliable recipe."""

from __future__ import annotations

import argparse
import asyncio
import sys

from orchestra_tui.bootstrap import fleet_from_args
from orchestra_tui.errors import OrchestraError, TmuxUnavailable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("send", help="send a prompt to an agent now")
    parser.add_argument("agent", help="agent name or tmux pane id (%%12)")
    parser.add_argument("text", nargs="?", help="the prompt (default: read from stdin)")
    parser.set_defaults(func=run)


async def _send(args: argparse.Namespace, text: str) -> int:
    fleet, _config, _services = fleet_from_args(args)
    snapshot = await fleet.refresh()
    if snapshot.tmux_error:
        raise TmuxUnavailable(snapshot.tmux_error)
    if args.agent.startswith("%") and args.agent not in fleet.names:
        return await _send_to_pane(fleet, args.agent, text)
    result = await fleet.send_now(args.agent, text)
    return _report(args.agent, result)


async def _send_to_pane(fleet, pane_id: str, text: str) -> int:
    from orchestra_tui import agents

    panes = {pane.pane_id for pane in await fleet.tmux.list_panes()}
    if pane_id not in panes:
        raise OrchestraError(f"no pane {pane_id} on this tmux server")
    result = await fleet.tmux.send_text(pane_id, text, pending=agents.draft_pending)
    return _report(pane_id, result)


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
