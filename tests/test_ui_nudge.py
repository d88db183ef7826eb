"""`c` nudges a blocked agent: the real app over a real fleet, a simulated agent whose turn
ended on an API error with its composer ready. Asked first; "continue" goes through the gate
once; an agent that is not blocked gets nothing."""

from __future__ import annotations

import pytest

from orchestra_tui.agents import classify
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.ask import AskScreen
from tests.helpers import pilot_wait_until
from tests.tmux_fixtures import logged_prompts, start_fake_agent, wait_for_screen

pytestmark = pytest.mark.slow


async def test_c_nudges_a_blocked_agent_after_asking(tmux, tmp_path):
    log = tmp_path / "api.jsonl"
    pane = await start_fake_agent(tmux, "claude", log, session="api", work=0.2)
    await tmux.send_text(pane.pane_id, "do the thing [error]")
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, "claude").state is State.BLOCKED,
                          message="blocked on the error")
    data = tmp_path / "data"
    store = QueueStore(data)
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="claude", target="api")], store=store,
                  journal=Journal(data / "journal.jsonl"),
                  settings=FleetSettings(idle_debounce=0.3))
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1, bell=False))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot_wait_until(pilot, lambda: (view := app.snapshot.get("api")) is not None
                               and view.status.state is State.BLOCKED, message="blocked")
        await pilot.press("c")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, AskScreen),
                               message="the question")
        assert app.screen.question.startswith("Nudge api?")
        await pilot.press("y")
        await pilot_wait_until(pilot, lambda: len(logged_prompts(log)) == 2, timeout=20,
                               message="continue received")
    assert logged_prompts(log) == ["do the thing [error]", "continue"]
    [sent] = fleet.journal.read(events=("prompt_sent",))
    assert (sent["text"], sent["source"]) == ("continue", "nudge")
