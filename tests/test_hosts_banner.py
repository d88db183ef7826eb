"""A host whose shell prints a banner before running anything (an rc file's `echo`, a motd
script): orchestra reads its agents as they are, over the real sshd. The shell prints the
banner for every command here: sshd gives the session a HOME whose `.bashrc` echoes it (bash
run by sshd reads `.bashrc` even for a command), as a chatty `.bashrc` does."""

from __future__ import annotations

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.tmux.hosts import HostRouter
from tests.helpers import async_wait_until
from tests.ssh_fixtures import SSHD, SshHost, host_service
from tests.tmux_fixtures import logged_prompts, start_fake_agent

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(SSHD is None, reason="OpenSSH server is not installed")]


def _prompts(tmp_path) -> list[str]:
    log = tmp_path / "agent.jsonl"
    return logged_prompts(log) if log.exists() else []


@pytest.fixture
def chatty_host(tmp_path_factory):
    directory = tmp_path_factory.mktemp("chatty")
    host = SshHost(directory)
    (host.home / ".bashrc").write_text("echo 'Welcome to devbox! Last login: today'\n"
                                       "echo '%1 looks like a pane'\n")
    host.start()
    yield host
    host.stop()


@pytest.mark.parametrize("control", [False, True])
async def test_a_banner_before_tmux_output_is_not_read_as_it(tmux, remote_tmux, chatty_host,
                                                             tmp_path, control):
    there = await start_fake_agent(remote_tmux, "codex", tmp_path / "agent.jsonl",
                                   session="api")
    router = HostRouter(tmux, {"gpu": host_service(chatty_host, remote_tmux, control=control)},
                        deadline=10.0, first_deadline=30.0, stale_after=30.0)
    fleet = Fleet(router, [AgentSpec(name="api", tool="codex", target="api", host="gpu")],
                  settings=FleetSettings(idle_debounce=0.2))
    try:
        async def idle() -> bool:
            status = (await fleet.refresh()).get("api").status
            return status.state is State.IDLE and status.pane_id == f"gpu:{there.pane_id}"

        await async_wait_until(idle, timeout=30, interval=0.2, message="the host agent idle")
        # The send gate's fresh read of the pane (one ssh round trip) reads it too: a prompt
        # goes in, once.
        result = await fleet.send_now("api", "hello from afar")
        assert result.delivered
        async def arrived() -> bool:
            return _prompts(tmp_path) == ["hello from afar"]

        await async_wait_until(arrived, timeout=20, message="the prompt on the host")
        # The banner really is printed on this host: a plain command shows it.
        runner = chatty_host.runner("gpu", socket_path="/nonexistent")
        raw = await runner._ssh(runner.ssh_argv() + ["true"], input=None, timeout=10)
        assert "Welcome to devbox" in raw.stdout
    finally:
        await router.aclose()
