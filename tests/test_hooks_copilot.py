"""The real GitHub Copilot CLI (npm `@github/copilot`) in a real tmux pane, offline against the
scripted OpenAI chat API on loopback (no GitHub sign-in: `COPILOT_OFFLINE=1` and a provider of
its own), with orchestra's hooks installed by `orchestra hooks install --tool copilot`: its
events reach the pane's log in Claude Code's terms (approval while its "Do you want to run this
command?" dialog is up, idle after), an enforcing lane's forbidden command is denied before the
dialog even opens, and `orchestra hooks remove` deletes the file install made and leaves the
person's own hooks file as it was.

Copilot CLI 1.0.102 reads every `~/.copilot/hooks/*.json` ({"version": 1, "hooks": {...}},
camel-case events); orchestra's is a file of its own. Skipped, with the reason, where the CLI is
not installed.
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

COPILOT = shutil.which("copilot")
NODE = shutil.which("node")
pytestmark = [
    pytest.mark.real_cli,
    pytest.mark.skipif(COPILOT is None or NODE is None,
                       reason="GitHub Copilot CLI is not installed: npm install -g "
                              "@github/copilot@1.0.102 (.ci/run does)"),
]
APPROVAL_QUESTION = "Do you want to run this command?"
TRUST_QUESTION = "Do you trust the files in this folder?"
COMPOSER_FOOTER = "/ commands"
OWN_HOOKS = json.dumps({"version": 1, "hooks": {"agentStop": [
    {"type": "command", "bash": 'echo stopped >> "$HOME/own-hook.log"'}]}}, indent=2) + "\n"


class Copilot(RealCli):
    """One Copilot CLI in a tmux pane, with its private HOME, project and data dir."""

    tool = "copilot"
    question = APPROVAL_QUESTION

    def __init__(self, root: pathlib.Path, tmux, api: FakeOpenAIChatAPI) -> None:
        self.home = root / "home"
        self.work = root / "work"
        self.data = root / "data"
        self.config = root / "config.toml"
        self.bin = root / "bin"
        self.tmux = tmux
        self.api = api
        self.session = f"copilot-{uuid.uuid4().hex[:6]}"
        self.pane_id = ""
        self.pid = 0
        self.hooks = self.home / ".copilot" / "hooks"
        for directory in (self.hooks, self.work, self.bin):
            directory.mkdir(parents=True)
        (self.hooks / "mine.json").write_text(OWN_HOOKS, encoding="utf-8")
        self.terraform_ran = root / "terraform-ran"  # a stand-in that leaves a mark if it runs
        self.terraform = self.bin / "terraform"
        self.terraform.write_text(f"#!/bin/sh\ntouch {shlex.quote(str(self.terraform_ran))}\n")
        self.terraform.chmod(self.terraform.stat().st_mode | stat.S_IXUSR)

    def running(self) -> bool:
        try:
            os.killpg(self.pid, 0)
            return True
        except OSError:
            return False

    def stop(self) -> None:
        """End Copilot CLI, its launcher and its native binary: the pane's program leads
        their process group."""
        if not self.pid or not self.running():
            return
        try:
            os.killpg(self.pid, signal.SIGTERM)
            wait_until(lambda: not self.running(), timeout=20, interval=0.2,
                       message="Copilot CLI to exit")
        except ProcessLookupError:
            pass
        except AssertionError:
            os.killpg(self.pid, signal.SIGKILL)

    async def start(self, *extra: str) -> None:
        path = [str(self.bin), str(pathlib.Path(COPILOT).parent), str(pathlib.Path(NODE).parent),
                "/usr/bin", "/bin"]
        env = {"HOME": str(self.home), "TERM": "xterm-256color",
               "PATH": ":".join(dict.fromkeys(path)), "COPILOT_OFFLINE": "1",
               "COPILOT_PROVIDER_TYPE": "openai", "COPILOT_PROVIDER_BASE_URL": self.api.base_url,
               "COPILOT_PROVIDER_WIRE_API": "completions",
               "COPILOT_PROVIDER_API_KEY": "orchestra-test-key", "COPILOT_MODEL": MODEL}
        assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        line = (f'exec env -i {assignments} TMUX="$TMUX" TMUX_PANE="$TMUX_PANE" '
                f"{shlex.join([COPILOT, *extra])}")
        pane = await self.tmux.start(["sh", "-c", line], cwd=str(self.work),
                                     session=self.session, width=120, height=40)
        self.pane_id, self.pid = pane.pane_id, pane.pid
        # Its first start in a folder asks for trust: the person says yes, for this session.
        await self.wait_for_screen(lambda text: TRUST_QUESTION in text,
                                   "Copilot's folder trust", STARTUP_SECONDS)
        await self.answer_trust()
        await self.wait_for_screen(lambda text: COMPOSER_FOOTER in text and TRUST_QUESTION
                                   not in text, "Copilot's composer", STARTUP_SECONDS)

    async def answer_trust(self) -> None:
        for _ in range(5):
            await self.tmux.run("send-keys", "-t", self.pane_id, "Enter")
            try:
                await self.wait_for_screen(lambda text: TRUST_QUESTION not in text,
                                           "the trust dialog to close", timeout=10)
                return
            except AssertionError:
                continue
        raise AssertionError("the trust dialog never took the answer")


@pytest.fixture
def api() -> Iterator[FakeOpenAIChatAPI]:
    server = FakeOpenAIChatAPI.start()
    yield server
    server.stop()


@pytest.fixture
def copilot(tmp_path: pathlib.Path, tmux, api: FakeOpenAIChatAPI,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Copilot]:
    agent = Copilot(tmp_path, tmux, api)
    monkeypatch.setenv("HOME", str(agent.home))
    monkeypatch.delenv("COPILOT_HOME", raising=False)
    yield agent
    agent.stop()


async def test_real_copilot_reports_approval_then_idle_and_remove_deletes_its_file(
        copilot: Copilot) -> None:
    assert copilot.orchestra("hooks", "install", "--tool", "copilot") == 0
    ours = copilot.hooks / "orchestra.json"
    assert json.loads(ours.read_text())["version"] == 1
    await copilot.start()

    await copilot.prompt(f"run: {copilot.terraform} plan")
    await copilot.wait_for_event("PermissionRequest")
    await copilot.wait_for_screen(lambda text: APPROVAL_QUESTION in text,
                                  "Copilot's approval dialog")
    reading = state_of(copilot.events(), now=time.time())
    assert reading is not None and reading.state is State.APPROVAL, reading
    assert not copilot.terraform_ran.exists()
    row = await copilot.status_row()
    assert (row["state"], row["source"]) == ("approval", "hook"), row
    asked = [event for event in copilot.events() if event.event == "PermissionRequest"]
    assert asked[-1].command == f"{copilot.terraform} plan"  # what `auto_approve` would judge

    await copilot.answer_dialog("Enter")  # "1. Yes" is preselected
    await copilot.wait_for_event("Stop")
    await copilot.wait_for_screen(lambda text: TOOL_DONE_TEXT in text, "the turn's last words")
    events = copilot.events()
    assert state_of(events, now=time.time()).state is State.IDLE
    assert copilot.terraform_ran.exists()
    row = await copilot.status_row()
    assert (row["state"], row["source"]) == ("idle", "hook"), row
    names = [event.event for event in events]
    assert (names.index("UserPromptSubmit") < names.index("PreToolUse")
            < names.index("PermissionRequest") < names.index("PostToolUse")
            < names.index("Stop")), names
    assert {event.pane_id for event in events} == {copilot.pane_id}
    assert {event.tool for event in events} == {"copilot"}
    assert events[-1].session_id  # Copilot's sessionId, in Claude Code's field
    assert (copilot.home / "own-hook.log").read_text().startswith("stopped")  # theirs runs

    assert copilot.orchestra("hooks", "remove", "--tool", "copilot") == 0
    assert not ours.exists()
    assert (copilot.hooks / "mine.json").read_text() == OWN_HOOKS


async def test_enforce_denies_a_forbidden_command_before_copilot_asks(copilot: Copilot) -> None:
    copilot.install_enforcing()
    await copilot.start()

    await copilot.prompt(f"run: {copilot.terraform} destroy -auto-approve")
    await copilot.wait_for_event("Stop")

    denied = [event for event in copilot.events() if event.denied]
    assert [(e.event, e.denied, e.agent) for e in denied] == [
        ("PreToolUse", "terraform destroy", "infra")]
    assert not copilot.terraform_ran.exists()
    assert not any(event.event == "PermissionRequest" for event in copilot.events())
    copilot.the_denial_alert()
    results = [message for request in copilot.api.requests
               for message in request.get("messages", []) if message.get("role") == "tool"]
    assert any("Terraform runs only from CI" in json.dumps(message) for message in results)
