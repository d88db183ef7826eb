"""tmux over a real OpenSSH server on loopback: the ssh runner's commands and byte-exact stdin,
its failures as one-line reasons (never a prompt or a hang), the control-mode client over ssh,
and the router that makes the local server and a host one tmux."""

from __future__ import annotations

import asyncio
import os
import pathlib
import stat

import pytest

from orchestra_tui.errors import TmuxUnavailable
from orchestra_tui.services.tmux.control import ControlModeRunner
from orchestra_tui.services.tmux.hosts import HostRouter
from orchestra_tui.services.tmux.service import TmuxService, escape_arg
from orchestra_tui.services.tmux.ssh import HostUnreachable, SshTmuxRunner
from tests.helpers import async_wait_until
from tests.ssh_fixtures import (
    ALIAS,
    SshHost,
    free_port,
    host_service,
    keygen,
    needs_sshd,
    remote_socket,
)
from tests.test_fake_agent import hostile_texts
from tests.tmux_fixtures import wait_for_screen

pytestmark = [needs_sshd, pytest.mark.slow]
HANG_GUARD = 60  # a failing host must answer well within this: ssh never waits on a person


async def test_commands_and_stdin_reach_the_host_byte_exact(
        ssh_host: SshHost, remote_tmux: TmuxService, tmp_path: pathlib.Path):
    pane = await remote_tmux.start("exec cat", session="work", cwd=str(tmp_path))
    runner = ssh_host.runner(socket_path=remote_socket(remote_tmux))
    over_ssh = TmuxService(runner)

    assert [p.pane_id for p in await over_ssh.list_panes()] == [pane.pane_id]
    marker = tmp_path / "pwned"
    for text in hostile_texts(marker):
        # As an argument: through the remote shell's quoting and tmux's parser.
        single_line = text.replace("\n", " ")
        await over_ssh.run("set-buffer", "-b", "arg", "--", escape_arg(single_line))
        shown = await over_ssh.run("show-buffer", "-b", "arg")
        assert shown.stdout == single_line
        # Through ssh's stdin, as the send recipe's paste does.
        await over_ssh.run("load-buffer", "-b", "paste", "-", input=text.encode())
        assert (await over_ssh.run("show-buffer", "-b", "paste")).stdout == text
    assert not marker.exists()

    result = await over_ssh.send_text(pane.pane_id, "héllo 🚀 'x' $(y);", submit=False)
    assert result.delivered
    await wait_for_screen(over_ssh, pane.pane_id, lambda s: "héllo 🚀 'x' $(y);" in s,
                          message="text typed over ssh")


async def test_the_control_client_reads_the_host_over_one_ssh(
        ssh_host: SshHost, remote_tmux: TmuxService, tmp_path: pathlib.Path):
    pane = await remote_tmux.start("printf 'ready\\n'; exec cat", session="ctl",
                                   cwd=str(tmp_path))
    service = host_service(ssh_host, remote_tmux)
    try:
        assert isinstance(service.runner, ControlModeRunner)
        screens = await async_wait_until(
            lambda: service.capture([pane.pane_id]), message="a capture over ssh")
        assert "ready" in screens[pane.pane_id]
        for _ in range(5):
            assert [p.pane_id for p in await service.list_panes()] == [pane.pane_id]
        assert service.runner.control_commands >= 5
        client = service.runner.client_pid
        assert client is not None
        assert pathlib.Path(f"/proc/{client}/comm").read_text().strip() == "ssh"
    finally:
        await service.aclose()


async def test_a_host_refusing_the_key_is_a_clear_error_not_a_prompt(
        ssh_host: SshHost, remote_tmux: TmuxService, tmp_path: pathlib.Path):
    await remote_tmux.start("exec cat", session="work", cwd=str(tmp_path))
    stranger = keygen(tmp_path / "not_authorized")
    config = ssh_host.write_client_config("wrong_key", stranger)
    # The person's options try to allow prompts; orchestra's BatchMode comes first and wins.
    runner = SshTmuxRunner("gpu", ALIAS, ssh_options=["-o", "BatchMode=no", "-F", str(config)],
                           socket_path=remote_socket(remote_tmux))
    with pytest.raises(HostUnreachable) as caught:
        await asyncio.wait_for(runner.run(["list-panes"]), HANG_GUARD)
    message = str(caught.value)
    assert message.startswith("host gpu: authentication failed") and "\n" not in message
    assert "no password prompt" in message


async def test_an_unknown_host_key_is_a_clear_error_not_a_question(
        ssh_host: SshHost, remote_tmux: TmuxService, tmp_path: pathlib.Path):
    other = keygen(tmp_path / "other_host_key").with_suffix(".pub")
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{ssh_host.port} {other.read_text()}")
    changed = ssh_host.write_client_config("changed_key", ssh_host.client_key,
                                           known_hosts=str(known), strict="ask")
    empty = ssh_host.write_client_config("unknown_key", ssh_host.client_key,
                                         known_hosts=str(tmp_path / "none"), strict="ask")
    for config in (changed, empty):
        runner = SshTmuxRunner("gpu", ALIAS, ssh_options=["-F", str(config)],
                               socket_path=remote_socket(remote_tmux),
                               control_path=str(tmp_path / f"cm-{config.name}"))
        with pytest.raises(HostUnreachable, match=r"^host gpu: host key not verified"):
            await asyncio.wait_for(runner.run(["list-panes"]), HANG_GUARD)


async def test_refused_and_missing_tmux_say_so(ssh_host: SshHost, remote_tmux: TmuxService,
                                               tmp_path: pathlib.Path):
    nobody = SshTmuxRunner("gpu", "127.0.0.1", ssh_options=[
        "-p", str(free_port()), "-o", "StrictHostKeyChecking=no",
        "-o", "UserKnownHostsFile=/dev/null", "-F", "/dev/null"])
    with pytest.raises(HostUnreachable, match=r"^host gpu: connection refused$"):
        await asyncio.wait_for(nobody.run(["list-panes"]), HANG_GUARD)

    no_tmux = SshTmuxRunner("gpu", ALIAS, ssh_options=ssh_host.ssh_options,
                            tmux=str(tmp_path / "no-such-tmux"))
    with pytest.raises(HostUnreachable, match="is not installed there"):
        await asyncio.wait_for(no_tmux.run(["list-panes"]), HANG_GUARD)

    no_server = ssh_host.runner(socket_path="/tmp/orch-no-such-server")
    with pytest.raises(TmuxUnavailable, match="no tmux server running on host gpu"):
        await asyncio.wait_for(no_server.run(["list-panes"]), HANG_GUARD)


def router_over(local: TmuxService, host: TmuxService, **timing) -> HostRouter:
    options = {"deadline": 10.0, "first_deadline": 30.0, "stale_after": 30.0, **timing}
    return HostRouter(local, {"gpu": host}, **options)


async def test_the_router_makes_one_tmux_of_the_local_server_and_a_host(
        tmux: TmuxService, ssh_host: SshHost, remote_tmux: TmuxService, tmp_path: pathlib.Path):
    here = await tmux.start("printf 'local side\\n'; exec cat", session="work",
                            cwd=str(tmp_path))
    there = await remote_tmux.start("printf 'remote side\\n'; exec cat", session="work",
                                    cwd=str(tmp_path))
    router = router_over(tmux, host_service(ssh_host, remote_tmux))
    try:
        panes = {pane.pane_id: pane for pane in await router.list_panes()}
        remote_id = f"gpu:{there.pane_id}"
        assert set(panes) == {here.pane_id, remote_id}
        assert (panes[here.pane_id].host, panes[remote_id].host) == ("", "gpu")
        assert router.host_errors == {}

        screens = await router.capture([here.pane_id, remote_id, "gpu:%999"])
        assert "local side" in screens[here.pane_id] and "remote side" in screens[remote_id]
        assert set(screens) == {here.pane_id, remote_id}  # a pane that is gone is left out
        pane, screen = await router.read_pane(remote_id)
        assert pane.pane_id == remote_id and pane.host == "gpu" and "remote side" in screen
        assert (await router.pane_info(remote_id)).session_name == "work"

        await router.send_keys(remote_id, "x", "y", "Enter")
        await wait_for_screen(remote_tmux, there.pane_id, lambda s: "xy\nxy" in s,
                              message="keys typed over ssh")
        fresh = await router.start("exec cat", host="gpu", session="new", cwd=str(tmp_path))
        assert fresh.pane_id.startswith("gpu:%") and fresh.host == "gpu"
        assert fresh.pane_id.removeprefix("gpu:") in {
            p.pane_id for p in await remote_tmux.list_panes()}
        assert "attach-session" in router.attach_command(remote_id)
        assert ALIAS in router.attach_argv(remote_id) and "-t" in router.attach_argv(remote_id)
    finally:
        await router.aclose()


async def test_attach_opens_ssh_in_a_new_window_of_the_persons_tmux(
        tmux: TmuxService, ssh_host: SshHost, remote_tmux: TmuxService, tmp_path: pathlib.Path,
        monkeypatch: pytest.MonkeyPatch):
    await tmux.start("exec cat", session="person", cwd=str(tmp_path))
    there = await remote_tmux.start("exec cat", session="work", cwd=str(tmp_path))
    socket = await tmux.server_socket()
    monkeypatch.setenv("TMUX", f"{socket},1,0")  # orchestra runs inside the person's tmux
    router = router_over(tmux, host_service(ssh_host, remote_tmux))
    try:
        assert await router.switch_client(f"gpu:{there.pane_id}")

        async def attached() -> bool:
            clients = await remote_tmux.run("list-clients", "-F", "#{client_tty}", check=False)
            return bool(clients.stdout.strip())

        await async_wait_until(attached, timeout=30, message="ssh -t attached to the host")
        commands = [pane.current_command for pane in await tmux.list_panes()]
        assert "ssh" in commands
    finally:
        await router.aclose()


async def test_a_slow_host_keeps_its_last_answer_and_holds_up_no_one(
        tmux: TmuxService, ssh_host: SshHost, remote_tmux: TmuxService, tmp_path: pathlib.Path):
    slow_flag = tmp_path / "slow"
    wrapper = tmp_path / "slow-tmux"
    wrapper.write_text(f"#!/bin/sh\n[ -e {slow_flag} ] && sleep 8\nexec tmux \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    here = await tmux.start("exec cat", session="work", cwd=str(tmp_path))
    there = await remote_tmux.start("exec cat", session="work", cwd=str(tmp_path))
    runner = SshTmuxRunner("gpu", ALIAS, ssh_options=ssh_host.ssh_options,
                           socket_path=remote_socket(remote_tmux), tmux=str(wrapper))
    router = router_over(tmux, TmuxService(runner), deadline=2.0, stale_after=60.0)
    try:
        first = {pane.pane_id for pane in await router.list_panes()}
        assert first == {here.pane_id, f"gpu:{there.pane_id}"}

        slow_flag.touch()
        later = await tmux.start("exec cat", session="later", cwd=str(tmp_path))
        panes = {pane.pane_id for pane in await router.list_panes()}
        # The host had not answered by its deadline: it is slow, keeps its last answer, and
        # the local server's news came through anyway.
        assert router.slow_hosts == {"gpu"} and router.host_errors == {}
        assert panes == first | {later.pane_id}
        again = {pane.pane_id for pane in await router.list_panes()}
        assert again == panes  # not waited for again while its answer is outstanding
        # Its screens are not waited for either: they come from a background capture later.
        both = [here.pane_id, f"gpu:{there.pane_id}"]
        assert set(await router.capture(both)) == {here.pane_id}

        async def served() -> bool:
            return set(await router.capture(both)) == set(both)

        await async_wait_until(served, timeout=60, interval=0.3, message="late screens served")

        os.unlink(slow_flag)

        async def caught_up() -> bool:
            await router.list_panes()
            return not router.slow_hosts

        await async_wait_until(caught_up, timeout=60, interval=0.3, message="host caught up")
    finally:
        await router.aclose()
