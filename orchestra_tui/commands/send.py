"""`orchestra send AGENT_OR_PANE_ID [TEXT] [--queue] [--to-shell]`: send a prompt now, through
the send gate: it types only into a composer ready for input, and says why when it will not.
`--queue` writes it to the agent's queue (no tmux needed: a running orchestra sends it later);
`--nudge AGENT [--yes]` sends the tool's own "continue" to a blocked agent whose composer is on
screen (after `API Error: 529`), once the person confirms.

Recording never turns a delivered prompt into a failure (a retry would send it twice). Before a
byte is typed the queue file is checked and the intent is written to the journal: a read-only,
full or broken data dir refuses there, nothing typed, exit 1. A record that still fails after
the prompt went in is said on stderr (`orchestra: sent to api; could not record it: ...`) and
the exit code stays the delivery's: 0 sent (or queued), 1 not sent or not confirmed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from orchestra_tui.agents.profiles import PROFILES
from orchestra_tui.bootstrap import fleet_from_args
from orchestra_tui.commands.targets import (
    agent_name,
    confirmed,
    look,
    pane_exists,
    view_after_look,
)
from orchestra_tui.errors import AgentNotFound, OrchestraError, UsageError
from orchestra_tui.models import QueueItemState, State
from orchestra_tui.paths import StorageError

# Also when the record of a delivered prompt could not be written (said on stderr). Nothing sent
# is an OrchestraError: the CLI's exit 1.
EXIT_SENT = 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "send", help="send a prompt to an agent now (only into a composer ready for input)",
        epilog="Exit 0: sent (or queued), even when the journal could not record it (said on "
               "stderr; do not send again). Exit 1: nothing sent, or not confirmed.")
    parser.add_argument("agent", help="agent name (api, devbox:r2) or tmux pane id (%%12, "
                                      "devbox:%%12)")
    parser.add_argument("text", nargs="?", help="the prompt (default: read from stdin)")
    parser.add_argument("--queue", action="store_true",
                        help="add it to the agent's queue instead: a running orchestra sends "
                             "it when the agent is ready")
    parser.add_argument("--to-shell", action="store_true",
                        help="allow a pane running a plain shell (the text runs as a command)")
    parser.add_argument("--nudge", action="store_true",
                        help="send the tool's own 'continue' to a blocked agent whose prompt box "
                             "is on screen (after an API error), once confirmed")
    parser.add_argument("--yes", action="store_true", help="confirm --nudge without asking")
    parser.set_defaults(func=run)


async def _send(args: argparse.Namespace, text: str) -> int:
    fleet, _config, services = fleet_from_args(args)
    try:
        name = agent_name(fleet, args.agent)  # a configured agent: known without tmux
    except AgentNotFound:
        name = None  # a discovered agent or a bare pane: known after the first look
    if name is not None:
        _ready_to_record(services, name, text, queue=args.queue)
        if args.queue:  # written for a running orchestra: tmux may be down, or its host
            return await _enqueue(fleet, name, text, checked=True, services=services)
    checked = name is not None
    await look(fleet)
    if name is None:
        name = agent_name(fleet, args.agent)
    if name is None:  # a pane that is no agent's
        if not await pane_exists(fleet, args.agent):
            raise AgentNotFound(f"no such pane: {args.agent}")
        if args.queue:
            raise OrchestraError(f"{args.agent} is not an agent of the config, so it has no "
                                 "queue; send it without --queue")
        _ready_to_record(services, args.agent, text, queue=False, store=False)
        try:
            result = await fleet.send_to_pane(args.agent, text, to_shell=args.to_shell)
        except StorageError as error:
            return _unrecorded(args.agent, error)
        return _report(args.agent, result)
    if args.queue:
        return await _enqueue(fleet, name, text, checked=checked, services=services)
    if not checked:
        _ready_to_record(services, name, text, queue=False)
    try:
        result = await fleet.send_now(name, text, source="cli", to_shell=args.to_shell)
    except StorageError as error:
        return _unrecorded(args.agent, error)
    return _report(args.agent, result)


async def _nudge(args: argparse.Namespace) -> int:
    """The tool's own continue word to a blocked agent, through the gate (which takes a
    blocked agent only with its composer on screen and no draft in it)."""
    fleet, _config, services = fleet_from_args(args)
    view = await view_after_look(fleet, args.agent)
    name, status = view.name, view.status
    if status.state is not State.BLOCKED:
        raise OrchestraError(f"{args.agent} is {status.state}, not blocked: nothing to nudge "
                             f"({status.reason}); nothing sent")
    profile = PROFILES.get(status.tool)
    text = profile.continue_text if profile is not None else ""
    if not text:
        raise OrchestraError(f"{args.agent} runs {status.tool}, which has no continue word to "
                             "nudge it with; nothing sent")
    if not confirmed(f"send {text!r} to {args.agent}", status.reason, yes=args.yes):
        raise OrchestraError("not confirmed; nothing sent")
    _ready_to_record(services, name, text, queue=False)
    try:
        result = await fleet.send_now(name, text, source="nudge", allow_blocked=True)
    except StorageError as error:
        return _unrecorded(args.agent, error)
    return _report(args.agent, result)


def _ready_to_record(services, name: str, text: str, *, queue: bool, store: bool = True) -> None:
    """Refuse before anything is typed or queued when it could not be recorded."""
    try:
        if store:
            services.store.check_writable()
        if not queue:
            services.journal.append("send_intent", name, text=text, source="cli")
    except StorageError as error:
        raise OrchestraError(f"{error}; nothing {'queued' if queue else 'sent'}") from None


async def _enqueue(fleet, agent: str, text: str, *, checked: bool, services) -> int:
    """`agent` is the fleet's name for it."""
    if not checked:
        _ready_to_record(services, agent, text, queue=True)
    try:
        item = await fleet.enqueue(agent, text, source="cli")
    except StorageError as error:
        if error.operation != "journal queue_added":
            raise OrchestraError(f"{error}; nothing queued") from None
        _say(f"queued for {agent}; could not record it in the journal: {error}; "
             "do not queue it again")
        return EXIT_SENT
    # The queue as written (no tick is needed, or possible with tmux down): what is unsent.
    waiting = sum(1 for queued in services.store.items(item.agent)
                  if queued.state != QueueItemState.SENT)
    print(f"queued for {item.agent} ({waiting} waiting); a running orchestra sends it "
          "when the agent is ready")
    return EXIT_SENT


def _unrecorded(target: str, error: StorageError) -> int:
    """A storage error out of a send: the record of what happened could not be written. What
    happened is in the record that failed (the journal's entry), or, for the queue file's
    history written first, the prompt went in."""
    entry = getattr(error, "entry", None) or {}
    if error.operation == "journal send_refused":
        typed = " (typed, Enter not pressed: look at the pane)" if entry.get("typed") else ""
        raise OrchestraError(f"{target}: not sent ({entry.get('reason', '')}){typed}; could "
                             f"not record the refusal: {error}") from None
    if error.operation not in ("journal prompt_sent", "record_sent"):
        raise OrchestraError(f"{error}; nothing sent") from None
    if entry.get("uncertain") and not entry.get("delivered"):
        raise OrchestraError(f"{target}: the text was typed but its submission could not be "
                             f"confirmed; not sent again, check the pane; could not record "
                             f"it: {error}") from None
    print(f"sent to {target}")
    _say(f"sent to {target}; could not record it: {error}; do not send it again")
    return EXIT_SENT


def _say(line: str) -> None:
    print(f"orchestra: {line}", file=sys.stderr)


def _report(target: str, result) -> int:
    if result.delivered:
        presses = ("" if result.enter_presses <= 1
                   else f" after {result.enter_presses} Enter presses")
        print(f"sent to {target}{presses}")
        return EXIT_SENT
    raise OrchestraError(f"{target}: the text was typed but its submission could not be "
                         f"confirmed ({result.detail or 'composer still shows it'}); "
                         "not sent again, check the pane")


def _prompt(args: argparse.Namespace) -> str:
    """The prompt from the command line or stdin, refused unless it is UTF-8 text (argv and
    a C-locale stdin carry other bytes as surrogates, which no pane or file can take)."""
    if args.text is not None:
        text, where = args.text, "argument"
    else:
        raw = getattr(sys.stdin, "buffer", None)  # a test's StringIO has none
        text = raw.read().decode("utf-8", "surrogateescape") if raw else sys.stdin.read()
        where = "stdin"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise OrchestraError(f"the prompt ({where}) is not valid UTF-8 text (a byte that is "
                             f"no character at position {error.start + 1}); nothing sent"
                             ) from None
    return text


def run(args: argparse.Namespace) -> int:
    if args.nudge:
        if args.text is not None or args.queue or args.to_shell:
            raise UsageError("orchestra send --nudge: takes an agent only (it sends the tool's "
                             "own continue word); no text, --queue or --to-shell")
        return asyncio.run(_nudge(args))
    text = _prompt(args)
    if not text.strip():
        raise OrchestraError("nothing to send: the prompt is empty")
    return asyncio.run(_send(args, text.rstrip("\n")))
