"""`orchestra restart AGENT [--note TEXT] [--issue N] [--dry-run]`: kill the agent, start its
configured command at the same tmux target, and send it a handoff once it is ready.

The handoff is composed from the lane, the issue it was last sent (journal), its open PRs and
their gates (GitHub, when reachable; skipped with a note otherwise), its last prompts (store),
the lane's policy and `--note`. Its queue stays in the store and resumes after the handoff.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace

from orchestra_tui.bootstrap import Boot, boot
from orchestra_tui.commands.targets import agent_name
from orchestra_tui.core.desk.lanes import owner_of
from orchestra_tui.core.desk.merge_gate import evaluate_gate
from orchestra_tui.core.lifecycle.restart import READY_TIMEOUT
from orchestra_tui.errors import AgentNotFound, OrchestraError, TmuxUnavailable
from orchestra_tui.models import AgentSpec, Gate, PullRequest, State

GITHUB_TIMEOUT = 10.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "restart", help="kill an agent and start it again with a handoff",
        description="Kill the agent's process, start its configured command at the same tmux "
                    "target, wait until it is ready, and send it a one-paragraph handoff.")
    parser.add_argument("agent", help="agent name (as in the config or `orchestra status`)")
    parser.add_argument("--note", default="", metavar="TEXT",
                        help="a note from you, added to the end of the handoff")
    parser.add_argument("--issue", metavar="N",
                        help="the issue it was on (default: the last one it was sent)")
    parser.add_argument("--timeout", type=float, default=READY_TIMEOUT, metavar="S",
                        help=f"seconds to wait for the agent to be ready (default "
                             f"{READY_TIMEOUT:g})")
    parser.add_argument("--no-github", action="store_true",
                        help="leave the PRs out of the handoff (do not ask GitHub)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the handoff and restart nothing")
    parser.set_defaults(func=run)


async def _pulls(booted: Boot, spec: AgentSpec) -> list[tuple[PullRequest, Gate]]:
    async with booted.github(timeout=GITHUB_TIMEOUT) as github:
        found = await github.list_pull_requests(spec.repo)
    agents = booted.config.agents or (spec,)
    mine = [replace(pr, agent=spec.name) for pr in found
            if owner_of(pr.repo, pr.head_ref, agents) == spec.name]
    return [(pr, evaluate_gate(pr)) for pr in mine]


async def _restart(args: argparse.Namespace) -> int:
    booted = boot(args)
    fleet, services = booted.fleet, booted.services
    snapshot = await fleet.refresh()
    if snapshot.tmux_error and not args.dry_run:
        raise TmuxUnavailable(snapshot.tmux_error)
    name = agent_name(fleet, args.agent)
    if name is None:
        raise AgentNotFound(f"pane {args.agent} runs no agent orchestra knows")
    spec = fleet.spec(name)

    pulls: list[tuple[PullRequest, Gate]] = []
    if spec.repo and not args.no_github:
        try:
            pulls = await _pulls(booted, spec)
        except (OrchestraError, OSError) as error:  # GitHub down must not block a restart
            print(f"orchestra: note: the handoff leaves out PRs ({error})", file=sys.stderr)
    # The app's `R` and this command take the fleet's one path: compose, then restart.
    handoff = await fleet.compose_handoff(name, note=args.note, pulls=pulls,
                                          issue=args.issue)
    if args.dry_run:
        print(handoff)
        return 0

    outcome = await fleet.restart(name, handoff, ready_timeout=args.timeout)
    if outcome.handoff_sent:
        queued = services.store.next_ready(spec.name)
        print(outcome.summary + ("; its queue resumes when it is idle" if queued else ""))
        return 0
    if outcome.pending_handoff is not None and outcome.state is not State.EXITED:
        # The person has to answer a trust or login screen first: give them the handoff to
        # send afterwards (`orchestra send AGENT -` reads it from stdin).
        print(outcome.pending_handoff)
        print(f"orchestra: {outcome.summary}; the handoff is printed above: send it with "
              f"`orchestra send {spec.name}` once the agent is ready", file=sys.stderr)
        return 2
    raise OrchestraError(outcome.summary)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_restart(args))
