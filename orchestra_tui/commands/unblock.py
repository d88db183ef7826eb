"""`orchestra approve|deny|interrupt|kill NAME`: from the shell what `y`, `n`, `ctrl+c` and `K`
do in the app, through the same fleet methods, journaled as the app journals them.

- `approve` / `deny`: the pane is read afresh; only an approval dialog gets a key, and only the
  one this command's look saw (another that opened since gets nothing). A question with choices
  is not approved (Enter would pick whichever choice is highlighted): answer it in its pane.
  A deny holds the agent's queue, as in the app.
- `interrupt`: Esc to the agent; its queue is held until you resume it (`p` in the app).
- `kill`: the agent's process ends (its queue stays). It asks on a terminal; a script passes
  `--yes`, and without a terminal or `--yes` nothing is killed.

Exit 0 done; 1 nothing done (not in that state, refused, not confirmed, tmux out of reach).
This module registers the four commands (`cli.SUBCOMMANDS` names it `unblock`).
"""

from __future__ import annotations

import argparse
import asyncio

from orchestra_tui.bootstrap import fleet_from_args
from orchestra_tui.commands.targets import confirmed, view_after_look
from orchestra_tui.errors import OrchestraError

COMMANDS = {
    "approve": "approve the agent's open permission dialog (as y in the app)",
    "deny": "deny the agent's open permission dialog (as n in the app)",
    "interrupt": "interrupt the agent's turn with Esc (as ctrl+c in the app)",
    "kill": "end the agent's process (as K in the app); asks, or --yes",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    for command, summary in COMMANDS.items():
        parser = subparsers.add_parser(command, help=summary, description=summary + ".")
        parser.add_argument("agent", metavar="NAME",
                            help="the agent (api, devbox:r2, %%3, devbox:%%3)")
        if command == "kill":
            parser.add_argument("--yes", action="store_true",
                                help="kill without asking (needed without a terminal)")
        parser.set_defaults(func=run, verb=command)


async def _act(args: argparse.Namespace) -> str:
    fleet, _config, _services = fleet_from_args(args)
    view = await view_after_look(fleet, args.agent)
    name, status = view.name, view.status
    shown = args.agent
    if args.verb in ("approve", "deny"):
        await fleet.answer(name, args.verb == "approve", seen=status.dialog_key)
        if args.verb == "approve":
            return f"approved {shown} ({status.reason})"
        return f"denied {shown} ({status.reason}); its queue is held until you resume it"
    if args.verb == "interrupt":
        await fleet.interrupt(name)
        return f"interrupted {shown} (Esc); its queue is held until you resume it"
    if not confirmed(f"kill {shown}", status.reason, yes=args.yes):
        raise OrchestraError(f"not confirmed; {shown} was not killed")
    await fleet.kill(name)
    return f"killed {shown}; its queue is kept (orchestra restart {shown} starts it again)"


def run(args: argparse.Namespace) -> int:
    print(asyncio.run(_act(args)))
    return 0
