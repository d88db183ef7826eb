"""`a` (attach) wherever the person's terminal is: a client of the agents' own tmux server, a
client of another tmux server, or no tmux at all. A second tmux server plays the person's
terminal: its pane runs a real tmux client, or orchestra itself, driven by keys.

The bug: orchestra's own control-mode client is a client of the agents' server too, and a
`switch-client` naming no client moved it, so nothing visible happened anywhere."""

from __future__ import annotations

import sys
import uuid

import pytest

from orchestra_tui.core.attach import AttachWay
from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.models import AgentSpec
from orchestra_tui.services.tmux.runner import LocalTmuxRunner
from orchestra_tui.services.tmux.service import ControlModeRunner, TmuxService
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, start_fake_agent

pytestmark = pytest.mark.slow


@pytest.fixture
async def terminal():
    """The person's terminal: a tmux server of its own, 120x35."""
    service = TmuxService(LocalTmuxRunner(socket_name=f"orch-term-{uuid.uuid4().hex[:10]}",
                                          config_file="/dev/null"))
    yield service
    await service.kill_server()


async def _clients(tmux: TmuxService) -> list[tuple[str, str]]:
    """(control mode flag, session) of each client of the server."""
    listed = await tmux.run("list-clients", "-F", "#{client_control_mode} #{session_name}",
                            check=False)
    return [tuple(row.split(" ", 1)) for row in listed.stdout.splitlines() if row.strip()]


async def _people_on(tmux: TmuxService, session: str) -> bool:
    return ("0", session) in await _clients(tmux)


@pytest.fixture
async def controlled(tmux: TmuxService, tmp_path):
    """A fleet over the agents' server read through a control-mode client, as the app's is:
    that client is a client of the agents' server too."""
    await start_fake_agent(tmux, "codex", tmp_path / "api.jsonl", session="api")
    control = TmuxService(ControlModeRunner(tmux.runner))
    fleet = Fleet(control, [AgentSpec(name="api", tool="codex", target="api")])
    await fleet.refresh()
    await async_wait_until(lambda: _has_control_client(tmux), timeout=15,
                           message="orchestra's control-mode client attached")
    yield fleet
    await control.aclose()


async def _has_control_client(tmux: TmuxService) -> bool:
    return any(flag == "1" for flag, _ in await _clients(tmux))


async def test_inside_the_agents_server_the_persons_client_is_switched(
        tmux, terminal, controlled, tmp_path, monkeypatch):
    person = await tmux.start("exec cat", session="person", cwd=str(tmp_path))
    fleet = controlled
    await terminal.start(["env", "-u", "TMUX", *tmux.runner.argv(["attach", "-t", "person"])],
                         session="term", cwd=str(tmp_path), width=120, height=35)
    await async_wait_until(lambda: _people_on(tmux, "person"), timeout=15,
                           message="the person's client on orchestra's session")
    monkeypatch.setenv("TMUX", f"{await tmux.server_socket()},1,0")
    monkeypatch.setenv("TMUX_PANE", person.pane_id)
    found = await fleet.attach("api")
    assert found.way is AttachWay.SWITCHED and found.detach == "ctrl+b d"
    await async_wait_until(lambda: _people_on(tmux, "api"), timeout=15,
                           message="the person's client now on the agent's session")
    assert not await _people_on(tmux, "person")


async def test_inside_another_tmux_a_window_there_runs_the_attach(
        tmux, terminal, controlled, tmp_path, monkeypatch):
    fleet = controlled
    mine = await terminal.start("exec cat", session="mine", cwd=str(tmp_path))
    monkeypatch.setenv("TMUX", f"{await terminal.server_socket()},1,0")
    monkeypatch.setenv("TMUX_PANE", mine.pane_id)
    monkeypatch.setenv("TMUX_TMPDIR", "/tmp")
    found = await fleet.attach("api")
    assert found.way is AttachWay.OPENED
    # The window in the person's tmux is a client of the agents' server, on the agent.
    await async_wait_until(lambda: _people_on(tmux, "api"), timeout=15,
                           message="the new window attached to the agent")
    windows = await terminal.run("list-windows", "-a", "-F", "#{window_name}")
    assert "api" in windows.stdout.split()


async def test_outside_tmux_the_app_steps_aside_and_comes_back_on_detach(
        tmux, terminal, tmp_path):
    """The real app in a plain terminal (TMUX unset), driven by keys: `a` shows the agent's
    pane in the same terminal; ctrl+b d brings orchestra back."""
    await start_fake_agent(tmux, "codex", tmp_path / "api.jsonl", session="api")
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "api"\ntool = "codex"\ntarget = "api"\n')
    app = [sys.executable, "-m", "orchestra_tui", "--config", str(config),
           "-L", tmux.runner.socket_name, "--data-dir", str(tmp_path / "data")]
    pane = await terminal.start(
        ["env", "-u", "TMUX", "-u", "TMUX_PANE", f"PYTHONPATH={REPO}", *app],
        session="term", cwd=str(REPO), width=120, height=35)

    async def showing(text: str) -> bool:
        return text in (await terminal.capture([pane.pane_id])).get(pane.pane_id, "")

    await async_wait_until(lambda: showing("Approve"), timeout=30, message="the app")
    await async_wait_until(lambda: showing("idle"), timeout=30, message="api read idle")
    await terminal.send_keys(pane.pane_id, "a")
    await async_wait_until(lambda: _people_on(tmux, "api"), timeout=20,
                           message="this terminal attached to the agent")
    await async_wait_until(lambda: showing("? for shortcuts"), timeout=15,
                           message="the agent's own screen in the terminal")
    assert not await showing("Approve")  # orchestra stepped aside
    await terminal.send_keys(pane.pane_id, "C-b", "d")
    await async_wait_until(lambda: showing("Approve"), timeout=20,
                           message="orchestra back after the detach")
    assert not await _people_on(tmux, "api")
