"""A data dir that fails the fleet's own journal writes (read-only) is a state the snapshot
carries, said once, never an unretrieved task traceback; the agents keep being read."""

from __future__ import annotations

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.storage_faults import read_only
from tests.tmux_fixtures import start_fake_agent

pytestmark = pytest.mark.slow


async def test_a_read_only_data_dir_is_a_state_not_a_traceback(tmux, tmp_path, caplog):
    pane = await start_fake_agent(tmux, "codex", tmp_path / "agent.jsonl", session="api")
    data = tmp_path / "data"
    store = QueueStore(data)
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="codex", target=pane.pane_id)],
                  store=store, journal=Journal(data / "journal.jsonl"),
                  settings=FleetSettings(idle_debounce=0.2))
    with read_only(data):  # the journal cannot be created
        await fleet.refresh()  # journals the first state: the write fails in the background
        await fleet.settle()
        snapshot = await fleet.refresh()
    assert snapshot.get("api").status.state is State.IDLE
    assert snapshot.storage_problem and "journal.jsonl" in snapshot.storage_problem
    assert "Task exception was never retrieved" not in caplog.text
