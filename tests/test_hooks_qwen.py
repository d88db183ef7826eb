"""The real Qwen Code (npm `@qwen-code/qwen-code`) in a real tmux pane, offline against the
scripted OpenAI chat API on loopback (tests/fake_openai_chat_api.py), with orchestra's hooks
installed by `orchestra hooks install --tool qwen`: its events reach the pane's log (approval
while its "Allow execution of" dialog is up, idle after), an enforcing lane's forbidden command
is denied before it runs, and `orchestra hooks remove` leaves the person's settings.json byte
for byte as it was.

Qwen Code 0.24.4 reads `hooks` from `~/.qwen/settings.json` in Claude Code's shape and names,
with no folder trust asked for the user's own settings. Skipped, with the reason, where the CLI
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

QWEN = shutil.which("qwen")
NODE = shutil.which("node")
pytestmark = [
    pytest.mark.real_cli,
    pytest.mark.skipif(QWEN is None or NODE is None,
                       reason="Qwen Code is not installed: npm install -g "
                              "@qwen-code/qwen-code@0.24.4 (.ci/run does)"),
]
APPROVAL_QUESTION = "Allow execution of"
COMPOSER_PLACEHOLDER = "Type your message or @path/to/file"
OWN_HANDLER = {"type": "command", "command": 'echo stopped >> "$HOME/own-hook.log"'}
# The person's settings as Qwen Code leaves them after its first start (it adds `$version`).
PERSONAL_SETTINGS = json.dumps({
    "security": {"auth": {"selectedType": "openai"}},
    "hooks": {"Stop": [{"hooks": [OWN_HANDLER]}]},
    "$version": 4,
}, indent=2) + "\n"


class Qwen(RealCli):
    """One Qwen Code in a tmux pane, with its private HOME, project and data dir."""

    tool = "qwen"
    question = APPROVAL_QUESTION

    def __init__(self, root: pathlib.Path, tmux, api: FakeOpenAIChatAPI) -> None:
        self.home = root / "home"
        self.work = root / "work"
        self.data = root / "data"
        self.config = root / "config.toml"
        self.bin = root / "bin"
        self.tmux = tmux
        self.api = api
        self.session = f"qwen-{uuid.uuid4().hex[:6]}"
        self.pane_id = ""
        self.pid = 0
        for directory in (self.home / ".qwen", self.work, self.bin):
            directory.mkdir(parents=True)
        self.settings = self.home / ".qwen" / "settings.json"
        self.settings.write_text(PERSONAL_SETTINGS, encoding="utf-8")
        self.original = self.settings.read_bytes()
        self.terraform_ran = root / "terraform-ran"  # a stand-in that leaves a mark if it runs
        self.terraform = self.bin / "terraform"
        self.terraform.write_text(f"#!/bin/sh\ntouch {shlex.quote(str(self.terraform_ran))}\n")
        self.terraform.chmod(self.terraform.stat().st_mode | stat.S_IXUSR)

    def unchanged(self) -> bool:
        return self.settings.read_bytes() == self.original

    def running(self) -> bool:
        try:
            return b"qwen" in pathlib.Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except OSError:
            return False

    def stop(self) -> None:
        """End Qwen Code and its children: the pane's program leads its process group."""
        if not self.pid or not self.running():
            return
        try:
            os.killpg(self.pid, signal.SIGTERM)
            wait_until(lambda: not self.running(), timeout=20, interval=0.2,
                       message="Qwen Code to exit")
        except ProcessLookupError:
            pass
        except AssertionError:
            os.killpg(self.pid, signal.SIGKILL)

    async def start(self, mode: str = "default") -> None:
        path = [str(self.bin), str(pathlib.Path(QWEN).parent), str(pathlib.Path(NODE).parent),
                "/usr/bin", "/bin"]
        env = {"HOME": str(self.home), "TERM": "xterm-256color",
               "PATH": ":".join(dict.fromkeys(path)), "OPENAI_API_KEY": "orchestra-test-key",
               "OPENAI_BASE_URL": self.api.base_url, "OPENAI_MODEL": MODEL}
        assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        line = (f'exec env -i {assignments} TMUX="$TMUX" TMUX_PANE="$TMUX_PANE" '
                f"{shlex.quote(QWEN)} --approval-mode {mode}")
        pane = await self.tmux.start(["sh", "-c", line], cwd=str(self.work),
                                     session=self.session, width=120, height=40)
        self.pane_id, self.pid = pane.pane_id, pane.pid
        await self.wait_for_screen(lambda text: COMPOSER_PLACEHOLDER in text,
                                   "Qwen Code's composer", STARTUP_SECONDS)
        await self.wait_for_event("SessionStart", STARTUP_SECONDS)


@pytest.fixture
def api() -> Iterator[FakeOpenAIChatAPI]:
    server = FakeOpenAIChatAPI.start()
    yield server
    server.stop()


@pytest.fixture
def qwen(tmp_path: pathlib.Path, tmux, api: FakeOpenAIChatAPI,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Qwen]:
    agent = Qwen(tmp_path, tmux, api)
    monkeypatch.setenv("HOME", str(agent.home))
    yield agent
    agent.stop()


async def test_real_qwen_reports_approval_then_idle_and_remove_restores_its_settings(
        qwen: Qwen) -> None:
    assert qwen.orchestra("hooks", "install", "--tool", "qwen") == 0
    assert not qwen.unchanged()
    await qwen.start()

    await qwen.prompt(f"run: {qwen.terraform} plan")
    await qwen.wait_for_event("PermissionRequest")
    await qwen.wait_for_screen(lambda text: APPROVAL_QUESTION in text, "Qwen's approval dialog")
    reading = state_of(qwen.events(), now=time.time())
    assert reading is not None and reading.state is State.APPROVAL, reading
    assert reading.reason.startswith("hook: ") and reading.event in (
        "PermissionRequest", "Notification"), reading
    assert not qwen.terraform_ran.exists()
    row = await qwen.status_row()
    assert (row["state"], row["source"]) == ("approval", "hook"), row

    await qwen.answer_dialog("Enter")  # "1. Yes, allow once" is preselected
    await qwen.wait_for_event("Stop")
    await qwen.wait_for_screen(lambda text: TOOL_DONE_TEXT in text, "the turn's last words")
    events = qwen.events()
    assert state_of(events, now=time.time()).state is State.IDLE
    assert qwen.terraform_ran.exists()
    row = await qwen.status_row()
    assert (row["state"], row["source"]) == ("idle", "hook"), row
    names = [event.event for event in events]
    assert (names.index("UserPromptSubmit") < names.index("PermissionRequest")
            < names.index("PreToolUse") < names.index("PostToolUse")
            < names.index("Stop")), names
    assert {event.pane_id for event in events} == {qwen.pane_id}
    assert (qwen.home / "own-hook.log").read_text().startswith("stopped")  # theirs still runs

    assert qwen.orchestra("hooks", "remove", "--tool", "qwen") == 0
    assert qwen.unchanged()


async def test_enforce_denies_a_forbidden_command_before_qwen_runs_it(qwen: Qwen) -> None:
    qwen.install_enforcing()
    await qwen.start(mode="yolo")  # no dialog: the hook alone stands between it and the shell

    await qwen.prompt(f"run: {qwen.terraform} destroy -auto-approve")
    await qwen.wait_for_event("Stop")

    denied = [event for event in qwen.events() if event.denied]
    assert [(e.event, e.denied, e.agent) for e in denied] == [
        ("PreToolUse", "terraform destroy", "infra")]
    assert not qwen.terraform_ran.exists()
    qwen.the_denial_alert()
    # What the model was told: the reason travels in the tool result of the next request.
    results = [message for request in qwen.api.requests
               for message in request.get("messages", []) if message.get("role") == "tool"]
    assert any("Terraform runs only from CI" in json.dumps(message) for message in results)
