"""`c`: nudge a blocked agent. After an API error (`529 Overloaded`, a dropped connection) an
agent often sits at a ready composer, waiting for someone to say "continue". The person is
asked first (a nudge starts a turn), the offer closes by itself if the agent moves on, and the
tool's own word goes through the send gate like any prompt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

from orchestra_tui.agents.profiles import PROFILES
from orchestra_tui.core.fleet.fleet import Fleet, FleetSnapshot
from orchestra_tui.core.sending.send_gate import SendRefused
from orchestra_tui.models import State
from orchestra_tui.ui.screens.ask import AskScreen

OFFER_SECONDS = 60.0


def continue_text(tool: str) -> str:
    profile = PROFILES.get(tool)
    return profile.continue_text if profile is not None else "continue"


def ask_nudge(app: App[Any], fleet: Fleet, shown: Callable[[], FleetSnapshot],
              agent: str) -> None:
    """`shown` is the snapshot the person sees: the offer lasts while it shows `agent`
    blocked."""
    view = shown().get(agent)
    if view is None or view.status.state is not State.BLOCKED:
        state = view.status.state if view is not None else "gone"
        app.notify(f"{agent} is {state}, not blocked: a nudge is for an agent stopped on an "
                   "error", severity="warning", timeout=6)
        return
    text = continue_text(view.status.tool)

    def still_blocked() -> bool:
        now = shown().get(agent)
        return now is not None and now.status.state is State.BLOCKED

    def answered(yes: bool | None) -> None:
        if yes:
            app.run_worker(_send(app, fleet, agent, text), group="nudge")

    app.push_screen(AskScreen(
        f"Nudge {agent}? It is blocked: {view.status.reason}",
        f"Sends “{text}” to {agent} if its prompt box is ready; nothing else is typed.",
        valid_while=still_blocked, expires_after=OFFER_SECONDS,
        withdrawn=f"{agent} is no longer blocked: the nudge was not sent"), answered)


async def _send(app: App[Any], fleet: Fleet, agent: str, text: str) -> None:
    try:
        result = await fleet.send_now(agent, text, source="nudge", allow_blocked=True)
    except SendRefused as refused:
        app.notify(str(refused), title=f"{agent} not nudged", severity="warning", timeout=10)
        return
    app.notify(f"Nudged {agent}" if result.delivered else
               f"{agent}: typed but not confirmed ({result.detail})", timeout=5)
