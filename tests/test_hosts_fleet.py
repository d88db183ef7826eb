"""One fleet over this machine's tmux and a host behind a real sshd on loopback: states over
ssh, byte-exact sends through the gate, the host going down (its agents unreachable, the local
one untouched, nothing typed, the queue waiting) and coming back (recovered, nothing sent twice),
a connection lost mid-send (uncertain, never retyped), restart on the host, and the CLI."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from orchestra_tui.commands.status import status_rows
from orchestra_tui.core.fleet.fleet import Fleet, FleetSnapshot
from orchestra_tui.core.sending.send_gate import SendRefused
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.hosts import HostRouter
from orchestra_tui.services.tmux.service import TmuxService
from orchestra_tui.services.tmux.ssh import ssh_control_runner
from tests.helpers import async_wait_until
from tests.ssh_fixtures import ALIAS, SshHost, host_service, needs_sshd, remote_socket
from tests.test_fake_agent import hostile_texts
from tests.tmux_fixtures import (
    REPO,
    fake_agent_argv,
    logged_prompts,
    start_fake_agent,
    wait_for_prompts,
)

pytestmark = [needs_sshd, pytest.mark.slow]


def make_fleet(local: TmuxService, host: TmuxService, specs: list[AgentSpec],
               data: pathlib.Path) -> Fleet:
    router = HostRouter(local, {"gpu": host}, deadline=10.0, first_deadline=30.0,
                        stale_after=30.0)
    store = QueueStore(data)
    journal = Journal(data / "journal.jsonl",
                      hosts={spec.name: spec.host for spec in specs if spec.host})
    return Fleet(router, specs, store=store, journal=journal)


def state(snapshot: FleetSnapshot, name: str) -> State:
    view = snapshot.get(name)
    assert view is not None, name
    return view.status.state


async def refresh_until(fleet: Fleet, predicate, *, timeout: float = 45.0,
                        message: str = "fleet state") -> FleetSnapshot:
    seen: list[FleetSnapshot] = []

    async def check() -> FleetSnapshot | None:
        snapshot = await fleet.refresh()
        assert snapshot.tick_error is None and snapshot.tmux_error is None, snapshot
        seen.append(snapshot)
        fleet.dispatch_ready()
        return snapshot if predicate(snapshot) else None

    try:
        return await async_wait_until(check, timeout=timeout, interval=0.25, message=message)
    except AssertionError as error:
        last = seen[-1] if seen else None
        rows = [(v.name, str(v.status.state), v.status.reason) for v in last.agents] if last else []
        raise AssertionError(f"{error}; last states: {rows}") from None


@pytest.fixture
async def world(tmux: TmuxService, remote_tmux: TmuxService, ssh_host: SshHost,
                tmp_path: pathlib.Path):
    """A Codex on the host (`gpu-api`) and one here (`local`), both idle."""
    remote_log, local_log = tmp_path / "remote.jsonl", tmp_path / "local.jsonl"
    there = await start_fake_agent(remote_tmux, "codex", remote_log, work=0.3, session="api")
    here = await start_fake_agent(tmux, "codex", local_log, work=0.3, session="local")
    specs = [AgentSpec(name="gpu-api", tool="codex", target="api", host="gpu",
                       command=" ".join(fake_agent_argv("codex", remote_log, work=0.3)),
                       cwd=str(REPO)),
             AgentSpec(name="local", tool="codex", target=here.pane_id)]
    fleet = make_fleet(tmux, host_service(ssh_host, remote_tmux), specs, tmp_path / "data")
    await refresh_until(fleet, lambda s: state(s, "gpu-api") is State.IDLE
                        and state(s, "local") is State.IDLE, message="both idle")
    yield fleet, there, remote_log, local_log
    await fleet.wait_for_sends()
    await fleet.tmux.aclose()


async def test_states_over_ssh_and_status_rows(world, remote_tmux: TmuxService):
    fleet, there, remote_log, _ = world
    rows = {row["name"]: row for row in status_rows(fleet.snapshot)}
    assert rows["gpu-api"]["host"] == "gpu" and rows["local"]["host"] is None
    assert rows["gpu-api"]["pane_id"] == f"gpu:{there.pane_id}"

    assert (await fleet.send_now("gpu-api", "[approve] deploy the api")).delivered
    await refresh_until(fleet, lambda s: state(s, "gpu-api") is State.APPROVAL,
                        message="approval over ssh")
    await fleet.answer("gpu-api", approve=True)
    await refresh_until(fleet, lambda s: state(s, "gpu-api") is State.IDLE
                        and state(s, "local") is State.IDLE, message="answered, idle again")
    assert logged_prompts(remote_log) == ["[approve] deploy the api"]
    events = fleet.journal.read(agent="gpu-api", events=["prompt_sent", "approval"])
    assert [e["event"] for e in events] == ["prompt_sent", "approval"]
    assert all(e["host"] == "gpu" for e in events)
    assert all("host" not in e for e in fleet.journal.read(agent="local"))


async def test_hostile_prompts_reach_the_host_byte_exact_once(world, tmp_path: pathlib.Path):
    fleet, _there, remote_log, _ = world
    marker = tmp_path / "pwned"
    texts = hostile_texts(marker)
    for number, text in enumerate(texts, 1):
        result = await fleet.send_now("gpu-api", text)
        assert result.delivered and result.enter_presses == 1, (text[:40], result)
        await wait_for_prompts(remote_log, number, timeout=30)
        await refresh_until(fleet, lambda s: state(s, "gpu-api") is State.IDLE,
                            message="idle after a hostile prompt")
    assert logged_prompts(remote_log) == texts
    assert not marker.exists()


async def test_host_down_then_up(world, ssh_host: SshHost):
    fleet, _there, remote_log, local_log = world
    ssh_host.stop()
    down = await refresh_until(fleet, lambda s: state(s, "gpu-api") is State.UNREACHABLE,
                               timeout=30, message="unreachable once sshd is gone")
    reason = down.get("gpu-api").status.reason
    assert reason.startswith("unreachable: host gpu:") and "\n" not in reason
    assert state(down, "local") is State.IDLE

    await fleet.enqueue("gpu-api", "queued while the host was down")
    with pytest.raises(SendRefused) as refused:
        await fleet.send_now("gpu-api", "typed while the host was down")
    assert str(refused.value).startswith("gpu-api is unreachable: not sent (host gpu:")
    for _ in range(3):
        snapshot = await fleet.refresh()
        assert fleet.dispatch_ready() == [] and state(snapshot, "local") is State.IDLE
    # The local agent goes on while the host is down.
    assert (await fleet.send_now("local", "local work goes on")).delivered
    await wait_for_prompts(local_log, 1)

    ssh_host.start()
    await refresh_until(fleet, lambda s: state(s, "gpu-api") is State.IDLE and all(
                        item.state == "sent" for item in fleet.store.items("gpu-api")), timeout=60,
                        message="recovered and the queued prompt sent")
    await wait_for_prompts(remote_log, 1, timeout=30)
    await refresh_until(fleet, lambda s: state(s, "gpu-api") is State.IDLE, message="idle")
    assert logged_prompts(remote_log) == ["queued while the host was down"]
    assert logged_prompts(local_log) == ["local work goes on"]


class _DropsBeforeEnter(TmuxService):
    """The host's service, whose connection drops right after the body went in and before
    Enter: sshd and its sessions are stopped there, for real."""

    def __init__(self, runner, host: SshHost) -> None:
        super().__init__(runner)
        self.host = host
        self.armed = False

    async def send_keys(self, pane_id: str, *keys: str) -> None:
        if self.armed and keys == ("Enter",):
            self.armed = False
            self.host.stop()
        await super().send_keys(pane_id, *keys)


async def test_a_send_cut_off_midway_is_uncertain_and_never_retyped(
        tmux: TmuxService, remote_tmux: TmuxService, ssh_host: SshHost, tmp_path: pathlib.Path):
    log = tmp_path / "remote.jsonl"
    there = await start_fake_agent(remote_tmux, "codex", log, session="api")
    runner = ssh_control_runner(ssh_host.runner(socket_path=remote_socket(remote_tmux)),
                                retry_after=1.0)
    host = _DropsBeforeEnter(runner, ssh_host)
    fleet = make_fleet(tmux, host, [AgentSpec(name="gpu-api", tool="codex", target="api",
                                              host="gpu")], tmp_path / "data")
    try:
        await refresh_until(fleet, lambda s: state(s, "gpu-api") is State.IDLE, message="idle")
        item = await fleet.enqueue("gpu-api", "half sent")
        host.armed = True
        await refresh_until(fleet, lambda s: fleet.store.get(item.id).state == "uncertain",
                            message="the cut-off send marked uncertain")
        ssh_host.start()
        await refresh_until(fleet, lambda s: state(s, "gpu-api") is State.IDLE, timeout=60,
                            message="recovered")
        for _ in range(8):  # several ticks with dispatch: the uncertain item is not retyped
            await fleet.refresh()
            assert fleet.dispatch_ready() == []
        assert fleet.store.get(item.id).state == "uncertain"
        screen = (await remote_tmux.capture([there.pane_id]))[there.pane_id]
        assert screen.count("half sent") == 1 and logged_prompts(log) == []
    finally:
        await fleet.wait_for_sends()
        await fleet.tmux.aclose()


async def test_restart_on_the_host_respawns_there_and_sends_the_handoff(world):
    fleet, there, remote_log, _ = world
    outcome = await fleet.restart("gpu-api", "handoff: carry on with the api")
    assert outcome.respawned and outcome.handoff_sent, outcome.summary
    assert outcome.pane_id == f"gpu:{there.pane_id}"
    await wait_for_prompts(remote_log, 1, timeout=30)
    assert logged_prompts(remote_log) == ["handoff: carry on with the api"]
    restart = fleet.journal.read(agent="gpu-api", events=["restart"])
    assert restart[-1]["host"] == "gpu"


def gpu_with_api(ssh_host: SshHost, remote: TmuxService, more: str = "") -> str:
    """A config with the host `gpu` (`more` adds to its table) and its agent `api`."""
    return (f'[[host]]\nname = "gpu"\nssh = "{ALIAS}"\n'
            f'ssh_options = ["-F", "{ssh_host.client_config}"]\n'
            f'socket_path = "{remote_socket(remote)}"\n{more}\n'
            '[[agent]]\nname = "api"\nhost = "gpu"\ntarget = "api"\ntool = "codex"\n')


def orchestra(*args: str, config: pathlib.Path, data: pathlib.Path,
              socket: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "orchestra_tui", *args, "--config", str(config),
                           "--data-dir", str(data), "-L", socket],
                          capture_output=True, text=True, timeout=120, env=env, cwd=REPO)


async def test_the_cli_with_a_host_as_a_new_user_tries_it(
        tmux: TmuxService, remote_tmux: TmuxService, ssh_host: SshHost, tmp_path: pathlib.Path):
    remote_log, local_log = tmp_path / "remote.jsonl", tmp_path / "local.jsonl"
    await start_fake_agent(remote_tmux, "codex", remote_log, session="api")
    await start_fake_agent(tmux, "codex", local_log, session="web")
    config = tmp_path / "config.toml"
    config.write_text(gpu_with_api(ssh_host, remote_tmux) + """
[[agent]]
name = "web"
target = "web"
tool = "codex"
""")
    run = {"config": config, "data": tmp_path / "data", "socket": tmux.runner.socket_name}

    status = orchestra("status", "--json", **run)
    assert status.returncode == 0, status.stderr
    rows = {row["name"]: row for row in json.loads(status.stdout)}
    assert (rows["api"]["host"], rows["api"]["state"]) == ("gpu", "idle")
    assert (rows["web"]["host"], rows["web"]["state"]) == (None, "idle")

    sent = orchestra("send", "api", "it's $(whoami); `id` \t🚀", **run)
    assert sent.returncode == 0 and sent.stdout.strip() == "sent to api", sent.stderr
    assert await wait_for_prompts(remote_log, 1, timeout=30) == ["it's $(whoami); `id` \t🚀"]

    ssh_host.stop()
    refused = orchestra("send", "api", "not now", **run)
    assert refused.returncode == 1 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "api is unreachable: not sent (host gpu: connection refused)" in refused.stderr
    table = orchestra("status", **run)
    assert table.returncode == 0, table.stderr
    assert "HOST" in table.stdout.splitlines()[0]
    api_line = next(line for line in table.stdout.splitlines() if line.startswith("api "))
    assert " gpu " in api_line and "unreachable" in api_line
    web_line = next(line for line in table.stdout.splitlines() if line.startswith("web "))
    assert " local " in web_line and " idle " in web_line
    assert logged_prompts(remote_log) == ["it's $(whoami); `id` \t🚀"]


async def test_status_waits_for_a_slow_host_instead_of_saying_unknown(
        tmux: TmuxService, remote_tmux: TmuxService, ssh_host: SshHost, tmp_path: pathlib.Path):
    # Every tmux command on the host takes 2.5 s (a far machine, a loaded one): longer than
    # the app's 1 s tick deadline, which a one-shot command has no reason to keep.
    slow_tmux = tmp_path / "slow-tmux"
    slow_tmux.write_text("#!/bin/sh\nsleep 2.5\nexec tmux \"$@\"\n")
    slow_tmux.chmod(0o755)
    await start_fake_agent(remote_tmux, "codex", tmp_path / "remote.jsonl", session="api")
    config = tmp_path / "config.toml"
    config.write_text(gpu_with_api(ssh_host, remote_tmux, f'tmux = "{slow_tmux}"\n'))

    status = orchestra("status", "--json", config=config, data=tmp_path / "data",
                       socket=tmux.runner.socket_name)

    assert status.returncode == 0, status.stderr
    [row] = json.loads(status.stdout)
    assert (row["name"], row["host"], row["state"]) == ("api", "gpu", "idle"), row
