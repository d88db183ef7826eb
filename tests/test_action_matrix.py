"""Every action a person takes on an agent, by key in the real app (Pilot) over a real fleet,
in every way orchestra can know the agent's state (its screen alone; hooks that write
orchestra's hook log, as `hooks install` sets up; hooks that mark its pane, as orchestra
starts agents on a host) and wherever it runs (here; on a host over a real sshd). Each action
works, or is refused with its reason, and the agent's own log says what it received.

`y`/`n` have their own matrix (tests/test_answer_matrix.py); attach has tests/test_attach.py.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from orchestra_tui.agents import classify
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.hooks.log import HookLog
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.hosts import HostRouter
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.ask import AskScreen
from orchestra_tui.ui.screens.edit_prompt import EditPromptScreen
from tests.helpers import pilot_wait_until
from tests.ssh_fixtures import SSHD, host_service
from tests.test_answer_matrix import _hook_command
from tests.tmux_fixtures import REPO, fake_agent_argv, logged_prompts, wait_for_screen

pytestmark = pytest.mark.slow


@dataclass
class Case:
    fleet: Fleet
    agent_tmux: object  # the TmuxService the agent's pane is on (local or the host's)
    pane_id: str  # its id there
    log: object

    def prompts(self) -> list[str]:
        return logged_prompts(self.log)

    def view(self, app):
        return app.snapshot.get("api")


async def _start(agent_tmux, tmp_path, knowledge: str):
    data = tmp_path / "data"
    log = tmp_path / "agent.jsonl"
    argv = fake_agent_argv("claude", log, work=0.3)
    if hook := _hook_command(knowledge, data):
        argv += ["--hook", hook]
    pane = await agent_tmux.start(argv, cwd=str(REPO), session="api", width=110, height=32,
                                  env={"PYTHONPATH": str(REPO)})
    await wait_for_screen(agent_tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    return pane, data, log, argv


def _fleet(service, data, knowledge: str, argv: list[str], host: str = "") -> Fleet:
    store = QueueStore(data)
    store.load()
    spec = AgentSpec(name="api", tool="claude", target="api", host=host,
                     command=shlex.join(["env", f"PYTHONPATH={REPO}", *argv]), cwd=str(REPO))
    return Fleet(service, [spec], store=store, journal=Journal(data / "journal.jsonl"),
                 hooks=HookLog(data) if knowledge != "screen" else None,
                 settings=FleetSettings(idle_debounce=0.3))


async def _state(pilot, app, state: State, message: str) -> None:
    await pilot_wait_until(pilot, lambda: (view := app.snapshot.get("api")) is not None
                           and view.status.state is state, timeout=30, message=message)


async def _into(case: Case, text: str, state: State) -> None:
    """Put the agent in `state` by typing `text` into its own pane (as the person would)."""
    await case.agent_tmux.send_text(case.pane_id, text)
    await wait_for_screen(case.agent_tmux, case.pane_id,
                          lambda s: classify(s, "claude").state is state, message=str(state))


async def send_now(pilot, app, case: Case) -> None:
    await _state(pilot, app, State.IDLE, "idle")
    await pilot.press("enter", *"hello matrix", "enter")
    await pilot_wait_until(pilot, lambda: case.prompts() == ["hello matrix"], timeout=20,
                           message="the prompt received")


async def tab_queue(pilot, app, case: Case) -> None:
    await _into(case, "busy for a while [work 3]", State.WORKING)
    await _state(pilot, app, State.WORKING, "working")
    await pilot.press("enter", *"after the turn", "tab", "escape")
    await pilot_wait_until(pilot, lambda: len(case.prompts()) == 2, timeout=30,
                           message="the queued prompt sent after the turn")
    assert case.prompts() == ["busy for a while [work 3]", "after the turn"]
    [first, second] = [e for e in _log_entries(case.log)]
    assert second["arrived"] == "idle"  # sent once the turn was over, not typed mid-turn


async def interrupt(pilot, app, case: Case) -> None:
    await _into(case, "a long turn [work 60]", State.WORKING)
    await _state(pilot, app, State.WORKING, "working")
    await pilot.press("ctrl+c", "ctrl+c")
    await pilot_wait_until(pilot, lambda: "interrupted by you" in case.view(app).status.reason,
                           timeout=20, message="idle: interrupted by you")
    assert case.fleet.store.paused("api")  # its queue is held


async def kill(pilot, app, case: Case) -> None:
    await _state(pilot, app, State.IDLE, "idle")
    await pilot.press("K")
    await pilot_wait_until(pilot, lambda: isinstance(app.screen, AskScreen), message="asked")
    await pilot.press("y")
    await _state(pilot, app, State.EXITED, "exited after the kill")
    assert case.fleet.journal.read(events=("kill",))


async def restart(pilot, app, case: Case) -> None:
    await _state(pilot, app, State.IDLE, "idle")
    await pilot.press("R")
    await pilot_wait_until(pilot, lambda: isinstance(app.screen, EditPromptScreen),
                           timeout=20, message="the handoff editor")
    await pilot.press("ctrl+s")
    await pilot_wait_until(
        pilot, lambda: any(p.startswith("Handoff: you are agent api") for p in case.prompts()),
        timeout=60, message="the handoff received by the new session")
    await pilot_wait_until(pilot, lambda: case.fleet.journal.read(events=("restart",)),
                           timeout=20, message="the restart journaled")
    assert len(case.fleet.journal.read(events=("restart",))) == 1


async def nudge(pilot, app, case: Case) -> None:
    await _into(case, "call the api [error]", State.BLOCKED)
    await _state(pilot, app, State.BLOCKED, "blocked")
    await pilot.press("c")
    await pilot_wait_until(pilot, lambda: isinstance(app.screen, AskScreen), message="asked")
    await pilot.press("y")
    await pilot_wait_until(pilot, lambda: case.prompts()[-1:] == ["continue"], timeout=20,
                           message="continue received")


def _log_entries(log) -> list[dict]:
    import json

    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


ACTIONS: dict[str, Callable[..., Awaitable[None]]] = {
    "send_now": send_now, "tab_queue": tab_queue, "interrupt": interrupt, "kill": kill,
    "restart": restart, "nudge": nudge,
}


async def _play(fleet: Fleet, agent_tmux, pane_id: str, log, action: str) -> None:
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1, bell=False))
    case = Case(fleet, agent_tmux, pane_id, log)
    async with app.run_test(size=(120, 35)) as pilot:
        await ACTIONS[action](pilot, app, case)
    # Nothing was ever typed into a dialog or a shell: no refusal had anything typed.
    assert not [e for e in fleet.journal.read(events=("send_refused",)) if e.get("typed")]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("knowledge", ["screen", "hook_log", "pane_mark"])
async def test_each_action_here(tmux, tmp_path, knowledge, action):
    pane, data, log, argv = await _start(tmux, tmp_path, knowledge)
    await _play(_fleet(tmux, data, knowledge, argv), tmux, pane.pane_id, log, action)


@pytest.mark.skipif(SSHD is None, reason="OpenSSH server (sshd) is not installed")
@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("knowledge", ["screen", "pane_mark"])
async def test_each_action_on_a_host(tmux, remote_tmux, ssh_host, tmp_path, knowledge, action):
    pane, data, log, argv = await _start(remote_tmux, tmp_path, knowledge)
    router = HostRouter(tmux, {"gpu": host_service(ssh_host, remote_tmux)}, deadline=10.0,
                        first_deadline=30.0, stale_after=30.0)
    try:
        fleet = _fleet(router, data, knowledge, argv, host="gpu")
        await _play(fleet, remote_tmux, pane.pane_id, log, action)
    finally:
        await router.aclose()
