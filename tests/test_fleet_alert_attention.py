"""An agent that just ran a forbidden command needs the person even though it reads idle: it
sorts with the blocked and counts in "needs you" until the person looks at its alerts (`!`).
Real tmux, simulated agents; the alert comes from the pane as the fleet's poll reads it."""

from __future__ import annotations

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.helpers import async_wait_until
from tests.tmux_fixtures import start_fake_agent

pytestmark = pytest.mark.slow


async def test_an_unseen_alert_sorts_with_those_who_need_the_person(tmux, tmp_path):
    panes = {name: await start_fake_agent(tmux, "codex", tmp_path / f"{name}.jsonl",
                                          session=name, work=0.2)
             for name in ("alpha", "pusher")}
    data = tmp_path / "data"
    fleet = Fleet(tmux, [AgentSpec(name=name, tool="codex", target=pane.pane_id)
                         for name, pane in panes.items()],
                  store=QueueStore(data), journal=Journal(data / "journal.jsonl"),
                  settings=FleetSettings(idle_debounce=0.2))
    snapshot = await fleet.refresh()
    assert [view.name for view in snapshot.agents] == ["alpha", "pusher"]
    assert snapshot.needs_person == 0

    await tmux.send_text(panes["pusher"].pane_id,
                         "ship it [print • Ran git push origin main --no-verify]")

    async def alerted() -> bool:
        view = (await fleet.refresh()).get("pusher")
        return view.unseen_alerts > 0 and view.status.state is State.IDLE

    await async_wait_until(alerted, timeout=20, interval=0.1, message="the alert, idle after")
    snapshot = await fleet.refresh()
    assert [view.name for view in snapshot.agents] == ["pusher", "alpha"]
    assert snapshot.needs_person == 1

    fleet.alerts_seen("pusher")
    snapshot = await fleet.refresh()
    assert [view.name for view in snapshot.agents] == ["alpha", "pusher"]
    assert snapshot.needs_person == 0
    assert snapshot.get("pusher").status.alerts  # still listed, no longer calling
