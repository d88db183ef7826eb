"""`new` end to end: real git (a bare remote and the lane's clone), real tmux, the simulated agent
as the lane's command, GitHub over loopback: the branch names the issue, the worktree and the
tmux session are the agent's, its first prompt arrives exactly once, the fleet has it at once,
and its branch figures follow its commits. Every bad input is one line and leaves nothing."""

from __future__ import annotations

import asyncio
import os
import pathlib

import pytest

from orchestra_tui.config import parse_config
from orchestra_tui.core.desk.snapshot import assign_prompt
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.lifecycle.lifecycle import LifecycleError, NewRequest
from orchestra_tui.models import AgentRecord, AgentSpec, State
from orchestra_tui.services.github.service import GitHubService
from tests.github_fixtures import *  # noqa: F403 (the GitHub stand-in)
from tests.github_fixtures import TOKEN
from tests.helpers import async_wait_until
from tests.lifecycle_fixtures import *  # noqa: F403 (the repositories)
from tests.lifecycle_fixtures import World, commit_file, config_text, git, make_world
from tests.tmux_fixtures import is_idle, logged_prompts, screen, wait_for_prompts

pytestmark = pytest.mark.slow


def real(path: pathlib.Path | str) -> str:
    return os.path.realpath(path)


async def sessions(tmux) -> list[str]:
    if not await tmux.is_running():
        return []
    return (await tmux.run("list-sessions", "-F", "#{session_name}")).stdout.split()


async def assert_nothing_made(world: World, clone: pathlib.Path, tmux, name: str = "w2",
                              sessions_before: tuple[str, ...] = ()) -> None:
    assert not (world.data / "worktrees" / "shop" / name).exists()
    assert git(clone, "branch", "--list", "codex/*") == ""
    assert "worktrees" not in git(clone, "worktree", "list", "--porcelain")
    assert world.registry.records() == ()
    assert sorted(await sessions(tmux)) == sorted(sessions_before)
    assert world.store.items(name) == []


async def test_new_from_an_issue(tmux, tmp_path, repos, github):
    world = make_world(tmux, tmp_path, repos.clone, issue_lookup=github.issue_with_comments)
    # The fleet is running before the agent exists, as the app would be.
    fleet = Fleet(tmux, [], store=world.store, settings=FleetSettings(idle_debounce=0.3),
                  discover=False, registry=world.registry, work_every=0.2)
    await fleet.refresh()
    assert fleet.names == []

    outcome = await world.lifecycle.new(NewRequest(name="w2", lane="shop", issue=91))

    branch = "codex/91-export-orders-as-csv"  # the title GitHub answered, as a slug
    worktree = world.data / "worktrees" / "shop" / "w2"
    assert outcome.delivered and outcome.state is State.IDLE, outcome
    assert outcome.record.branch == branch and outcome.record.base == "origin/main"
    assert git(worktree, "branch", "--show-current") == branch
    assert git(worktree, "rev-parse", "HEAD") == git(repos.clone, "rev-parse", "origin/main")
    # Its own tmux session with one window named after it, running in the worktree.
    pane = await tmux.pane_info(outcome.pane_id)
    assert (pane.session_name, real(pane.current_path)) == ("w2", real(worktree))
    windows = (await tmux.run("list-windows", "-t", "=w2", "-F", "#{window_name}")).stdout
    assert windows.split() == ["w2"]

    # The issue prompt from the assign template, exactly once.
    issue = await github.issue_with_comments("acme/shop", 91)
    expected = assign_prompt(issue, outcome.record.spec, world.lifecycle.config.github
                             .assign_template)
    assert "#91" in expected and issue.url in expected and branch in expected
    assert await wait_for_prompts(world.log, 1, timeout=30) == [expected]
    await async_wait_until(lambda: _idle(tmux, outcome.pane_id), timeout=30,
                           message="the agent's turn ended")
    assert logged_prompts(world.log) == [expected]

    [record] = world.registry.records()
    assert record == AgentRecord(
        spec=AgentSpec(name="w2", tool="codex", command=record.spec.command, cwd=str(worktree),
                       repo="acme/shop", branch=branch, target="w2",
                       policy="all changes via PRs", lane="shop"),
        clone=str(repos.clone), worktree=str(worktree), branch=branch, base="origin/main",
        start=git(repos.clone, "rev-parse", "origin/main"), issue=91,
        created_at=record.created_at)
    [made] = world.events("agent_new")
    assert (made["agent"], made["branch"], made["issue"], made["pane"]) == (
        "w2", branch, 91, outcome.pane_id)
    [sent] = world.events("prompt_sent")
    assert (sent["agent"], sent["source"], sent["text"]) == ("w2", "issue:#91", expected)

    # The fleet has it at once, in its pane, with its branch figures.
    await fleet.refresh()
    view = fleet.snapshot.get("w2")
    assert view is not None and view.pane.pane_id == outcome.pane_id

    async def figures_show(ahead: int, files: int):
        await fleet.refresh()
        work = fleet.current().get("w2").work
        return work if work and work.ahead == ahead and work.files_changed == files else None

    work = await async_wait_until(lambda: figures_show(0, 0), timeout=30, message="figures")
    assert (work.branch, work.base, work.behind) == (branch, "origin/main", 0)
    # The agent commits (here: for it) and works again: its figures follow.
    commit_file(worktree, "export.py", "import csv\n\ndef export():\n    pass\n", "export")
    (worktree / "README.md").write_text("shop\nexports CSV\n", encoding="utf-8")
    await tmux.send_text(outcome.pane_id, "carry on [work 0.5]")
    work = await async_wait_until(lambda: figures_show(1, 2), timeout=30,
                                  message="figures after the commit")
    assert (work.insertions, work.deletions, work.behind) == (5, 0, 0)


async def _idle(tmux, pane_id: str) -> bool:
    return is_idle("codex")(await screen(tmux, pane_id))


async def test_new_without_github_names_only_the_issue_number(tmux, tmp_path, repos,
                                                              refused_url):
    offline = GitHubService(TOKEN, api_url=refused_url, timeout=2.0)
    world = make_world(tmux, tmp_path, repos.clone, issue_lookup=offline.issue_with_comments)
    try:
        outcome = await world.lifecycle.new(NewRequest(name="w2", lane="shop", issue=7,
                                                       prompt="Start with the tests."))
    finally:
        await offline.aclose()
    assert outcome.record.branch == "codex/7" and outcome.delivered
    assert len(outcome.notes) == 1 and outcome.notes[0].startswith("GitHub did not answer")
    [prompt] = await wait_for_prompts(world.log, 1, timeout=30)
    assert prompt == ("Read issue #7 (https://github.com/acme/shop/issues/7) and all its "
                      "comments, then implement it on a branch matching codex/7; open a PR "
                      "when done.\n\nStart with the tests.")


async def test_an_agent_that_is_never_ready_keeps_its_window_and_its_prompt_waits(
        tmux, tmp_path, repos):
    text = config_text(repos.clone, tmp_path / "unused.jsonl", command="sleep 600")
    world = make_world(tmux, tmp_path, repos.clone, text=text, ready_timeout=1.5)
    outcome = await world.lifecycle.new(NewRequest(name="w2", lane="shop", issue=7))
    assert outcome.queued and not outcome.delivered and outcome.state is State.UNKNOWN
    assert "not ready after 1.5s" in outcome.reason
    assert "its first prompt is queued" in outcome.summary
    assert await sessions(tmux) == ["w2"]  # the window is kept
    assert [r.name for r in world.registry.records()] == ["w2"]
    [item] = world.store.items("w2")
    assert (item.state, item.source) == ("queued", "issue:#7")
    assert item.text.startswith("Read issue #7 ")


@pytest.mark.parametrize(("case", "expected"), [
    ("unknown lane", "no lane named 'shpo' in "),
    ("bad name", "'w.2' is not an agent name: use letters, digits, - and _"),
    ("configured name", "the name w2 is in use by an [[agent]] of your config"),
    ("recorded name", "the name w2 is in use by an agent orchestra started"),
    ("session name", "the name w2 is in use by a tmux session of that name"),
    ("branch exists", "branch codex/91-export-orders-as-csv already exists in "),
    ("not a repository", "is not a git repository"),
    ("no clone", "does not exist"),
    ("issue gone", "acme/shop has no issue #999 (GitHub"),
    ("tmux gone", "tmux could not start w2 ("),
    ("quits at start", "w2's command quit at start-up (`true` in "),
])
async def test_each_bad_input_is_one_line_and_leaves_nothing(tmux, tmp_path, repos, github,
                                                             case, expected):
    name, lane, issue = "w2", "shop", 91
    text = config_text(repos.clone, tmp_path / "prompts.jsonl")
    service = tmux
    before: tuple[str, ...] = ()
    if case == "unknown lane":
        lane = "shpo"
    elif case == "bad name":
        name = "w.2"
    elif case == "configured name":
        text += '\n[[agent]]\nname = "w2"\nlane = "shop"\n'
    elif case == "branch exists":
        git(repos.clone, "branch", "codex/91-export-orders-as-csv")
    elif case == "not a repository":
        (tmp_path / "plain").mkdir()
        text = text.replace(f'path = "{repos.clone}"', f'path = "{tmp_path / "plain"}"')
    elif case == "no clone":
        text = text.replace(f'path = "{repos.clone}"', f'path = "{tmp_path / "missing"}"')
    elif case == "issue gone":
        issue = 999
    elif case == "quits at start":
        text = config_text(repos.clone, tmp_path / "prompts.jsonl", command="true")
    elif case == "session name":
        await tmux.start("sleep 600", session="w2")
        before = ("w2",)
    elif case == "tmux gone":
        # A server that cannot be reached or started: its socket's folder does not exist.
        from orchestra_tui.services.tmux.service import TmuxService

        service = TmuxService.from_options(socket_path=str(tmp_path / "gone" / "tmux.sock"))
    world = make_world(service, tmp_path, repos.clone, text=text,
                       issue_lookup=github.issue_with_comments)
    if case == "recorded name":
        world.registry.add(AgentRecord(AgentSpec("w2", lane="shop"), branch="codex/other"))
    with pytest.raises(LifecycleError) as caught:
        await world.lifecycle.new(NewRequest(name=name, lane=lane, issue=issue))
    message = str(caught.value)
    assert expected in message and "\n" not in message, message
    if case == "recorded name":
        assert [r.name for r in world.registry.records()] == ["w2"]
        world.registry.remove("w2")
    if case == "branch exists":
        git(repos.clone, "branch", "-D", "codex/91-export-orders-as-csv")
    await assert_nothing_made(world, repos.clone, tmux, name=name, sessions_before=before)
    assert world.events("agent_new") == [] and logged_prompts(world.log) == []


async def test_a_clone_without_a_remote_bases_on_main(tmux, tmp_path, local_repo):
    world = make_world(tmux, tmp_path, local_repo)
    outcome = await world.lifecycle.new(NewRequest(name="solo", lane="shop"))
    assert (outcome.record.branch, outcome.record.base, outcome.prompt) == ("codex/solo",
                                                                           "main", "")
    assert "first prompt" not in outcome.summary
    assert world.store.items("solo") == [] and world.events("prompt_sent") == []


def test_the_launch_command_resumes_and_carries_the_hooks_only_for_the_tool_itself(tmp_path):
    from orchestra_tui.core.lifecycle.lifecycle import Lifecycle
    from orchestra_tui.services.hooks.install import HookProgram

    world_config = parse_config('[[lane]]\nname = "shop"\n', tmp_path / "config.toml")
    hooks = HookProgram(data_dir=tmp_path / "data", config=tmp_path / "config.toml",
                        python="/py")
    lifecycle = Lifecycle(world_config, tmux=None, registry=None, worktrees_dir=tmp_path,
                          hooks=hooks)
    claude = AgentSpec("c", tool="claude", command="claude --model opus")
    command = asyncio.run(lifecycle.launch(claude, resume=True))
    settings = tmp_path / "data" / "hooks" / "claude-settings-c.json"
    assert command == f"claude --settings {settings} --continue --model opus"
    assert settings.exists()
    codex = AgentSpec("x", tool="codex", command="codex")
    assert asyncio.run(lifecycle.launch(codex, resume=True)).startswith(
        "codex -c 'hooks = {SessionStart = [{hooks = [{type = \"command\", command = "
        "\"/py -m orchestra_tui.commands.hook")
    assert asyncio.run(lifecycle.launch(codex, resume=True)).endswith(" resume --last")
    fresh = asyncio.run(lifecycle.launch(codex, resume=False))
    assert "--agent x" in fresh and fresh.endswith("}}}'")
    wrapped = AgentSpec("w", tool="claude", command="./run-claude.sh")
    assert asyncio.run(lifecycle.launch(wrapped, resume=True)) == "./run-claude.sh"
