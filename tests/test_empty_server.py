"""A tmux server with no sessions left (its last agent retired while `exit-empty` is off): tmux
answers `list-panes -a` with "no current target" instead of an empty list. Found living in the
product: the whole fleet froze (every tick failed, hosts included), `orchestra status` crashed,
and a host's last retired agent stayed as an `unreachable` ghost."""

from __future__ import annotations

import sys

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.tmux.hosts import HostRouter
from orchestra_tui.services.tmux.service import ControlModeRunner, TmuxService
from tests.ssh_fixtures import SSHD, host_service


async def _emptied(tmux: TmuxService) -> None:
    """A server whose only session was killed but which stays up."""
    await tmux.start([sys.executable, "-c", "import time; time.sleep(60)"], session="last")
    await tmux.run("set-option", "-g", "exit-empty", "off")
    await tmux.run("kill-session", "-t", "=last")


@pytest.mark.parametrize("control", [False, True])
async def test_a_server_without_sessions_has_no_panes(tmux: TmuxService, control: bool):
    await _emptied(tmux)
    service = TmuxService(ControlModeRunner(tmux.runner)) if control else tmux
    try:
        assert await service.list_panes() == []
    finally:
        if control:
            await service.aclose()


async def test_an_emptied_local_server_leaves_the_fleet_ticking(tmux: TmuxService):
    pane = await tmux.start([sys.executable, "-c", "import time; time.sleep(60)"],
                            session="other")
    await tmux.run("kill-pane", "-t", pane.pane_id)  # the server's last pane: it would exit
    await _emptied(tmux)
    fleet = Fleet(tmux, [AgentSpec(name="w1", tool="claude", target=pane.pane_id)],
                  settings=FleetSettings())
    try:
        snapshot = await fleet.refresh()
        assert snapshot.tick_error is None and snapshot.tmux_error is None
        view = snapshot.get("w1")
        assert view is not None and view.status.state is State.EXITED
        current = fleet.current()  # what `orchestra status` prints
        assert [v.name for v in current.agents] == ["w1"]
    finally:
        fleet.close()


@pytest.mark.skipif(SSHD is None, reason="OpenSSH server (sshd) is not installed")
async def test_a_host_whose_last_agent_left_stays_reachable_and_the_local_fleet_goes_on(
        tmux: TmuxService, remote_tmux: TmuxService, ssh_host):
    local = await tmux.start([sys.executable, "-c", "import time; time.sleep(60)"],
                             session="api")
    await _emptied(remote_tmux)
    router = HostRouter(tmux, {"gpu": host_service(ssh_host, remote_tmux)}, deadline=10.0,
                        first_deadline=30.0, stale_after=30.0)
    fleet = Fleet(router, [AgentSpec(name="api", tool="claude", target=local.pane_id),
                           AgentSpec(name="w2", tool="claude", target="gpu:%0", host="gpu")],
                  settings=FleetSettings())
    try:
        snapshot = await fleet.refresh()
        assert snapshot.tick_error is None, snapshot.tick_error
        api, gone = snapshot.get("api"), snapshot.get("w2")
        assert api is not None and api.status.state is not State.UNREACHABLE
        assert gone is not None and gone.status.state is State.EXITED, gone.status
    finally:
        fleet.close()
        await router.aclose()
