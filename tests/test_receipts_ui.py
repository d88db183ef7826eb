"""`s` in the queue editor (`Q`) presses Enter again for an unsubmitted prompt: the real app
over a real fleet, the simulated agent in a real tmux pane swallowing the send recipe's Enter
presses. The editor shows the receipt; one key submits the text, never typing it again."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.sending.receipts import receipt_of
from orchestra_tui.models import AgentSpec
from orchestra_tui.receipt import ReceiptState
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.queue import QueueScreen
from tests.helpers import pilot_wait_until
from tests.test_receipts import RECIPE_PRESSES, start_agent
from tests.tmux_fixtures import logged_prompts

pytestmark = pytest.mark.slow


async def test_s_in_the_queue_editor_submits_an_unsubmitted_prompt(tmux, tmp_path):
    pane, log = await start_agent(tmux, tmp_path, "api", swallow=RECIPE_PRESSES, work=1.5)
    data = tmp_path / "data"
    store = QueueStore(data)
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="codex", target=pane.pane_id)],
                  store=store, journal=Journal(data / "journal.jsonl"),
                  settings=FleetSettings(idle_debounce=0.3))
    item = store.add("api", "summarise the failures")
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1, bell=False))

    def receipt() -> ReceiptState:
        return receipt_of(store.get(item.id), fleet.clock()).state

    async with app.run_test(size=(120, 35)) as pilot:
        await pilot_wait_until(pilot, lambda: receipt() is ReceiptState.UNSUBMITTED,
                               timeout=40, message="the prompt unsubmitted")
        await pilot.press("Q")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, QueueScreen),
                               message="the queue editor")
        table = app.screen.query_one(DataTable)
        await pilot_wait_until(
            pilot, lambda: str(table.get_row_at(0)[1]) == "unsubmitted",
            message="the editor shows the receipt")
        assert logged_prompts(log) == []
        await pilot.press("s")
        await pilot_wait_until(pilot, lambda: logged_prompts(log) == ["summarise the failures"],
                               timeout=15, message="submitted by one Enter")
        await pilot_wait_until(pilot, lambda: receipt() is ReceiptState.ANSWERED, timeout=30,
                               message="its turn answered")
        await pilot_wait_until(pilot, lambda: str(table.get_row_at(0)[1]) == "answered",
                               message="the editor shows it answered")
    assert logged_prompts(log) == ["summarise the failures"]
