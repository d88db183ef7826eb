"""The real Gemini CLI (npm `@google/gemini-cli`) in a real tmux pane, offline against the scripted
Gemini API on loopback, with orchestra's hooks installed by `orchestra hooks install`: their
events reach the pane's log (approval while Gemini's "Allow execution of" dialog is up, idle
after), an enforcing lane's forbidden command is denied before it runs, and `orchestra hooks
remove` leaves the person's settings.json byte for byte as it was.

Gemini 0.61 runs the hooks of settings.json only in a trusted folder (its own or a parent named
in `~/.gemini/trustedFolders.json`), so the person here trusted the project, as its first-start
dialog asks them to. Skipped, with the reason, where the CLI is not installed; `.ci/run`
installs it.
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
from tests.fake_gemini_api import DONE_TEXT, FakeGeminiAPI
from tests.helpers import wait_until
from tests.real_cli import STARTUP_SECONDS, RealCli

GEMINI = shutil.which("gemini")
NODE = shutil.which("node")
pytestmark = [
    pytest.mark.real_cli,
    pytest.mark.skipif(GEMINI is None or NODE is None,
                       reason="Gemini CLI is not installed: npm install -g "
                              "@google/gemini-cli@0.61.0 (.ci/run does)"),
]
APPROVAL_QUESTION = "Allow execution of"
COMPOSER_PLACEHOLDER = "Type your message or @path/to/file"
# The person's own Gemini settings: an API key sign-in, no update checks, and a hook of theirs.
OWN_HANDLER = {"name": "mine", "type": "command",
               "command": 'echo stopped >> "$HOME/own-hook.log"'}
PERSONAL_SETTINGS = json.dumps({
    "security": {"auth": {"selectedType": "gemini-api-key"}},
    "general": {"enableAutoUpdate": False, "enableAutoUpdateNotification": False},
    "privacy": {"usageStatisticsEnabled": False},
    "hooks": {"AfterAgent": [{"hooks": [OWN_HANDLER]}]},
}, indent=2) + "\n"


class Gemini(RealCli):
    """One Gemini CLI in a tmux pane, with its private HOME, project and data dir."""

    tool = "gemini"
    question = APPROVAL_QUESTION
    submit_event = "BeforeAgent"

    def __init__(self, root: pathlib.Path, tmux, api: FakeGeminiAPI) -> None:
        self.home = root / "home"
        self.work = root / "work"
        self.data = root / "data"
        self.config = root / "config.toml"
        self.bin = root / "bin"
        self.tmux = tmux
        self.api = api
        self.session = f"gemini-{uuid.uuid4().hex[:6]}"
        self.pane_id = ""
        self.pid = 0
        for directory in (self.home / ".gemini", self.work, self.bin):
            directory.mkdir(parents=True)
        self.settings = self.home / ".gemini" / "settings.json"
        self.settings.write_text(PERSONAL_SETTINGS, encoding="utf-8")
        (self.home / ".gemini" / "trustedFolders.json").write_text(
            json.dumps({str(self.work): "TRUST_FOLDER"}), encoding="utf-8")
        self.original = self.settings.read_bytes()
        # A stand-in `terraform` that leaves a mark if it ever runs.
        self.terraform_ran = root / "terraform-ran"
        self.terraform = self.bin / "terraform"
        self.terraform.write_text(f"#!/bin/sh\ntouch {shlex.quote(str(self.terraform_ran))}\n")
        self.terraform.chmod(self.terraform.stat().st_mode | stat.S_IXUSR)

    def unchanged(self) -> bool:
        return self.settings.read_bytes() == self.original

    def running(self) -> bool:
        try:
            return b"gemini" in pathlib.Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except OSError:
            return False

    def stop(self) -> None:
        """End Gemini and the process it relaunches itself as. Gemini 0.61 outlives its pane:
        its launcher ignores SIGHUP and the CLI keeps running when the terminal is gone. The
        pane's program leads its own process group, so the group's SIGTERM reaches both."""
        if not self.pid or not self.running():
            return
        try:
            os.killpg(self.pid, signal.SIGTERM)
            wait_until(lambda: not self.running(), timeout=20, interval=0.2,
                       message="Gemini to exit")
        except ProcessLookupError:
            pass  # gone in between
        except AssertionError:
            os.killpg(self.pid, signal.SIGKILL)

    async def start(self) -> None:
        path = [str(self.bin), str(pathlib.Path(GEMINI).parent), str(pathlib.Path(NODE).parent),
                "/usr/bin", "/bin"]
        env = {"HOME": str(self.home), "TERM": "xterm-256color",
               "PATH": ":".join(dict.fromkeys(path)), "GEMINI_API_KEY": "orchestra-test-key",
               "GOOGLE_GEMINI_BASE_URL": self.api.base_url}
        assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        # Only what Gemini needs, plus the pane's own tmux variables (hooks inherit them).
        line = (f'exec env -i {assignments} TMUX="$TMUX" TMUX_PANE="$TMUX_PANE" '
                f"{shlex.quote(GEMINI)}")
        pane = await self.tmux.start(["sh", "-c", line], cwd=str(self.work),
                                     session=self.session, width=120, height=40)
        self.pane_id, self.pid = pane.pane_id, pane.pid
        # No trust dialog: the person trusted this folder.
        await self.wait_for_screen(lambda text: COMPOSER_PLACEHOLDER in text,
                                   "Gemini's composer", STARTUP_SECONDS)
        await self.wait_for_event("SessionStart", STARTUP_SECONDS)


@pytest.fixture
def api() -> Iterator[FakeGeminiAPI]:
    server = FakeGeminiAPI.start()
    yield server
    server.stop()


@pytest.fixture
def gemini(tmp_path: pathlib.Path, tmux, api: FakeGeminiAPI,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Gemini]:
    agent = Gemini(tmp_path, tmux, api)
    monkeypatch.setenv("HOME", str(agent.home))
    yield agent
    agent.stop()


async def test_real_gemini_reports_approval_then_idle_and_remove_restores_its_settings(
        gemini: Gemini) -> None:
    assert gemini.orchestra("hooks", "install", "--tool", "gemini") == 0
    assert not gemini.unchanged()
    await gemini.start()

    await gemini.prompt(f"run: {gemini.terraform} plan")
    await gemini.wait_for_event("Notification")
    await gemini.wait_for_screen(lambda text: APPROVAL_QUESTION in text,
                                 "Gemini's approval dialog")
    reading = state_of(gemini.events(), now=time.time())
    assert reading is not None and reading.state is State.APPROVAL, reading
    assert reading.reason == "hook: Notification (ToolPermission)"
    assert not gemini.terraform_ran.exists()
    row = await gemini.status_row()
    assert (row["state"], row["source"]) == ("approval", "hook"), row

    await gemini.answer_dialog("Enter")  # "1. Allow once" is preselected
    await gemini.wait_for_event("AfterAgent")
    await gemini.wait_for_screen(lambda text: DONE_TEXT in text, "the turn's last words")
    events = gemini.events()
    assert state_of(events, now=time.time()).state is State.IDLE
    assert gemini.terraform_ran.exists()
    row = await gemini.status_row()
    assert (row["state"], row["source"]) == ("idle", "hook"), row
    names = [event.event for event in events]
    assert (names.index("BeforeAgent") < names.index("BeforeTool")
            < names.index("Notification") < names.index("AfterTool")
            < names.index("AfterAgent")), names
    assert {event.pane_id for event in events} == {gemini.pane_id}
    assert (gemini.home / "own-hook.log").read_text().startswith("stopped")  # theirs still runs

    assert gemini.orchestra("hooks", "remove", "--tool", "gemini") == 0
    assert gemini.unchanged()


async def test_enforce_denies_a_forbidden_command_before_gemini_runs_it(gemini: Gemini) -> None:
    gemini.install_enforcing()
    await gemini.start()

    await gemini.prompt(f"run: {gemini.terraform} destroy -auto-approve")
    await gemini.wait_for_event("AfterAgent")

    denied = [event for event in gemini.events() if event.denied]
    assert [(e.event, e.denied, e.agent) for e in denied] == [
        ("BeforeTool", "terraform destroy", "infra")]
    assert not gemini.terraform_ran.exists()
    assert not any(event.event == "Notification" for event in gemini.events())
    gemini.the_denial_alert()
    # What the model was told: the reason travels in the function response of the next request.
    responses = [part for request in gemini.api.requests
                 for item in request.get("contents", []) if isinstance(item, dict)
                 for part in item.get("parts", []) if "functionResponse" in part]
    assert any("Terraform runs only from CI" in json.dumps(part) for part in responses)
