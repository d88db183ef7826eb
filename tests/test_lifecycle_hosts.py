"""A lane on a `[[host]]`: `new` makes the worktree on that machine (git there through the host's
ssh), starts the agent on its tmux server and sends the issue through the gate once; `up` starts
it there again; `retire` refuses while the worktree there holds uncommitted work and removes it
when clean. The host is a real sshd on loopback in front of a second tmux server; its
repository is a temporary folder of this machine, reached only through ssh."""

from __future__ import annotations

import asyncio
import os
import pathlib
import shlex

import pytest

from orchestra_tui.bootstrap import router_for
from orchestra_tui.cli import main
from orchestra_tui.config import parse_config
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.lifecycle.lifecycle import LifecycleError, NewRequest
from orchestra_tui.core.lifecycle.retire import RetireRefused, retire
from orchestra_tui.core.up import bring_up
from orchestra_tui.services.tmux.service import TmuxService
from tests.helpers import async_wait_until
from tests.lifecycle_fixtures import *  # noqa: F403 (the repositories)
from tests.lifecycle_fixtures import Repos, git, make_world
from tests.ssh_fixtures import ALIAS, SshHost, needs_sshd, remote_socket
from tests.tmux_fixtures import REPO, fake_agent_argv, logged_prompts, wait_for_prompts

pytestmark = [needs_sshd, pytest.mark.slow]


def host_config(ssh_host: SshHost, remote: TmuxService, clone: pathlib.Path,
                log: pathlib.Path) -> str:
    # The host's tmux server may be started by ssh, which brings no PYTHONPATH.
    command = shlex.join(["env", f"PYTHONPATH={REPO}", *fake_agent_argv("codex", log)])
    options = ", ".join(f'"{option}"' for option in ssh_host.ssh_options)
    return (f'[[host]]\nname = "gpu"\nssh = "{ALIAS}"\nssh_options = [{options}]\n'
            f'socket_path = "{remote_socket(remote)}"\n\n'
            f'[[lane]]\nname = "shop"\nrepo = "acme/shop"\npath = "{clone}"\nhost = "gpu"\n'
            f'branch = "codex/*"\ntool = "codex"\ncommand = {command!r}\n')


@pytest.fixture
def host_world(tmux, remote_tmux, ssh_host, tmp_path, repos: Repos):
    log = tmp_path / "prompts.jsonl"
    text = host_config(ssh_host, remote_tmux, repos.clone, log)
    router = router_for(tmux, parse_config(text, tmp_path / "config.toml").hosts)
    world = make_world(router, tmp_path, repos.clone, text=text)
    world.extra.update(router=router, remote=remote_tmux, local=tmux)
    return world


async def sessions(service: TmuxService) -> list[str]:
    if not await service.is_running():
        return []
    return (await service.run("list-sessions", "-F", "#{session_name}")).stdout.split()


async def test_new_up_and_retire_on_a_host(host_world, repos):
    world, remote, local = host_world, host_world.extra["remote"], host_world.extra["local"]
    router = world.extra["router"]

    made = await world.lifecycle.new(NewRequest(name="w2", lane="shop", issue=7))

    worktree = repos.clone.parent / "shop-worktrees" / "w2"
    record = made.record
    assert made.delivered, made
    assert (record.spec.host, record.worktree, record.branch, record.base) == (
        "gpu", str(worktree), "codex/7", "origin/main")
    assert git(worktree, "branch", "--show-current") == "codex/7"
    assert git(worktree, "rev-parse", "HEAD") == git(repos.clone, "rev-parse", "origin/main")
    assert "on host gpu" in made.summary
    # Its pane is on the host's tmux server, in the worktree there; nothing started here.
    assert made.pane_id.startswith("gpu:%")
    pane = await remote.pane_info(made.pane_id.partition(":")[2])
    assert (pane.session_name, os.path.realpath(pane.current_path)) == (
        "w2", os.path.realpath(worktree))
    assert await sessions(local) == []
    # The issue through the gate, exactly once; recorded with its host.
    [prompt] = await wait_for_prompts(world.log, 1, timeout=60)
    assert "#7" in prompt and "codex/7" in prompt
    assert world.registry.get("w2").spec.host == "gpu"
    assert [e["agent"] for e in world.events("prompt_sent")] == ["w2"]

    # The fleet binds it to its pane on the host.
    fleet = Fleet(router, [], store=world.store, settings=FleetSettings(idle_debounce=0.3),
                  discover=False, registry=world.registry)
    snapshot = await fleet.refresh()
    assert snapshot.get("w2").pane.pane_id == made.pane_id
    # Its branch figures are read there, by git through the host's ssh; reading them leaves
    # the worktree as it was (the new file stays untracked).
    (worktree / "notes.txt").write_text("one\ntwo\n")
    work = await fleet.refresh_work(["w2"])
    assert (work["w2"].branch, work["w2"].base, work["w2"].ahead) == ("codex/7", "origin/main", 0)
    assert (work["w2"].files_changed, work["w2"].insertions) == (1, 2)
    assert git(worktree, "status", "--porcelain") == "?? notes.txt"
    (worktree / "notes.txt").unlink()

    # The host's tmux server goes (a reboot there): `up` starts it there again.
    await remote.kill_server()

    async def gone():
        snap = await fleet.refresh()
        view = snap.get("w2")
        return snap if view is not None and view.pane is None else None

    snapshot = await async_wait_until(gone, timeout=60, message="w2 without a pane")
    [up] = await bring_up(world.lifecycle, snapshot)
    assert (up.name, up.action) == ("w2", "started"), up.line()
    assert up.pane_id.startswith("gpu:%") and up.ok, up.line()
    assert await sessions(remote) == ["w2"] and await sessions(local) == []
    pane = await remote.pane_info(up.pane_id.partition(":")[2])
    assert os.path.realpath(pane.current_path) == os.path.realpath(worktree)
    assert len(logged_prompts(world.log)) == 1  # nothing sent again

    # Uncommitted work on the host: refused, nothing removed.
    (worktree / "draft.txt").write_text("half done\n")
    with pytest.raises(RetireRefused, match="on host gpu has uncommitted changes"):
        await retire(world.lifecycle, "w2")
    assert worktree.is_dir() and await sessions(remote) == ["w2"]
    assert world.registry.get("w2") is not None

    (worktree / "draft.txt").unlink()
    retired = await retire(world.lifecycle, "w2")

    assert retired.stopped and retired.branch_deleted, retired
    assert "on host gpu" in retired.summary
    assert not worktree.exists()
    assert git(repos.clone, "branch", "--list", "codex/*") == ""
    assert "shop-worktrees" not in git(repos.clone, "worktree", "list", "--porcelain")
    assert await sessions(remote) == []
    assert world.registry.records() == ()


async def test_new_on_a_host_that_is_down_is_one_line_and_makes_nothing(host_world, repos,
                                                                       ssh_host):
    ssh_host.stop()

    with pytest.raises(LifecycleError) as caught:
        await host_world.lifecycle.new(NewRequest(name="w2", lane="shop", issue=7))

    message = str(caught.value)
    assert "\n" not in message and "host gpu" in message and "refused" in message, message
    assert not (repos.clone.parent / "shop-worktrees").exists()
    assert git(repos.clone, "branch", "--list", "codex/*") == ""
    assert host_world.registry.records() == ()


async def test_a_lane_path_on_the_host_that_is_no_repository(tmux, remote_tmux, ssh_host,
                                                            tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    text = host_config(ssh_host, remote_tmux, plain, tmp_path / "prompts.jsonl")
    router = router_for(tmux, parse_config(text, tmp_path / "config.toml").hosts)
    world = make_world(router, tmp_path, plain, text=text)

    with pytest.raises(LifecycleError, match=r"^lane shop: .*/plain on host gpu is not a git "
                       "repository$"):
        await world.lifecycle.new(NewRequest(name="w2", lane="shop"))
    with pytest.raises(LifecycleError, match=r"/missing on host gpu is no folder there"):
        await make_world(router, tmp_path, plain, text=text.replace(
            str(plain), str(tmp_path / "missing"))).lifecycle.new(
                NewRequest(name="w2", lane="shop"))
    assert world.registry.records() == () and await sessions(remote_tmux) == []


async def test_the_cli_new_up_and_retire_on_a_host(tmux, remote_tmux, ssh_host, tmp_path,
                                                   repos, capsys):
    log = tmp_path / "prompts.jsonl"
    config = tmp_path / "config.toml"
    config.write_text(host_config(ssh_host, remote_tmux, repos.clone, log), encoding="utf-8")
    base = ["--config", str(config), "-L", tmux.runner.socket_name, "--data-dir",
            str(tmp_path / "data")]
    worktree = repos.clone.parent / "shop-worktrees" / "w2"

    assert await run_cli(*base, "new", "w2", "--lane", "shop", "--issue", "7",
                         "--no-github") == 0
    out = capsys.readouterr().out
    assert f"worktree {worktree} on host gpu on branch codex/7" in out, out
    assert "(gpu:%" in out and "its first prompt was sent" in out, out
    await wait_for_prompts(log, 1, timeout=60)
    assert await sessions(remote_tmux) == ["w2"]

    await remote_tmux.kill_server()
    assert await run_cli(*base, "up") == 0
    assert capsys.readouterr().out.startswith("w2: started in gpu:%")
    assert await sessions(remote_tmux) == ["w2"] and len(logged_prompts(log)) == 1

    (worktree / "draft.txt").write_text("half done\n")
    assert await run_cli(*base, "retire", "w2") == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "on host gpu has uncommitted changes" in error, error
    (worktree / "draft.txt").unlink()
    assert await run_cli(*base, "retire", "w2") == 0
    assert capsys.readouterr().out.startswith("w2 retired: stopped, worktree ")
    assert not worktree.exists() and await sessions(remote_tmux) == []


async def run_cli(*argv: str) -> int:
    # main() runs its own event loop: from an async test it runs in a thread.
    return await asyncio.to_thread(main, list(argv))
