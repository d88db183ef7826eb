"""`orchestra why NAME [--json]`: why an agent is in the state orchestra shows, which witness
decided (its hook events or its screen, tmux, its host, you) and why that one, the evidence
with times, and what orchestra will do next for it. The words are the app's `w` panel's.

Any name the app shows is taken (`api`, `devbox:r2`, `%3`). The fleet looks twice, a poll
apart, so the debounce and stuck clocks have run; the last disagreement between hook and
screen comes from the journal when this look saw none.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from orchestra_tui.bootstrap import fleet_from_args
from orchestra_tui.commands.targets import agent_after_look, look
from orchestra_tui.core.away.summary import ON_BEHALF_EVENTS, behalf_words, start_of_day
from orchestra_tui.core.fleet.evidence import Disagreement
from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.core.why import Explanation, explain
from orchestra_tui.errors import AgentNotFound
from orchestra_tui.models import State
from orchestra_tui.ui.wording.why import why_text

# Between the two looks: long enough for the tracker's clocks to move, short for a person.
SECOND_LOOK_SECONDS = 0.3


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "why", help="explain an agent's state and what orchestra does next",
        description="Why an agent is in its state: which witness decided and why, the "
                    "evidence with times, and what orchestra will do next for it.")
    parser.add_argument("name", metavar="NAME", help="the agent (api, devbox:r2, %%3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def journaled_disagreement(fleet: Fleet, name: str) -> Disagreement | None:
    """The agent's last disagreement the journal holds (an app running now records them)."""
    if fleet.journal is None:
        return None
    for entry in reversed(fleet.journal.read(agent=name, events=("disagreement",))):
        try:
            hook, screen = State(entry.get("hook")), State(entry.get("screen"))
        except ValueError:
            continue
        return Disagreement(float(entry["at"]), hook, screen, f"hook said {hook}")
    return None


def done_today(fleet: Fleet, name: str) -> list[tuple[float, str]]:
    """What orchestra did for the agent unasked today, as the journal holds it."""
    if fleet.journal is None:
        return []
    entries = fleet.journal.read(name, start_of_day(time.time()), ON_BEHALF_EVENTS)
    return [(float(entry["at"]), words) for entry in entries if (words := behalf_words(entry))]


async def explanation_for(fleet: Fleet, text: str) -> Explanation:
    """The explanation of the agent `text` names. An agent that leaves the fleet between the
    name's resolution and the second look (retired) is said as such, not explained."""
    name = await agent_after_look(fleet, text)
    await asyncio.sleep(SECOND_LOOK_SECONDS)  # the clocks run between two real looks
    snapshot = await look(fleet)
    view = snapshot.get(name)
    if view is None:
        raise AgentNotFound(f"{text} left the fleet while it was being looked at "
                            "(retired or removed from the config)")
    disagreement = await asyncio.to_thread(journaled_disagreement, fleet, name)
    done = await asyncio.to_thread(done_today, fleet, name)
    await fleet.refresh_usage()  # its tokens and cost, read now
    return explain(fleet.current().get(name) or view, time.time(), disagreement=disagreement,
                   on_behalf=done)


def run(args: argparse.Namespace) -> int:
    fleet, _config, _services = fleet_from_args(args, read_only=True)
    try:
        told = asyncio.run(explanation_for(fleet, args.name))
    finally:
        fleet.close()
    if args.json:
        print(json.dumps(told.as_json(), indent=2, ensure_ascii=False))
    else:
        print(why_text(told))
    return 0
