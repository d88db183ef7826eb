"""Nothing stale is typed: the offer to queue a refused send (the real app over a real fleet, an
agent in a real permission dialog) closes by itself once the agent's state changes, so a `y`
the person means for something else later queues nothing; its footer shows its own keys."""

from __future__ import annotations

import pytest
from textual.widgets import Footer

from orchestra_tui.agents import classify
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.ask import AskScreen
from tests.helpers import pilot_wait_until
from tests.tmux_fixtures import REPO, fake_agent_argv, logged_prompts, wait_for_screen

pytestmark = pytest.mark.slow


async def test_the_offer_to_queue_closes_when_the_agent_moves_on(tmux, tmp_path):
    log = tmp_path / "api.jsonl"
    pane = await tmux.start(fake_agent_argv("codex", log, work=0.3), cwd=str(REPO),
                            session="api", env={"PYTHONPATH": str(REPO)}, width=100, height=30)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    await tmux.send_text(pane.pane_id, "clean up [approve terraform destroy]")
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, "codex").state is State.APPROVAL)
    store = QueueStore(tmp_path / "data")
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="codex", target=pane.pane_id)],
                  store=store, journal=Journal(tmp_path / "data" / "journal.jsonl"),
                  settings=FleetSettings(idle_debounce=0.3))
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1, bell=False))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot_wait_until(pilot, lambda: (view := app.snapshot.get("api")) is not None
                               and view.status.state is State.APPROVAL, message="approval")
        await pilot.press("enter", *"stale words", "enter")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, AskScreen),
                               message="the offer")
        offer = app.screen
        assert "api" in offer.detail and "stale words" in offer.detail  # names both
        # Its own footer, drawn over the fleet's: `y` there is "Yes", not "Approve".
        footer_keys = {binding.description for (_, binding, _, _) in
                       offer.active_bindings.values()}
        assert "Approve" not in footer_keys and offer.query(Footer)

        await tmux.send_keys(pane.pane_id, "y")  # the person answers in the pane itself
        await pilot_wait_until(pilot, lambda: not isinstance(app.screen, AskScreen),
                               timeout=20, message="the offer withdrawn")
        await pilot.press("y")  # meant for whatever comes next: must not queue old text
        await pilot.pause()
    assert store.items("api") == []
    assert logged_prompts(log) == ["clean up [approve terraform destroy]"]
