"""The real opencode (npm `opencode-ai`) in a real tmux pane, offline against the scripted
OpenAI chat API on loopback (tests/fake_openai_chat_api.py, an `@ai-sdk/openai-compatible`
provider in the person's opencode.json), with orchestra's plugin installed by
`orchestra hooks install --tool opencode`: its events reach the pane's log in Claude Code's
terms (approval while its "Permission required" dialog is up, idle after), an enforcing lane's
forbidden command is blocked by the plugin before opencode even asks, and `orchestra hooks
remove` deletes the one file install made and leaves the person's opencode files byte for byte
as they were.

opencode 1.18.33 loads every `plugins/*.js` of `$XDG_CONFIG_HOME/opencode` at start; the
person's own plugin beside orchestra's keeps running. Skipped, with the reason, where the CLI
is not installed.
"""

from __future__ import annotations

import json
import os
import pathlib
import shlex
import shutil
import signal
import stat
import time
import uuid
from collections.abc import Iterator

import pytest

from orchestra_tui.agents.hook_events import state_of
from orchestra_tui.models import State
from tests.fake_openai_chat_api import MODEL, TOOL_DONE_TEXT, FakeOpenAIChatAPI
from tests.helpers import wait_until
from tests.real_cli import STARTUP_SECONDS, RealCli

OPENCODE = shutil.which("opencode")
pytestmark = [
    pytest.mark.real_cli,
    pytest.mark.skipif(OPENCODE is None, reason="opencode is not installed: npm install -g "
                                                "opencode-ai@1.18.33 (.ci/run does)"),
]
APPROVAL_QUESTION = "Permission required"
COMPOSER_EDGE = "╹▀▀▀"
OWN_PLUGIN = ('import { appendFileSync } from "node:fs"\n'
              "export const Mine = async () => ({ event: async ({ event }) => {\n"
              '  if (event.type === "session.idle") '
              'appendFileSync(process.env.HOME + "/own-plugin.log", "idle\\n")\n'
              "} })\n")


def personal_config(base_url: str) -> str:
    return json.dumps({
        "$schema": "https://opencode.ai/config.json",
        "provider": {"scripted": {"npm": "@ai-sdk/openai-compatible", "name": "Scripted",
                                  "options": {"baseURL": base_url,
                                              "apiKey": "orchestra-test-key"},
                                  "models": {MODEL: {"name": MODEL}}}},
        "model": f"scripted/{MODEL}", "permission": {"bash": "ask"}, "autoupdate": False,
        "share": "disabled"}, indent=2) + "\n"


def offline_dependencies(config_dir: pathlib.Path) -> None:
    """What opencode 1.18.33 leaves in a config dir once it installed its plugin SDK there:
    with a plugin in the dir, it runs `npm install @opencode-ai/plugin` at start (and waits for
    it before loading plugins) unless `node_modules` exists and the lock already lists the
    package. Neither plugin here imports it; this keeps the run off the npm registry."""
    (config_dir / "node_modules").mkdir()
    dependencies = {"@opencode-ai/plugin": "1.18.33"}
    (config_dir / "package.json").write_text(json.dumps({"dependencies": dependencies}))
    (config_dir / "package-lock.json").write_text(json.dumps(
        {"lockfileVersion": 3, "packages": {"": {"dependencies": dependencies}}}))


class Opencode(RealCli):
    """One opencode in a tmux pane, with its private HOME, project and data dir."""

    tool = "opencode"
    question = APPROVAL_QUESTION

    def __init__(self, root: pathlib.Path, tmux, api: FakeOpenAIChatAPI) -> None:
        self.home = root / "home"
        self.work = root / "work"
        self.data = root / "data"
        self.config = root / "config.toml"
        self.bin = root / "bin"
        self.tmux = tmux
        self.api = api
        self.session = f"opencode-{uuid.uuid4().hex[:6]}"
        self.pane_id = ""
        self.pid = 0
        self.settings = self.home / ".config" / "opencode"
        self.plugins = self.settings / "plugins"
        for directory in (self.plugins, self.work, self.bin):
            directory.mkdir(parents=True)
        (self.settings / "opencode.json").write_text(personal_config(api.base_url))
        (self.plugins / "mine.js").write_text(OWN_PLUGIN)
        self.original = self.personal_files()
        offline_dependencies(self.settings)
        self.terraform_ran = root / "terraform-ran"  # a stand-in that leaves a mark if it runs
        self.terraform = self.bin / "terraform"
        self.terraform.write_text(f"#!/bin/sh\ntouch {shlex.quote(str(self.terraform_ran))}\n")
        self.terraform.chmod(self.terraform.stat().st_mode | stat.S_IXUSR)

    def personal_files(self) -> dict[str, bytes]:
        """The person's own opencode files (opencode adds its node_modules beside them)."""
        return {name: (self.settings / name).read_bytes()
                for name in ("opencode.json", "plugins/mine.js")}

    def running(self) -> bool:
        try:
            os.killpg(self.pid, 0)
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if not self.pid or not self.running():
            return
        try:
            os.killpg(self.pid, signal.SIGTERM)
            wait_until(lambda: not self.running(), timeout=20, interval=0.2,
                       message="opencode to exit")
        except ProcessLookupError:
            pass
        except AssertionError:
            os.killpg(self.pid, signal.SIGKILL)

    async def start(self) -> None:
        path = [str(self.bin), str(pathlib.Path(OPENCODE).parent), "/usr/bin", "/bin"]
        env = {"HOME": str(self.home), "TERM": "xterm-256color",
               "PATH": ":".join(dict.fromkeys(path)),
               "XDG_CONFIG_HOME": str(self.home / ".config"),
               # Offline: nothing but the scripted API on loopback can be reached.
               "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
               "NO_PROXY": "127.0.0.1", "npm_config_registry": "http://127.0.0.1:9/",
               "OPENCODE_DISABLE_MODELS_FETCH": "1", "OPENCODE_DISABLE_AUTOUPDATE": "1"}
        assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        line = (f'exec env -i {assignments} TMUX="$TMUX" TMUX_PANE="$TMUX_PANE" '
                f"{shlex.quote(OPENCODE)}")
        pane = await self.tmux.start(["sh", "-c", line], cwd=str(self.work),
                                     session=self.session, width=120, height=40)
        self.pane_id, self.pid = pane.pane_id, pane.pid
        await self.wait_for_screen(lambda text: COMPOSER_EDGE in text, "opencode's composer",
                                   STARTUP_SECONDS)
        await self.wait_for_event("SessionStart", STARTUP_SECONDS)


@pytest.fixture
def api() -> Iterator[FakeOpenAIChatAPI]:
    server = FakeOpenAIChatAPI.start()
    yield server
    server.stop()


@pytest.fixture
def opencode(tmp_path: pathlib.Path, tmux, api: FakeOpenAIChatAPI,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[Opencode]:
    agent = Opencode(tmp_path, tmux, api)
    monkeypatch.setenv("HOME", str(agent.home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(agent.home / ".config"))
    yield agent
    agent.stop()


async def test_real_opencode_reports_approval_then_idle_and_remove_deletes_its_plugin(
        opencode: Opencode) -> None:
    assert opencode.orchestra("hooks", "install", "--tool", "opencode") == 0
    ours = opencode.plugins / "orchestra.js"
    assert ours.exists()
    await opencode.start()

    await opencode.prompt(f"run: {opencode.terraform} plan")
    await opencode.wait_for_event("PermissionRequest")
    await opencode.wait_for_screen(lambda text: APPROVAL_QUESTION in text,
                                   "opencode's approval dialog")
    reading = state_of(opencode.events(), now=time.time())
    assert reading is not None and reading.state is State.APPROVAL, reading
    assert not opencode.terraform_ran.exists()
    row = await opencode.status_row()
    assert (row["state"], row["source"]) == ("approval", "hook"), row
    asked = [event for event in opencode.events() if event.event == "PermissionRequest"]
    assert asked[-1].command == f"{opencode.terraform} plan"  # what `auto_approve` would judge

    await opencode.answer_dialog("Enter")  # "Allow once" is preselected
    await opencode.wait_for_event("Stop")
    await opencode.wait_for_screen(lambda text: TOOL_DONE_TEXT in text, "the turn's last words")
    events = opencode.events()
    assert state_of(events, now=time.time()).state is State.IDLE
    assert opencode.terraform_ran.exists()
    row = await opencode.status_row()
    assert (row["state"], row["source"]) == ("idle", "hook"), row
    names = [event.event for event in events]
    assert (names.index("SessionStart") < names.index("UserPromptSubmit")
            < names.index("PreToolUse") < names.index("PermissionRequest")
            < names.index("PostToolUse") < names.index("Stop")), names
    assert {event.pane_id for event in events} == {opencode.pane_id}
    assert {event.tool for event in events} == {"opencode"}
    assert events[-1].session_id.startswith("ses_")
    wait_until(lambda: (opencode.home / "own-plugin.log").exists(), timeout=10,
               message="the person's own plugin to run")

    assert opencode.orchestra("hooks", "status", "--tool", "opencode") == 0
    assert opencode.orchestra("hooks", "remove", "--tool", "opencode") == 0
    assert not ours.exists()
    assert opencode.personal_files() == opencode.original


async def test_enforce_blocks_a_forbidden_command_before_opencode_asks(
        opencode: Opencode) -> None:
    opencode.install_enforcing()
    await opencode.start()

    await opencode.prompt(f"run: {opencode.terraform} destroy -auto-approve")
    await opencode.wait_for_event("Stop")

    denied = [event for event in opencode.events() if event.denied]
    assert [(e.event, e.denied, e.agent) for e in denied] == [
        ("PreToolUse", "terraform destroy", "infra")]
    assert not opencode.terraform_ran.exists()
    assert not any(event.event == "PermissionRequest" for event in opencode.events())
    opencode.the_denial_alert()
    # What the model was told: the plugin's error is the tool's result in the next request.
    results = [message for request in opencode.api.requests
               for message in request.get("messages", []) if message.get("role") == "tool"]
    assert any("Terraform runs only from CI" in json.dumps(message) for message in results)


async def test_an_api_error_reads_blocked_and_esc_reads_idle(opencode: Opencode) -> None:
    """opencode reports `session.error` then `session.idle` (twice) for a failed turn, and a
    MessageAbortedError then idle for Esc: only the first is a failure."""
    assert opencode.orchestra("hooks", "install", "--tool", "opencode") == 0
    await opencode.start()

    await opencode.prompt("fail: 401")
    await opencode.wait_for_event("StopFailure")
    reading = state_of(opencode.events(), now=time.time())
    assert (reading.state, reading.reason) == (State.BLOCKED, "hook: StopFailure (APIError)")

    await opencode.prompt("slow: 30")
    await opencode.tmux.run("send-keys", "-t", opencode.pane_id, "Escape")
    await opencode.tmux.run("send-keys", "-t", opencode.pane_id, "Escape")
    await opencode.wait_for_event("Stop")
    assert state_of(opencode.events(), now=time.time()).state is State.IDLE
