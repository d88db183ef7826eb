"""The real Codex CLI (npm `@openai/codex`) in a real tmux pane, offline against the scripted
OpenAI Responses API on loopback, with orchestra's hooks installed by `orchestra hooks install`:
Codex runs them without asking (orchestra wrote their trust), their events reach the pane's log
(approval while Codex's approval dialog is up, idle after), an enforcing lane's forbidden command
is denied before it runs, `orchestra hooks remove` leaves the person's files byte for byte as
they were, and an agent orchestra starts reports through the launch-time `-c` layer alone.

Skipped, with the reason, where the CLI is not installed; `.ci/run` installs it.
"""

from __future__ import annotations

import json
import pathlib
import shlex
import shutil
import stat
import time
import uuid
from collections.abc import Iterator

import pytest

from orchestra_tui.agents.hook_events import state_of
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, QueueItemState, State
from orchestra_tui.services.hooks.install import HookProgram, launch_injection
from orchestra_tui.services.hooks.tools import codex_trust_hash
from orchestra_tui.services.store.queues import QueueStore
from tests.fake_openai_api import DONE_TEXT, FakeOpenAIAPI
from tests.helpers import async_wait_until
from tests.real_cli import STARTUP_SECONDS, TURN_SECONDS, RealCli

CODEX = shutil.which("codex")
NODE = shutil.which("node")
pytestmark = [
    pytest.mark.real_cli,
    pytest.mark.skipif(CODEX is None or NODE is None,
                       reason="Codex is not installed: npm install -g @openai/codex@0.171.0 "
                              "(.ci/run does)"),
]
KEY_VARIABLE = "ORCHESTRA_TEST_OPENAI_KEY"
APPROVAL_QUESTION = "Would you like to run the following command?"
# The person's own Codex setup: a provider, folder trust, the notices Codex already showed them
# (so Codex itself has nothing to write back), and a hook of theirs they trusted in /hooks.
PERSONAL_CONFIG = """# my codex
model = "gpt-5.1-codex"
model_provider = "scripted"
approval_policy = "on-request"
sandbox_mode = "read-only"
check_for_update_on_startup = false

[model_providers.scripted]
name = "Scripted"
base_url = "{base_url}"
wire_api = "responses"
env_key = "{key_variable}"

[projects."{work}"]
trust_level = "trusted"

[tui]
screen_reader_detection_done = true

[tui.model_availability_nux]
"gpt-6.1-sol" = 100

[hooks.state."{hooks_json}:stop:0:0"]
trusted_hash = "{own_hash}"
"""
OWN_HANDLER = {"type": "command", "command": 'echo stopped >> "$HOME/own-hook.log"'}
PERSONAL_HOOKS = json.dumps({"hooks": {"Stop": [{"hooks": [OWN_HANDLER]}]}}, indent=2) + "\n"


class Codex(RealCli):
    """One Codex in a tmux pane, with its private HOME and CODEX_HOME, project and data dir."""

    tool = "codex"
    question = APPROVAL_QUESTION

    def __init__(self, root: pathlib.Path, tmux, api: FakeOpenAIAPI) -> None:
        self.home = root / "home"
        self.codex_home = self.home / ".codex"
        self.work = root / "work"
        self.data = root / "data"
        self.config = root / "config.toml"
        self.bin = root / "bin"
        self.tmux = tmux
        self.api = api
        self.session = f"codex-{uuid.uuid4().hex[:6]}"
        self.pane_id = ""
        for directory in (self.codex_home, self.work, self.bin):
            directory.mkdir(parents=True)
        self.hooks_json = self.codex_home / "hooks.json"
        self.codex_config = self.codex_home / "config.toml"
        self.hooks_json.write_text(PERSONAL_HOOKS, encoding="utf-8")
        self.codex_config.write_text(PERSONAL_CONFIG.format(
            base_url=api.base_url, key_variable=KEY_VARIABLE, work=self.work,
            hooks_json=self.hooks_json, own_hash=codex_trust_hash("Stop", OWN_HANDLER)),
            encoding="utf-8")
        self.originals = {path: path.read_bytes() for path in (self.hooks_json,
                                                               self.codex_config)}
        # A stand-in `terraform` that leaves a mark if it ever runs. Prompts name it by its
        # path: Codex runs commands in a login shell, whose profile sets PATH anew.
        self.terraform_ran = root / "terraform-ran"
        self.terraform = self.bin / "terraform"
        self.terraform.write_text(f"#!/bin/sh\ntouch {shlex.quote(str(self.terraform_ran))}\n")
        self.terraform.chmod(self.terraform.stat().st_mode | stat.S_IXUSR)

    def unchanged(self) -> bool:
        return all(path.read_bytes() == data for path, data in self.originals.items())

    async def start(self, *extra: str) -> None:
        path = [str(self.bin), str(pathlib.Path(CODEX).parent), str(pathlib.Path(NODE).parent),
                "/usr/bin", "/bin"]
        env = {"HOME": str(self.home), "CODEX_HOME": str(self.codex_home),
               "TERM": "xterm-256color", "PATH": ":".join(dict.fromkeys(path)),
               KEY_VARIABLE: "sk-orchestra-test"}
        assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        # Only what Codex needs, plus the pane's own tmux variables (hooks inherit them).
        line = (f'exec env -i {assignments} TMUX="$TMUX" TMUX_PANE="$TMUX_PANE" '
                f"{shlex.quote(CODEX)} --no-daemon {shlex.join(extra)}")
        pane = await self.tmux.start(["sh", "-c", line], cwd=str(self.work),
                                     session=self.session, width=120, height=40)
        self.pane_id = pane.pane_id
        # No "Hooks need review" dialog: orchestra's hooks are trusted, the person's too.
        await self.wait_for_screen(lambda text: "for shortcuts" in text, "Codex's composer",
                                   STARTUP_SECONDS)


@pytest.fixture
def api() -> Iterator[FakeOpenAIAPI]:
    server = FakeOpenAIAPI.start()
    yield server
    server.stop()


@pytest.fixture
def codex(tmp_path: pathlib.Path, tmux, api: FakeOpenAIAPI,
          monkeypatch: pytest.MonkeyPatch) -> Codex:
    agent = Codex(tmp_path, tmux, api)
    monkeypatch.setenv("HOME", str(agent.home))
    monkeypatch.setenv("CODEX_HOME", str(agent.codex_home))
    return agent


async def test_real_codex_reports_approval_then_idle_and_remove_restores_its_files(
        codex: Codex) -> None:
    assert codex.orchestra("hooks", "install", "--tool", "codex") == 0
    assert not codex.unchanged()
    await codex.start()

    await codex.prompt(f"run: {codex.terraform} plan")
    await codex.wait_for_event("PermissionRequest")
    await codex.wait_for_screen(lambda text: APPROVAL_QUESTION in text,
                                "Codex's approval dialog")
    reading = state_of(codex.events(), now=time.time())
    assert reading is not None and reading.state is State.APPROVAL, reading
    assert not codex.terraform_ran.exists()
    row = await codex.status_row()
    assert (row["state"], row["source"]) == ("approval", "hook"), row

    await codex.answer_dialog("y")  # "Yes, proceed"
    await codex.wait_for_event("Stop")
    await codex.wait_for_screen(lambda text: DONE_TEXT in text, "the turn's last words")
    events = codex.events()
    assert state_of(events, now=time.time()).state is State.IDLE
    assert codex.terraform_ran.exists()
    row = await codex.status_row()
    assert (row["state"], row["source"]) == ("idle", "hook"), row
    names = [event.event for event in events]
    assert names.index("PermissionRequest") < names.index("PostToolUse") < names.index("Stop")
    assert {event.pane_id for event in events} == {codex.pane_id}
    assert (codex.home / "own-hook.log").read_text().startswith("stopped")  # theirs still runs

    assert codex.orchestra("hooks", "remove", "--tool", "codex") == 0
    assert codex.unchanged()


async def test_enforce_denies_a_forbidden_command_before_codex_runs_it(codex: Codex) -> None:
    codex.install_enforcing()
    await codex.start()

    await codex.prompt(f"run: {codex.terraform} destroy -auto-approve")
    await codex.wait_for_event("Stop")

    denied = [event for event in codex.events() if event.denied]
    assert [(e.event, e.denied, e.agent) for e in denied] == [
        ("PreToolUse", "terraform destroy", "infra")]
    assert not codex.terraform_ran.exists()
    assert not any(event.event == "PermissionRequest" for event in codex.events())
    codex.the_denial_alert()
    # What the model was told: the reason travels in the tool output of the next request.
    outputs = [item for request in codex.api.requests for item in request.get("input", [])
               if isinstance(item, dict) and item.get("type") == "function_call_output"]
    assert any("Terraform runs only from CI" in json.dumps(item) for item in outputs)


async def test_an_agent_orchestra_starts_reports_through_the_launch_layer(codex: Codex) -> None:
    """No install: the launch-time `-c hooks={...}` (hooks and their trust, for this run only)
    alone makes Codex report, with the agent's name; the person's files are never touched."""
    program = HookProgram(data_dir=codex.data, config=codex.config)
    injection = launch_injection("codex", program, agent="api")
    await codex.start(*injection.args)
    await codex.prompt("say hello")
    await codex.wait_for_event("Stop")
    events = codex.events()
    assert {event.agent for event in events} == {"api"}
    assert state_of(events, now=time.time()).state is State.IDLE
    assert codex.unchanged()


async def test_a_queued_prompt_reaches_the_real_codex_once_after_its_turn(codex: Codex) -> None:
    """Orchestra's Fleet types into the real composer through the send gate: a prompt sent
    now starts a turn (held by the scripted API), the queued one goes in once that turn is
    over, and Codex sends each to the model exactly once."""
    assert codex.orchestra("hooks", "install", "--tool", "codex") == 0
    await codex.start()
    store = QueueStore(codex.data)
    store.load()
    fleet = Fleet(codex.tmux, [AgentSpec(name="coder", tool="codex", target=codex.pane_id)],
                  store=store, settings=FleetSettings(idle_debounce=0.4))
    await fleet.refresh()
    await fleet.send_now("coder", "slow: 3")
    await codex.wait_for_event("UserPromptSubmit")
    await fleet.enqueue("coder", "the queued follow-up")

    async def delivered() -> bool:
        await fleet.refresh()
        fleet.dispatch_ready()
        return all(item.state == QueueItemState.SENT for item in store.items("coder"))

    await async_wait_until(delivered, timeout=TURN_SECONDS, interval=0.2,
                           message="the queued prompt delivered")
    await fleet.wait_for_sends()
    await codex.wait_for_event("Stop", more_than=1)
    prompts = [[text for item in request.get("input", []) if item.get("role") == "user"
                for part in item.get("content", []) if isinstance(part, dict)
                for text in [part.get("text", "")] if not text.startswith("<")]
               for request in codex.api.requests if request.get("tools")]
    assert prompts[-1] == ["slow: 3", "the queued follow-up"]
    names = [event.event for event in codex.events()]
    assert names.count("UserPromptSubmit") == 2
    # The follow-up went in after the first turn ended, not into its middle.
    assert names.index("Stop") < len(names) - 1 - names[::-1].index("UserPromptSubmit")
