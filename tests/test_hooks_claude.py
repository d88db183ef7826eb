"""The real Claude Code CLI (npm `@anthropic-ai/claude-code`) in a real tmux pane, offline
against the scripted Anthropic API on loopback, with orchestra's hooks installed by
`orchestra hooks install`: its events reach the pane's log (approval while its permission
dialog is up, idle after), an enforcing lane's forbidden command is denied before it runs, and
`orchestra hooks remove` leaves the person's settings byte for byte as they were.

Skipped, with the reason, where the CLI is not installed; `.ci/run` installs it.
"""

from __future__ import annotations

import json
import os
import pathlib
import shlex
import stat
import time
import uuid
from collections.abc import Iterator

import pytest

from orchestra_tui.agents.hook_events import state_of
from orchestra_tui.models import State
from orchestra_tui.services.hooks.install import HookProgram, launch_injection
from orchestra_tui.services.hooks.marks import MARK_OPTION, mark_args
from orchestra_tui.services.tmux.service import TmuxService
from tests.fake_anthropic_api import DONE_TEXT, FakeAnthropicAPI
from tests.helpers import async_wait_until
from tests.real_cli import (
    CLAUDE,
    CLAUDE_MISSING,
    STARTUP_SECONDS,
    RealCli,
    claude_command,
    claude_home,
)

pytestmark = [pytest.mark.real_cli, pytest.mark.skipif(CLAUDE is None, reason=CLAUDE_MISSING)]
# The person's own settings: a hook of theirs that must keep firing and survive every step.
PERSONAL = """{
  "theme": "dark",
  "hooks": {
    "Stop": [
      {"hooks": [{"type": "command", "command": "echo stopped >> \\"$HOME/own-hook.log\\""}]}
    ]
  }
}
"""


class Claude(RealCli):
    """One Claude Code in a tmux pane, with its private HOME, project dir and data dir."""

    tool = "claude"
    question = "Do you want to proceed?"

    def __init__(self, root: pathlib.Path, tmux: TmuxService, api: FakeAnthropicAPI) -> None:
        self.home = root / "home"
        self.work = root / "work"
        self.data = root / "data"
        self.config = root / "config.toml"
        self.bin = root / "bin"
        self.tmux = tmux
        self.api = api
        self.session = f"claude-{uuid.uuid4().hex[:6]}"
        self.pane_id = ""
        for directory in (self.work, self.bin):
            directory.mkdir(parents=True)
        claude_home(self.home, self.work)
        self.settings = self.home / ".claude" / "settings.json"
        self.settings.write_text(PERSONAL, encoding="utf-8")
        # A stand-in `terraform` that leaves a mark if it ever runs.
        terraform = self.bin / "terraform"
        terraform.write_text(f"#!/bin/sh\ntouch {shlex.quote(str(root / 'terraform-ran'))}\n")
        terraform.chmod(terraform.stat().st_mode | stat.S_IXUSR)
        self.terraform_ran = root / "terraform-ran"

    async def start(self, *extra: str) -> None:
        # Only what Claude Code needs, plus the pane's own tmux variables (hooks inherit them).
        line = claude_command(self.home, self.api.base_url, path=str(self.bin), extra=extra,
                              hooks_env=True)
        pane = await self.tmux.start(["sh", "-c", line], cwd=str(self.work),
                                     session=self.session, width=120, height=40)
        self.pane_id = pane.pane_id
        await self.wait_for_event("SessionStart", STARTUP_SECONDS)
        await self.wait_for_screen(lambda text: "? for shortcuts" in text or "mode on" in text,
                                   "Claude Code's composer", STARTUP_SECONDS)


@pytest.fixture
def api() -> Iterator[FakeAnthropicAPI]:
    server = FakeAnthropicAPI.start()
    yield server
    server.stop()


@pytest.fixture
def claude(tmp_path: pathlib.Path, tmux: TmuxService, api: FakeAnthropicAPI,
           monkeypatch: pytest.MonkeyPatch) -> Claude:
    agent = Claude(tmp_path, tmux, api)
    monkeypatch.setenv("HOME", str(agent.home))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    return agent


async def test_real_claude_code_reports_approval_then_idle_and_remove_restores_settings(
        claude: Claude) -> None:
    assert claude.orchestra("hooks", "install", "--tool", "claude") == 0
    await claude.start()

    await claude.prompt("run: touch made-by-claude.txt")
    await claude.wait_for_event("PermissionRequest")
    await claude.wait_for_screen(lambda text: "Do you want to proceed?" in text,
                                 "Claude Code's permission dialog")
    reading = state_of(claude.events(), now=time.time())
    assert reading is not None and reading.state is State.APPROVAL, reading
    assert not (claude.work / "made-by-claude.txt").exists()
    row = await claude.status_row()
    assert (row["state"], row["source"]) == ("approval", "hook"), row

    await claude.answer_dialog("1")  # "Yes"
    await claude.wait_for_event("Stop")
    await claude.wait_for_screen(lambda text: DONE_TEXT in text, "the turn's last words")
    events = claude.events()
    assert state_of(events, now=time.time()).state is State.IDLE
    assert (claude.work / "made-by-claude.txt").exists()
    row = await claude.status_row()
    assert (row["state"], row["source"]) == ("idle", "hook"), row
    names = [event.event for event in events]
    assert names.index("PermissionRequest") < names.index("PostToolUse") < names.index("Stop")
    assert {event.pane_id for event in events} == {claude.pane_id}
    assert (claude.home / "own-hook.log").read_text().startswith("stopped")  # theirs still runs

    assert claude.orchestra("hooks", "remove", "--tool", "claude") == 0
    assert claude.settings.read_bytes() == PERSONAL.encode()


@pytest.mark.parametrize("command", ["terraform destroy -auto-approve",
                                     "bash -c 't\"erraform\" destroy'"])
async def test_enforce_denies_a_forbidden_command_before_claude_code_runs_it(
        claude: Claude, command: str) -> None:
    claude.install_enforcing()
    await claude.start()

    await claude.prompt(f"run: {command}")
    await claude.wait_for_event("Stop")

    denied = [event for event in claude.events() if event.denied]
    assert [(e.event, e.denied, e.agent) for e in denied] == [
        ("PreToolUse", "terraform destroy", "infra")]
    assert not claude.terraform_ran.exists()
    assert not any(event.event == "PermissionRequest" for event in claude.events())
    claude.the_denial_alert()
    # What the model was told: the reason travels in the tool result of the next request.
    tool_results = [part for request in claude.api.requests
                    for message in request.get("messages", [])
                    if isinstance(message.get("content"), list)
                    for part in message["content"] if part.get("type") == "tool_result"]
    assert any("Terraform runs only from CI" in json.dumps(part) for part in tool_results)
    assert os.path.exists(claude.settings)


async def test_an_agent_orchestra_starts_reports_through_injected_settings(
        claude: Claude) -> None:
    """No install: the launch-time injection (`--settings FILE`) alone makes Claude Code report,
    with the agent's name, and the person's settings file is never touched."""
    program = HookProgram(data_dir=claude.data, config=claude.config)
    injection = launch_injection("claude", program, agent="api")
    await claude.start(*injection.args)
    await claude.prompt("say hello")
    await claude.wait_for_event("Stop")
    events = claude.events()
    assert {event.agent for event in events} == {"api"}
    assert state_of(events, now=time.time()).state is State.IDLE
    assert claude.settings.read_bytes() == PERSONAL.encode()


async def test_real_claude_code_reports_through_its_pane_with_a_hosts_hooks(
        claude: Claude) -> None:
    # How orchestra starts Claude Code on a [[host]]: hooks given as a JSON string that mark
    # the pane's tmux option; no orchestra, no data dir and no file of the person's involved.
    line = claude_command(claude.home, claude.api.base_url, path=str(claude.bin),
                          extra=mark_args("claude"), hooks_env=True)
    pane = await claude.tmux.start(["sh", "-c", line], cwd=str(claude.work),
                                   session=claude.session, width=120, height=40)
    claude.pane_id = pane.pane_id
    await claude.wait_for_screen(lambda text: "? for shortcuts" in text or "mode on" in text,
                                 "Claude Code's composer", STARTUP_SECONDS)

    async def mark() -> str:
        return (await claude.tmux.run("show-options", "-p", "-v", "-t", claude.pane_id,
                                      MARK_OPTION)).stdout.strip()

    await claude.tmux.run("send-keys", "-t", claude.pane_id, "-l", "--",
                          "run: touch made-by-claude.txt")
    for _ in range(5):  # Enter until the prompt goes in (a first one can land mid-paste)
        await claude.tmux.run("send-keys", "-t", claude.pane_id, "Enter")
        try:
            await claude.wait_for_screen(lambda text: "Do you want to proceed?" in text,
                                         "Claude Code's permission dialog", timeout=15)
            break
        except AssertionError:
            continue
    await async_wait_until(lambda: _starts(mark(), "PermissionRequest "), timeout=30,
                           message="the PermissionRequest mark")
    row = await claude.status_row()
    assert (row["state"], row["source"]) == ("approval", "hook"), row

    await claude.answer_dialog("1")  # "Yes"
    await claude.wait_for_screen(lambda text: DONE_TEXT in text, "the turn's last words")
    await async_wait_until(lambda: _starts(mark(), "Stop "), timeout=30,
                           message="the Stop mark")
    row = await claude.status_row()
    assert (row["state"], row["source"]) == ("idle", "hook"), row
    assert claude.settings.read_bytes() == PERSONAL.encode()
    assert not (claude.data / "hooks").exists()  # nothing of orchestra's on that side


async def _starts(text, prefix: str) -> bool:
    return (await text).startswith(prefix)
