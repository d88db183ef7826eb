"""Cost of agents on a host: their CLI's session records are read there, through the host's ssh
(a real OpenSSH on loopback, tests/sshd.py, whose sessions' HOME is the host's home), only the
bytes written since the last read, bounded, and priced with the code that prices this machine's.
The recorded real Claude Code transcript of tests/sessions/ is the host agent's record."""

from __future__ import annotations

import json
import pathlib
import shutil
from decimal import Decimal

import pytest

from orchestra_tui.commands.status import status_rows
from orchestra_tui.core.costs import summarize
from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.hosts import HostRouter
from orchestra_tui.services.tmux.service import TmuxService
from orchestra_tui.services.usage.reader import SessionUsageReader, claude_slug
from orchestra_tui.services.usage.remote import SessionRecordsError, SshSessionFiles
from tests.ssh_fixtures import SshHost, host_service, needs_sshd, remote_socket
from tests.test_fleet_costs import ONE_CALL, TRANSCRIPT, _later_call
from tests.test_hosts_fleet import gpu_with_api, orchestra, refresh_until, state
from tests.tmux_fixtures import REPO, start_fake_agent

pytestmark = [needs_sshd, pytest.mark.slow]


def place_transcript(home: pathlib.Path, folder: str = str(REPO), name: str = "") -> pathlib.Path:
    """The recorded transcript, where Claude Code on the host keeps a session in `folder`."""
    where = home / ".claude" / "projects" / claude_slug(folder)
    where.mkdir(parents=True, exist_ok=True)
    return pathlib.Path(shutil.copy(TRANSCRIPT, where / (name or TRANSCRIPT.name)))


def host_files(ssh_host: SshHost, remote: TmuxService) -> SshSessionFiles:
    runner = ssh_host.runner(socket_path=remote_socket(remote))
    return SshSessionFiles("gpu", runner.ssh_argv())


async def test_a_host_agent_shows_what_its_records_there_cost(
        tmux: TmuxService, remote_tmux: TmuxService, ssh_host: SshHost, tmp_path: pathlib.Path):
    transcript = place_transcript(ssh_host.home)
    await start_fake_agent(remote_tmux, "claude", tmp_path / "remote.jsonl", session="api")
    router = HostRouter(tmux, {"gpu": host_service(ssh_host, remote_tmux)}, deadline=10.0,
                        first_deadline=30.0, stale_after=30.0)
    # This machine's home has no records at all: the figures can only come from the host's.
    fleet = Fleet(router, [AgentSpec(name="gpu-api", tool="claude", target="api", host="gpu")],
                  store=QueueStore(tmp_path / "data"),
                  usage=SessionUsageReader(tmp_path / "empty-home"))
    try:
        await refresh_until(fleet, lambda s: state(s, "gpu-api") is State.IDLE, message="idle")
        costs = await fleet.refresh_usage()
        cost = costs["gpu-api"]
        assert cost.unknown == "" and cost.summary is not None, cost
        assert cost.summary.turns == 2 and cost.summary.cost == 2 * ONE_CALL
        (row,) = status_rows(fleet.snapshot)
        assert row["usage"]["turns"] == 2 and row["usage_unknown"] is None
        assert row["usage"]["cost_usd"] == pytest.approx(float(2 * ONE_CALL))

        with transcript.open("a", encoding="utf-8") as handle:  # the session goes on there
            handle.write(_later_call("msg_third"))
        cost = (await fleet.refresh_usage())["gpu-api"]
        assert cost.summary is not None and cost.summary.turns == 3
        assert cost.summary.cost == 3 * ONE_CALL

        ssh_host.stop()  # the host goes down: unknown, with the reason, and no traceback
        await refresh_until(fleet, lambda s: state(s, "gpu-api") is State.UNREACHABLE,
                            timeout=30, message="unreachable")
        cost = (await fleet.refresh_usage())["gpu-api"]
        assert cost.summary is None and cost.unknown.startswith("unreachable: host gpu: ")
        assert "connection refused" in cost.unknown and "\n" not in cost.unknown
        (row,) = status_rows(fleet.snapshot)
        assert row["usage"] is None and "connection refused" in row["usage_unknown"]
    finally:
        await fleet.wait_for_sends()
        await fleet.tmux.aclose()


async def test_a_growing_file_is_read_incrementally_over_ssh(
        remote_tmux: TmuxService, ssh_host: SshHost):
    transcript = place_transcript(ssh_host.home)
    files = host_files(ssh_host, remote_tmux)
    reader = SessionUsageReader(files=files)
    assert len(reader.records("claude", str(REPO))) == 2
    first = files.bytes_read
    assert first == transcript.stat().st_size  # the whole file, once

    line = _later_call("msg_third")
    with transcript.open("a", encoding="utf-8") as handle:
        handle.write(line[:40])  # a line still being written: waits for its newline
    assert len(reader.records("claude", str(REPO))) == 2
    with transcript.open("a", encoding="utf-8") as handle:
        handle.write(line[40:])
    records = reader.records("claude", str(REPO))
    assert [record.key for record in records][-1] == "msg_third"
    # Only the new bytes crossed the connection (the unfinished part twice), not the file.
    assert files.bytes_read - first == len(line) + 40
    assert reader.records("claude", str(REPO)) == records
    assert files.bytes_read - first == len(line) + 40  # nothing new: nothing read


async def test_a_hostile_file_on_the_host_breaks_nothing(
        remote_tmux: TmuxService, ssh_host: SshHost):
    name = "it's $(touch pwned) `touch pwned`; x.jsonl"  # the sessions start in the home
    hostile = place_transcript(ssh_host.home, name=name)
    chunk = 64 * 1024
    with hostile.open("ab") as handle:
        handle.write(b"not json at all\n\xff\xfe\x00 garbage \x1b[31m\n[1, 2]\n{}\n")
        handle.write(b'{"type":"assistant","message":' + b"x" * (5 * chunk) + b"\n")  # huge
        handle.write(_later_call("msg_after_the_huge_line").encode())
        handle.write(b'{"type":"assistant","message":{"id":"cut')  # never finished
    reader = SessionUsageReader(files=host_files(ssh_host, remote_tmux), chunk=chunk)
    keys = [record.key for record in reader.records("claude", str(REPO))]
    assert keys[-1] == "msg_after_the_huge_line" and len(keys) == 3
    assert not (ssh_host.home / "pwned").exists()
    summary = summarize(reader.records("claude", str(REPO)), day="2026-12-07")
    assert summary.turns == 3 and summary.cost == 3 * ONE_CALL


async def test_an_unreachable_host_is_one_line_not_a_traceback(
        remote_tmux: TmuxService, ssh_host: SshHost):
    place_transcript(ssh_host.home)
    reader = SessionUsageReader(files=host_files(ssh_host, remote_tmux))
    ssh_host.stop()
    with pytest.raises(SessionRecordsError) as failed:
        reader.records("claude", str(REPO))
    assert str(failed.value) == "host gpu: connection refused"


async def test_status_json_counts_an_agent_on_a_host(
        tmux: TmuxService, remote_tmux: TmuxService, ssh_host: SshHost, tmp_path: pathlib.Path):
    place_transcript(ssh_host.home)
    await start_fake_agent(remote_tmux, "claude", tmp_path / "remote.jsonl", session="api")
    config = tmp_path / "config.toml"
    config.write_text(gpu_with_api(ssh_host, remote_tmux).replace('tool = "codex"',
                                                                   'tool = "claude"'))
    status = orchestra("status", "--json", config=config, data=tmp_path / "data",
                       socket=tmux.runner.socket_name)
    assert status.returncode == 0, status.stderr
    (row,) = json.loads(status.stdout)
    assert (row["name"], row["host"], row["usage_unknown"]) == ("api", "gpu", None), row
    assert row["usage"]["turns"] == 2
    assert Decimal(str(row["usage"]["cost_usd"])) == 2 * ONE_CALL


async def test_the_report_counts_an_agent_on_a_host_from_its_records_there(
        tmux: TmuxService, remote_tmux: TmuxService, ssh_host: SshHost, tmp_path: pathlib.Path):
    place_transcript(ssh_host.home)
    config = tmp_path / "config.toml"
    config.write_text(gpu_with_api(ssh_host, remote_tmux).replace(
        'tool = "codex"', f'tool = "claude"\ncwd = "{REPO}"'))
    data = tmp_path / "data"
    Journal(data / "journal.jsonl").append("prompt_sent", "api", text="go on")
    done = orchestra("report", "--json", config=config, data=data,
                     socket=tmux.runner.socket_name)
    assert done.returncode == 0, done.stderr
    (api,) = [agent for agent in json.loads(done.stdout)["agents"] if agent["agent"] == "api"]
    assert api["cost"]["calls"] == 2, api
    assert Decimal(str(api["cost"]["cost_usd"])) == 2 * ONE_CALL

    ssh_host.stop()  # the host down: not counted, with the reason, in one line
    done = orchestra("report", "--json", config=config, data=data,
                     socket=tmux.runner.socket_name)
    assert done.returncode == 0, done.stderr
    (api,) = [agent for agent in json.loads(done.stdout)["agents"] if agent["agent"] == "api"]
    assert api["cost"]["unknown"] == ("its session records not read: host gpu: "
                                      "connection refused"), api
