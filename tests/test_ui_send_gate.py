"""The send gate in the person's hands: the real app over a real fleet, an agent in a real
tmux pane showing its permission dialog. Send now and the policy reminder type nothing into the
dialog; the app says why and offers to queue the text, one key."""

from __future__ import annotations

import pytest

from orchestra_tui.agents import classify
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, QueueItemState, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.ask import AskScreen
from tests.helpers import pilot_wait_until
from tests.tmux_fixtures import (
    REPO,
    fake_agent_argv,
    logged_prompts,
    screen,
    wait_for_screen,
)

pytestmark = pytest.mark.slow


async def test_send_now_and_p_into_a_dialog_type_nothing_and_offer_the_queue(tmux, tmp_path):
    log = tmp_path / "api.jsonl"
    pane = await tmux.start(fake_agent_argv("codex", log, work=0.2), cwd=str(REPO),
                            session="api", env={"PYTHONPATH": str(REPO)}, width=100, height=30)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    await tmux.send_text(pane.pane_id, "clean up [approve terraform destroy]")
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, "codex").state is State.APPROVAL)
    store = QueueStore(tmp_path / "data")
    store.load()
    journal = Journal(tmp_path / "data" / "journal.jsonl")
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="codex", target=pane.pane_id,
                                   policy="Terraform runs only from CI.")],
                  store=store, journal=journal, settings=FleetSettings(idle_debounce=0.3))
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1, bell=False))
    before = await screen(tmux, pane.pane_id)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot_wait_until(pilot, lambda: (view := app.snapshot.get("api")) is not None
                               and view.status.state is State.APPROVAL,
                               message="api in approval")
        await pilot.press("enter", *"stop", "enter")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, AskScreen),
                               message="the refusal")
        assert app.screen.question.startswith("api needs approval: not sent")
        await pilot.press("y")  # queue it instead
        await pilot_wait_until(pilot, lambda: [i.text for i in store.items("api")] == ["stop"],
                               message="the prompt queued")
        assert store.items("api")[0].state == QueueItemState.QUEUED

        await pilot.press("P")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, AskScreen),
                               message="the refusal of P")
        await pilot.press("n")  # not queued either
        await pilot_wait_until(pilot, lambda: not isinstance(app.screen, AskScreen),
                               message="the question gone")
        assert [i.text for i in store.items("api")] == ["stop"]
    assert await screen(tmux, pane.pane_id) == before  # the dialog got no byte
    assert logged_prompts(log) == ["clean up [approve terraform destroy]"]
    assert journal.read(events=("prompt_sent",)) == []
    assert [e["source"] for e in journal.read(events=("send_refused",))] == ["person", "policy"]


async def test_a_prompt_starting_with_bang_is_refused_with_no_offer_to_queue(tmux, tmp_path):
    """`!touch BANG` to an idle agent: nothing typed, the toast says why, and no offer to
    queue it (no state of the agent's would let it go)."""
    log = tmp_path / "api.jsonl"
    pane = await tmux.start(fake_agent_argv("claude", log, work=0.2), cwd=str(REPO),
                            session="api", env={"PYTHONPATH": str(REPO)}, width=100, height=30)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    store = QueueStore(tmp_path / "data")
    store.load()
    journal = Journal(tmp_path / "data" / "journal.jsonl")
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="claude", target=pane.pane_id)],
                  store=store, journal=journal, settings=FleetSettings(idle_debounce=0.3))
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1, bell=False))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot_wait_until(pilot, lambda: (view := app.snapshot.get("api")) is not None
                               and view.status.state is State.IDLE, message="api idle")
        await pilot.press("enter", *"!touch BANG", "enter")
        await pilot_wait_until(pilot, lambda: journal.read(events=("send_refused",)),
                               message="the refusal journaled")
        await pilot.pause()
        assert not isinstance(app.screen, AskScreen)
        toasts = [n.message for n in app._notifications]
        assert any('starts with "!"' in text for text in toasts), toasts
    assert store.items("api") == []
    assert logged_prompts(log) == []
    assert not (REPO / "BANG").exists()
