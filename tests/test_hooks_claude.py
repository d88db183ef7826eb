"""The real Claude Code CLI (npm `@anthropic-ai/claude-code`) in a real tmux pane, offline
against the scripted Anthropic API on loopback, with orchestra's hooks installed by
`orchestra hooks install`: its events reach the pane's log (approval while its permission
dialog is up, idle after), an enforcing lane's forbidden command is denied before it runs, and
`orchestra hooks remove` leaves the person's settings byte for byte as they were.

Skipped, with the reason, where the CLI is not installed; `.ci/run` installs it.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import shlex
import shutil
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest

from orchestra_tui.agents.hook_events import state_of
from orchestra_tui.cli import main
from orchestra_tui.models import State
from orchestra_tui.services.hook_log import HookLog
from orchestra_tui.services.hooks_install import HookProgram, launch_injection
from orchestra_tui.services.journal import Journal
from orchestra_tui.services.tmux import TmuxService
from tests.fake_anthropic_api import DONE_TEXT, FakeAnthropicAPI
from tests.helpers import async_wait_until
from tests.tmux_fixtures import screen

CLAUDE = shutil.which("claude")
pytestmark = [
    pytest.mark.real_cli,
    pytest.mark.skipif(CLAUDE is None, reason="Claude Code is not installed: npm install -g "
                                              "@anthropic-ai/claude-code (.ci/run does)"),
]
API_KEY = "sk-ant-api03-" + "orchestratest" * 7 + "-AA"
STARTUP_SECONDS = 90.0  # a first start under load, with two cores shared by several suites
TURN_SECONDS = 60.0
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


class Claude:
    """One Claude Code in a tmux pane, with its private HOME, project dir and data dir."""

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
        for directory in (self.home / ".claude", self.work, self.bin):
            directory.mkdir(parents=True)
        (self.home / ".claude.json").write_text(json.dumps({
            "hasCompletedOnboarding": True, "theme": "dark", "numStartups": 3,
            "customApiKeyResponses": {"approved": [API_KEY[-20:]], "rejected": []},
            "projects": {str(self.work): {"hasTrustDialogAccepted": True,
                                          "hasCompletedProjectOnboarding": True,
                                          "allowedTools": []}},
        }), encoding="utf-8")
        self.settings = self.home / ".claude" / "settings.json"
        self.settings.write_text(PERSONAL, encoding="utf-8")
        # A stand-in `terraform` that leaves a mark if it ever runs.
        terraform = self.bin / "terraform"
        terraform.write_text(f"#!/bin/sh\ntouch {shlex.quote(str(root / 'terraform-ran'))}\n")
        terraform.chmod(terraform.stat().st_mode | stat.S_IXUSR)
        self.terraform_ran = root / "terraform-ran"

    def orchestra(self, *args: str) -> int:
        return main(["--config", str(self.config), "--data-dir", str(self.data), *args])

    async def status_row(self) -> dict:
        """This Claude Code's row of `orchestra status --json`, run as a person would."""
        if not self.config.exists():
            self.config.write_text(f'[[agent]]\nname = "api"\ntool = "claude"\n'
                                   f'target = "{self.session}"\n', encoding="utf-8")
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "orchestra_tui", "status", "--json", "--config",
             str(self.config), "--data-dir", str(self.data), "-L", self.tmux.runner.socket_name],
            capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        rows = [row for row in json.loads(done.stdout) if row["pane_id"] == self.pane_id]
        assert rows, done.stdout
        return rows[0]

    async def start(self, *extra: str) -> None:
        env = {"HOME": str(self.home), "TERM": "xterm-256color",
               "PATH": f"{self.bin}:{pathlib.Path(CLAUDE).parent}:/usr/bin:/bin",
               "ANTHROPIC_BASE_URL": self.api.base_url, "ANTHROPIC_API_KEY": API_KEY,
               "DISABLE_AUTOUPDATER": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
        assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        # Only what Claude Code needs, plus the pane's own tmux variables (hooks inherit them).
        line = (f'exec env -i {assignments} TMUX="$TMUX" TMUX_PANE="$TMUX_PANE" '
                f"{shlex.quote(CLAUDE)} --permission-mode default {shlex.join(extra)}")
        pane = await self.tmux.start(["sh", "-c", line], cwd=str(self.work),
                                     session=self.session, width=120, height=40)
        self.pane_id = pane.pane_id
        await self.wait_for_event("SessionStart", STARTUP_SECONDS)
        await self.wait_for_screen(lambda text: "? for shortcuts" in text or "mode on" in text,
                                   "Claude Code's composer", STARTUP_SECONDS)

    def events(self) -> list:
        return HookLog(self.data).read_new(self.pane_id)  # a fresh reader: the recent tail

    def count(self, name: str) -> int:
        return sum(event.event == name for event in self.events())

    async def wait_for_event(self, name: str, timeout: float = TURN_SECONDS, *,
                             more_than: int = 0) -> None:
        async def seen() -> bool:
            return self.count(name) > more_than

        try:
            await async_wait_until(seen, timeout=timeout, interval=0.2,
                                   message=f"hook event {name} in the log")
        except AssertionError as error:
            shown = await screen(self.tmux, self.pane_id)
            logged = [event.event for event in self.events()]
            raise AssertionError(f"{error}; events: {logged}; screen:\n{shown}") from None

    async def wait_for_screen(self, predicate, message: str, timeout: float = TURN_SECONDS):
        last = [""]

        async def check() -> bool:
            last[0] = await screen(self.tmux, self.pane_id)
            return predicate(last[0])

        try:
            await async_wait_until(check, timeout=timeout, interval=0.2, message=message)
        except AssertionError as error:
            raise AssertionError(f"{error}; last screen:\n{last[0]}") from None

    async def answer_dialog(self, key: str) -> None:
        """Press `key` until the dialog takes it (a key pressed while Claude Code still runs
        the PermissionRequest hooks may be dropped), at most a few times, never once it's gone."""
        for _ in range(5):
            await self.tmux.run("send-keys", "-t", self.pane_id, key)
            try:
                await self.wait_for_screen(lambda text: "Do you want to proceed?" not in text,
                                           "the dialog to close", timeout=10)
                return
            except AssertionError:
                continue
        raise AssertionError("the dialog never took the answer")

    async def prompt(self, text: str) -> None:
        """Type `text` and submit it, pressing Enter again (a bounded number of times) until
        the UserPromptSubmit hook says it went in."""
        before = self.count("UserPromptSubmit")
        await self.tmux.run("send-keys", "-t", self.pane_id, "-l", "--", text)
        for _ in range(5):
            await self.tmux.run("send-keys", "-t", self.pane_id, "Enter")
            try:
                await self.wait_for_event("UserPromptSubmit", timeout=10, more_than=before)
                return
            except AssertionError:
                continue
        shown = await screen(self.tmux, self.pane_id)
        raise AssertionError(f"the prompt was never submitted:\n{shown}")


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


async def test_enforce_denies_a_forbidden_command_before_claude_code_runs_it(
        claude: Claude) -> None:
    claude.config.write_text(
        f'[[agent]]\nname = "infra"\ntool = "claude"\ntarget = "{claude.session}"\n'
        'policy = "Terraform runs only from CI; change infra through a PR."\n'
        "enforce = true\n", encoding="utf-8")
    assert claude.orchestra("hooks", "install", "--tool", "claude") == 0
    await claude.start()

    await claude.prompt("run: terraform destroy -auto-approve")
    await claude.wait_for_event("Stop")

    denied = [event for event in claude.events() if event.denied]
    assert [(e.event, e.denied, e.agent) for e in denied] == [
        ("PreToolUse", "terraform destroy", "infra")]
    assert not claude.terraform_ran.exists()
    assert not any(event.event == "PermissionRequest" for event in claude.events())
    [alert] = Journal(claude.data / "journal.jsonl").read(events=("alert",))
    assert (alert["agent"], alert["kind"], alert["denied"]) == ("infra", "forbid", True)
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
