"""`orchestra send AGENT_OR_PANE_ID [TEXT] [--queue] [--to-shell]`: send a prompt now, through
the send gate: it types only into a composer ready for input, and says why when it will not.

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

from orchestra_tui.bootstrap import fleet_from_args
from orchestra_tui.errors import AgentNotFound, OrchestraError, TmuxUnavailable
from orchestra_tui.paths import StorageError

EXIT_SENT = 0  # also when the record of a delivered prompt could not be written (said on stderr)
EXIT_NOT_SENT = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "send", help="send a prompt to an agent now (only into a composer ready for input)",
        epilog="Exit 0: sent (or queued), even when the journal could not record it (said on "
               "stderr; do not send again). Exit 1: nothing sent, or not confirmed.")
    parser.add_argument("agent", help="agent name or tmux pane id (%%12)")
    parser.add_argument("text", nargs="?", help="the prompt (default: read from stdin)")
    parser.add_argument("--queue", action="store_true",
                        help="add it to the agent's queue instead: a running orchestra sends "
                             "it when the agent is ready")
    parser.add_argument("--to-shell", action="store_true",
                        help="allow a pane running a plain shell (the text runs as a command)")
    parser.set_defaults(func=run)


async def _send(args: argparse.Namespace, text: str) -> int:
    fleet, _config, services = fleet_from_args(args)
    try:
        name = fleet.spec(args.agent).name
    except AgentNotFound:
        name = None  # a discovered agent or a bare pane: known after the first look
    if name is not None:
        _ready_to_record(services, name, text, queue=args.queue)
    snapshot = await fleet.refresh()
    if snapshot.tmux_error:
        raise TmuxUnavailable(snapshot.tmux_error)
    bare_pane = args.agent.startswith("%") and args.agent not in fleet.names and not any(
        view.status.pane_id == args.agent for view in snapshot.agents)
    if args.queue:
        if bare_pane:
            raise OrchestraError(f"{args.agent} is not an agent of the config, so it has no "
                                 "queue; send it without --queue")
        return await _enqueue(fleet, args.agent, text, checked=name is not None,
                              services=services)
    if name is None:
        name = args.agent if bare_pane else fleet.spec(args.agent).name
        _ready_to_record(services, name, text, queue=False, store=not bare_pane)
    try:
        if bare_pane:
            result = await fleet.send_to_pane(args.agent, text, to_shell=args.to_shell)
        else:
            result = await fleet.send_now(args.agent, text, source="cli",
                                          to_shell=args.to_shell)
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
    if not checked:
        _ready_to_record(services, fleet.spec(agent).name, text, queue=True)
    try:
        item = await fleet.enqueue(agent, text, source="cli")
    except StorageError as error:
        if error.operation != "journal queue_added":
            raise OrchestraError(f"{error}; nothing queued") from None
        name = fleet.spec(agent).name
        _say(f"queued for {name}; could not record it in the journal: {error}; "
             "do not queue it again")
        return EXIT_SENT
    waiting = sum(1 for queued in fleet.current().get(item.agent).queue
                  if queued.state == "queued")
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
    text = _prompt(args)
    if not text.strip():
        raise OrchestraError("nothing to send: the prompt is empty")
    return asyncio.run(_send(args, text.rstrip("\n")))
