"""The app toasts what needs the person once per occurrence, never again on later polls or
changes (issue 20, item 5).

The real app over a real fleet polling real tmux, a simulated agent doing the work: forbidden
commands it runs become alerts, a permission dialog it opens is a state that needs the person.
Every poll brings a new snapshot and the agent's screen keeps changing; the toasts are counted.
"""

from __future__ import annotations

import pytest

from orchestra_tui.agents import classify
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from tests.helpers import pilot_wait_until
from tests.tmux_fixtures import start_fake_agent, wait_for_screen

pytestmark = pytest.mark.slow

PUSH = "git push origin main --no-verify"
APPLY = "kubectl apply -f k8s/"


def _app(tmux, tmp_path, pane) -> OrchestraApp:
    data = tmp_path / "data"
    store = QueueStore(data)
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="codex", target=pane.pane_id)],
                  store=store, journal=Journal(data / "journal.jsonl"),
                  settings=FleetSettings(idle_debounce=0.2))
    return OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1, bell=False))


def _toasts(app, title: str) -> list[str]:
    return [toast.message for toast in app._notifications if toast.title == title]


async def _polls(pilot, app, count: int) -> None:
    """Wait until the app has taken `count` more snapshots from the poll loop."""
    seen: list[float] = [app.snapshot.at]

    def newer() -> bool:
        if app.snapshot.at != seen[-1]:
            seen.append(app.snapshot.at)
        return len(seen) > count

    await pilot_wait_until(pilot, newer, timeout=20, message=f"{count} polls")


async def test_each_alert_is_toasted_once_however_often_the_agent_changes(tmux, tmp_path):
    pane = await start_fake_agent(tmux, "codex", tmp_path / "api.jsonl", work=0.3)
    app = _app(tmux, tmp_path, pane)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot_wait_until(pilot, lambda: (view := app.snapshot.get("api")) is not None
                               and view.status.state is State.IDLE, message="idle")
        await tmux.send_text(pane.pane_id, f"ship it [print • Ran {PUSH}]")
        await pilot_wait_until(pilot, lambda: _alerts(app) >= 2, timeout=20,
                               message="the push's alerts (to main, --no-verify)")
        await _polls(pilot, app, 5)
        assert len(_toasts(app, "api: alert")) == 2
        # The agent keeps working: new turns change its screen and its status.
        await tmux.send_text(pane.pane_id, "now the tests")
        await tmux.send_text(pane.pane_id, f"and deploy [print • Ran {APPLY}]")
        await pilot_wait_until(pilot, lambda: _alerts(app) >= 3, timeout=20,
                               message="the deploy's alert")
        await _polls(pilot, app, 5)
        alerts = app.snapshot.get("api").status.alerts
        toasts = _toasts(app, "api: alert")
    assert len(alerts) == 3 and PUSH in alerts[0] and APPLY in alerts[2], alerts
    # One toast per alert, in the order they came; none said again on a later change.
    assert toasts == [f"{text} (! to see its alerts)" for text in alerts], toasts


def _alerts(app) -> int:
    view = app.snapshot.get("api")
    return len(view.status.alerts) if view is not None else 0


async def test_a_dialog_is_toasted_once_per_time_it_opens(tmux, tmp_path):
    pane = await start_fake_agent(tmux, "codex", tmp_path / "api.jsonl", work=0.4)
    app = _app(tmux, tmp_path, pane)

    async def dialog_opens() -> None:
        await tmux.send_text(pane.pane_id, "check it [approve npm test]")
        await wait_for_screen(tmux, pane.pane_id,
                              lambda s: classify(s, "codex").state is State.APPROVAL,
                              message="the permission dialog")
        await pilot_wait_until(pilot, lambda: app.snapshot.get("api").status.state
                               is State.APPROVAL, message="approval in the app")
        await _polls(pilot, app, 8)  # it waits for the person for many polls

    async with app.run_test(size=(120, 35)) as pilot:
        await pilot_wait_until(pilot, lambda: (view := app.snapshot.get("api")) is not None
                               and view.status.state is State.IDLE, message="idle")
        await dialog_opens()
        assert len(_toasts(app, "api needs approval")) == 1
        await tmux.send_keys(pane.pane_id, "y")  # answered in the pane; the turn ends
        await pilot_wait_until(pilot, lambda: app.snapshot.get("api").status.state
                               is State.IDLE, timeout=20, message="idle again")
        await _polls(pilot, app, 3)
        await dialog_opens()  # another dialog: another occurrence
        toasts = _toasts(app, "api needs approval")
    assert toasts == ["y approves, n denies, a shows its pane"] * 2
