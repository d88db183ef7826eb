"""Hooks that report through the agent's own tmux pane (`services/hooks/marks.py`), for agents
on a `[[host]]`: the hook line runs as the agent's hook would (its environment names the pane's
tmux server and pane), and the fleet reads the mark with its poll, here and over ssh. A mark
found at a first look counts as old as it is; orchestra starts a host's Claude Code and Codex
with these hooks."""

from __future__ import annotations

import asyncio
import os
import pathlib
import subprocess
import time
import tomllib

from orchestra_tui.config import parse_config
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.lifecycle.lifecycle import Lifecycle
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.hooks.install import HookProgram
from orchestra_tui.services.hooks.log import HookLog
from orchestra_tui.services.hooks.marks import MARK_OPTION, mark_args, mark_command
from orchestra_tui.services.store.agents_registry import AgentsRegistry
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.hosts import HostRouter
from orchestra_tui.services.tmux.service import TmuxService
from tests.helpers import async_wait_until
from tests.ssh_fixtures import SshHost, host_service, needs_sshd
from tests.tmux_fixtures import start_fake_agent


async def hook_fires(tmux: TmuxService, pane_id: str, event: str) -> None:
    """Run the hook line for `event` as the agent's hook would: in the agent's environment,
    which names its tmux server ($TMUX) and its pane ($TMUX_PANE), the event's JSON on stdin."""
    socket = (await tmux.run("display-message", "-p", "-t", pane_id,
                             "#{socket_path}")).stdout.strip()
    env = {"PATH": os.environ["PATH"], "TMUX": f"{socket},1,0", "TMUX_PANE": pane_id}
    done = await asyncio.to_thread(
        subprocess.run, ["sh", "-c", mark_command(event)], input=b'{"hook_event_name": 1}',
        env=env, capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr


def hooked_fleet(tmux, specs, tmp_path: pathlib.Path) -> Fleet:
    data = tmp_path / "data"
    return Fleet(tmux, specs, store=QueueStore(data), journal=Journal(data / "journal.jsonl"),
                 hooks=HookLog(data), settings=FleetSettings(idle_debounce=0.3))


async def reads(fleet: Fleet, name: str, state: State, source: str) -> None:
    async def seen() -> bool:
        status = (await fleet.refresh()).get(name).status
        return (status.state, status.source) == (state, source)

    await async_wait_until(seen, timeout=30, interval=0.1,
                           message=f"{name} {state} from its {source}")


async def test_the_pane_mark_is_a_hook_event_read_with_the_poll(tmux, tmp_path):
    pane = await start_fake_agent(tmux, "claude", tmp_path / "agent.jsonl", session="api")
    fleet = hooked_fleet(tmux, [AgentSpec(name="api", tool="claude", target="api")], tmp_path)
    await reads(fleet, "api", State.IDLE, "screen")

    await hook_fires(tmux, pane.pane_id, "PermissionRequest")
    # The screen still shows the idle composer: the fresh hook event decides.
    await reads(fleet, "api", State.APPROVAL, "hook")
    assert (await tmux.run("show-options", "-p", "-v", "-t", pane.pane_id,
                           MARK_OPTION)).stdout.startswith("PermissionRequest ")

    await hook_fires(tmux, pane.pane_id, "Stop")
    await reads(fleet, "api", State.IDLE, "hook")


async def test_a_mark_found_at_a_first_look_is_as_old_as_it_is(tmux, tmp_path):
    pane = await start_fake_agent(tmux, "claude", tmp_path / "agent.jsonl", session="api")
    spec = AgentSpec(name="api", tool="claude", target="api")
    await hook_fires(tmux, pane.pane_id, "PermissionRequest")
    # A one-shot look (as `orchestra status`) a moment later: the event is fresh.
    await reads(hooked_fleet(tmux, [spec], tmp_path), "api", State.APPROVAL, "hook")
    # An hour-old mark the screen contradicts: the screen decides.
    stale = f"PermissionRequest {int(time.time()) - 3600}"
    await tmux.run("set-option", "-p", "-t", pane.pane_id, MARK_OPTION, stale)
    await reads(hooked_fleet(tmux, [spec], tmp_path), "api", State.IDLE, "screen")


@needs_sshd
async def test_an_agent_on_a_host_reports_through_its_pane_over_ssh(
        tmux: TmuxService, remote_tmux: TmuxService, ssh_host: SshHost, tmp_path):
    there = await start_fake_agent(remote_tmux, "codex", tmp_path / "agent.jsonl",
                                   session="api")
    router = HostRouter(tmux, {"gpu": host_service(ssh_host, remote_tmux)}, deadline=10.0,
                        first_deadline=30.0, stale_after=30.0)
    spec = AgentSpec(name="api", tool="codex", target="api", host="gpu")
    fleet = hooked_fleet(router, [spec], tmp_path)
    try:
        await reads(fleet, "api", State.IDLE, "screen")
        await hook_fires(remote_tmux, there.pane_id, "PermissionRequest")
        await reads(fleet, "api", State.APPROVAL, "hook")
    finally:
        await router.aclose()


def test_orchestra_starts_a_hosts_claude_and_codex_with_the_pane_hooks(tmp_path):
    config = parse_config(
        '[[host]]\nname = "mac"\nssh = "me@mac"\ntmux = "/opt/homebrew/bin/tmux"\n',
        tmp_path / "config.toml")
    lifecycle = Lifecycle(config, tmux=None, registry=AgentsRegistry(tmp_path),
                          worktrees_dir=tmp_path / "trees", store=None, journal=None,
                          hooks=HookProgram(data_dir=tmp_path, config=config.path))
    claude = AgentSpec(name="a", tool="claude", command="claude", host="mac")
    codex = AgentSpec(name="b", tool="codex", command="codex", host="mac")

    line = asyncio.run(lifecycle.launch(claude, resume=False))
    args = mark_args("claude", "/opt/homebrew/bin/tmux")
    assert "/opt/homebrew/bin/tmux set-option" in args[1] and "orchestra_tui" not in args[1]
    assert line.startswith("claude --settings ")
    override = asyncio.run(lifecycle.launch(codex, resume=False))
    assert override.startswith("codex -c ")
    hooks = tomllib.loads(mark_args("codex", "/opt/homebrew/bin/tmux")[1])["hooks"]
    assert MARK_OPTION in hooks["PermissionRequest"][0]["hooks"][0]["command"]
    assert len(hooks["state"]) == len(hooks) - 1  # each handler trusted for this run
