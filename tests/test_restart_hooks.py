"""`R` (and `orchestra restart`) starts the agent as `orchestra new` does: with orchestra's hooks
in its command line. Found living in the product: a restarted Claude Code ran `claude
--permission-mode default` without the `--settings` that carries the hooks, so its states came
from the screen alone and an enforcing lane lost its pre-tool check.

The agent's program is a stand-in named `claude` that notes the command line it was started
with, then runs the simulated Claude Code; the fleet is the app's, built by `boot`."""

from __future__ import annotations

import argparse
import json
import pathlib
import shlex
import sys

from orchestra_tui.bootstrap import boot
from orchestra_tui.models import State
from orchestra_tui.services.tmux.service import TmuxService
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, fake_agent_argv, wait_for_screen

STAND_IN = """\
#!{python}
import json, os, sys
with open({starts!r}, "a") as out:
    out.write(json.dumps(sys.argv[1:]) + "\\n")
os.environ["PYTHONPATH"] = {repo!r}
argv = {agent!r}
os.execv(argv[0], argv)
"""


def starts(path: pathlib.Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_a_restart_launches_the_agent_with_orchestras_hooks(tmux: TmuxService,
                                                                  tmp_path: pathlib.Path):
    bin_dir, data = tmp_path / "bin", tmp_path / "data"
    bin_dir.mkdir()
    started = tmp_path / "starts.jsonl"
    claude = bin_dir / "claude"
    claude.write_text(STAND_IN.format(
        python=sys.executable, starts=str(started), repo=str(REPO),
        agent=fake_agent_argv("claude", tmp_path / "prompts.jsonl", work=0.3)))
    claude.chmod(0o755)
    command = f"{claude} --permission-mode default"
    pane = await tmux.start(shlex.split(command), cwd=str(REPO), session="c1")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s,
                          message="the agent ready")
    config = tmp_path / "config.toml"
    config.write_text(f'[[agent]]\nname = "c1"\ntool = "claude"\ntarget = "{pane.pane_id}"\n'
                      f'command = {json.dumps(command)}\ncwd = {json.dumps(str(REPO))}\n'
                      '[ui]\nidle_debounce_seconds = 0.3\n')
    booted = boot(argparse.Namespace(config=str(config), socket_name=tmux.runner.socket_name,
                                     socket_path=None, data_dir=str(data)))
    fleet = booted.fleet
    try:
        await fleet.refresh()
        outcome = await fleet.restart("c1", "carry on with the export")
        assert outcome.state is State.IDLE and outcome.handoff_sent, outcome
        await async_wait_until(lambda: _async(len(starts(started)) == 2), timeout=10,
                               message="the restarted agent's start")
        restarted = starts(started)[-1]
        settings = data / "hooks" / "claude-settings-c1.json"
        assert restarted[:2] == ["--settings", str(settings)], restarted
        assert "--permission-mode" in restarted
        hooks = json.loads(settings.read_text())["hooks"]
        assert "PermissionRequest" in hooks or "PreToolUse" in hooks, sorted(hooks)
    finally:
        fleet.close()
        await booted.aclose()


async def _async(value):
    return value
