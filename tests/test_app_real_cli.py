"""The real app, driven as a person drives it, over the real agent CLIs: orchestra runs in a pane
of a second tmux server (the person's terminal, TMUX unset), keys go in with `send-keys` and its
screen is read with `capture-pane`; the agent is the real Claude Code (or Codex) in a pane of
the agents' tmux server, offline against the scripted model API, with orchestra's hooks
installed by `orchestra hooks install` in its private HOME (as the README recommends).

What it pins: with hooks installed, `y` and `n` in the app answer the real CLI's permission
dialog (the dialog is identified by a typed key, not by the hook's display reason, which once
never matched the screen's), and a follow-up queued with `orchestra send --queue` goes in once,
only after the turn it waited for has ended.

Skipped, with the reason, where a CLI is not installed; `.ci/run` installs them.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.tmux.runner import LocalTmuxRunner
from orchestra_tui.services.tmux.service import TmuxService
from tests.fake_anthropic_api import FakeAnthropicAPI, _Handler
from tests.fake_openai_api import FakeOpenAIAPI
from tests.helpers import async_wait_until
from tests.real_cli import (
    CLAUDE,
    CLAUDE_MISSING,
    STARTUP_SECONDS,
    TURN_SECONDS,
    RealCli,
    claude_command,
    claude_home,
    wait_for_pane,
)
from tests.test_hooks_codex import CODEX, NODE, Codex
from tests.tmux_fixtures import REPO, screen

pytestmark = pytest.mark.real_cli
needs_claude = pytest.mark.skipif(CLAUDE is None, reason=CLAUDE_MISSING)
needs_codex = pytest.mark.skipif(CODEX is None or NODE is None,
                                 reason="Codex is not installed: npm install -g "
                                        "@openai/codex@0.171.0 (.ci/run does)")
CHANGED = "dialog changed"  # the toast a stale answer raises: never wanted here


class _TimedHandler(_Handler):
    """The scripted API's handler, noting when each recorded request arrived."""

    def record(self, method: str, body=None) -> None:
        if body is not None:
            with self.server.lock:
                self.server.arrivals = [*getattr(self.server, "arrivals", []), time.time()]
        super().record(method, body)


class TimedAnthropicAPI(FakeAnthropicAPI):
    handler = _TimedHandler

    def arrivals(self) -> list[tuple[float, dict]]:
        """(arrival time, body) of each recorded request, in the order they came."""
        with self._server.lock:
            return list(zip(getattr(self._server, "arrivals", []), self._server.requests))


def prompt_of(body: dict) -> str:
    """The person's words in a turn's request (one with tools): the last user message's text
    parts that are not Claude Code's own reminders; "" for a side request."""
    if not body.get("tools"):
        return ""
    for message in reversed(body.get("messages") or []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else content
        texts = [part.get("text", "") for part in parts or []
                 if isinstance(part, dict) and part.get("type") == "text"]
        return "\n".join(t for t in texts if not t.lstrip().startswith("<")).strip()
    return ""


class Claude(RealCli):
    """Claude Code in a pane of the agents' server, as agent `api` of the config."""

    tool = "claude"
    question = "Do you want to proceed?"

    def __init__(self, root: pathlib.Path, tmux: TmuxService, api: TimedAnthropicAPI) -> None:
        self.home = root / "home"
        self.work = root / "work"
        self.data = root / "data"
        self.config = root / "config.toml"
        self.tmux = tmux
        self.api = api
        self.session = f"claude-{uuid.uuid4().hex[:6]}"
        self.pane_id = ""
        self.work.mkdir(parents=True)
        claude_home(self.home, self.work)

    async def start(self) -> None:
        self.config.write_text(
            f'[[agent]]\nname = "api"\ntool = "claude"\ntarget = "{self.session}"\n',
            encoding="utf-8")
        assert self.orchestra("hooks", "install", "--tool", "claude") == 0
        line = claude_command(self.home, self.api.base_url, hooks_env=True)
        pane = await self.tmux.start(["sh", "-c", line], cwd=str(self.work),
                                     session=self.session, width=120, height=40)
        self.pane_id = pane.pane_id
        await self.wait_for_event("SessionStart", STARTUP_SECONDS)
        await self.wait_for_screen(lambda text: "? for shortcuts" in text or "mode on" in text,
                                   "Claude Code's composer", STARTUP_SECONDS)

    def journal(self, event: str) -> list[dict]:
        return journal(self, event)


class CodexAgent(Codex):
    """Codex (with the person's own setup of tests/test_hooks_codex.py) in a pane of the
    agents' server, as agent `api` of the config, with orchestra's hooks installed."""

    async def start(self) -> None:
        self.config.write_text(
            f'[[agent]]\nname = "api"\ntool = "codex"\ntarget = "{self.session}"\n',
            encoding="utf-8")
        assert self.orchestra("hooks", "install", "--tool", "codex") == 0
        await super().start()


def journal(agent: RealCli, event: str) -> list[dict]:
    return Journal(agent.data / "journal.jsonl").read(events=(event,))


async def journaled(agent: RealCli, event: str) -> list[dict]:
    """The journal's `event` entries, once there is one."""
    async def found() -> list[dict]:
        return journal(agent, event)

    return await async_wait_until(found, timeout=20, interval=0.2,
                                  message=f"an {event} in the journal")


APP_ENDED = "orchestra ended with status"


class App:
    """The real `orchestra` app in the person's terminal (a pane of another tmux server)."""

    def __init__(self, terminal: TmuxService, agent: RealCli, **env: str) -> None:
        self.terminal = terminal
        self.agent = agent
        self.env = {"PYTHONPATH": str(REPO), "HOME": str(agent.home), **env}
        self.pane_id = ""
        self.screens: list[str] = []  # every screen read, for the "no toast ever" check

    async def start(self) -> None:
        argv = [sys.executable, "-m", "orchestra_tui", "--config", str(self.agent.config),
                "-L", self.agent.tmux.runner.socket_name, "--data-dir", str(self.agent.data)]
        # An app that ends leaves its last words on screen (a traceback), not a closed pane
        # whose tmux server went with it.
        pane = await self.terminal.start(
            ["sh", "-c", f'"$@"; echo "{APP_ENDED} $?"; exec sleep 3600', "sh",
             "env", "-u", "TMUX", "-u", "TMUX_PANE", "-u", "COLUMNS", "-u", "LINES",
             *(f"{key}={value}" for key, value in self.env.items()), *argv],
            session="term", cwd=str(REPO), width=140, height=40)
        self.pane_id = pane.pane_id
        await self.wait_for(lambda text: "Approve" in text, "the app's fleet screen",
                            STARTUP_SECONDS)

    async def wait_for(self, predicate, message: str, timeout: float = TURN_SECONDS) -> str:
        def noted(text: str) -> bool:
            self.screens.append(text)
            assert APP_ENDED not in text, f"the app ended while waiting for {message}:\n{text}"
            return predicate(text)

        return await wait_for_pane(self.terminal, self.pane_id, noted, message, timeout)

    async def press(self, key: str) -> None:
        await self.terminal.send_keys(self.pane_id, key)

    async def text(self) -> str:
        shown = await screen(self.terminal, self.pane_id)
        self.screens.append(shown)
        return shown


@pytest.fixture
def api() -> Iterator[TimedAnthropicAPI]:
    server = TimedAnthropicAPI.start()
    yield server
    server.stop()


@pytest.fixture
async def terminal() -> AsyncIterator[TmuxService]:
    """The person's terminal: a tmux server of its own (see tests/test_attach.py)."""
    service = TmuxService(LocalTmuxRunner(socket_name=f"orch-term-{uuid.uuid4().hex[:10]}",
                                          config_file="/dev/null"))
    yield service
    await service.kill_server()


@pytest.fixture
def openai_api() -> Iterator[FakeOpenAIAPI]:
    server = FakeOpenAIAPI.start()
    yield server
    server.stop()


@pytest.fixture
def codex(tmp_path: pathlib.Path, tmux: TmuxService, openai_api: FakeOpenAIAPI,
          monkeypatch: pytest.MonkeyPatch) -> CodexAgent:
    agent = CodexAgent(tmp_path, tmux, openai_api)
    monkeypatch.setenv("HOME", str(agent.home))
    monkeypatch.setenv("CODEX_HOME", str(agent.codex_home))
    return agent


@pytest.fixture
def claude(tmp_path: pathlib.Path, tmux: TmuxService, api: TimedAnthropicAPI,
           monkeypatch: pytest.MonkeyPatch) -> Claude:
    agent = Claude(tmp_path, tmux, api)
    monkeypatch.setenv("HOME", str(agent.home))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    return agent


def _row(text: str) -> str:
    """The fleet row of agent `api` on the app's screen ("" when it shows none)."""
    return next((line for line in text.splitlines() if " api " in line and "│" in line), "")


def _dialog_shown_from_hook(question: str):
    """What the person waits for before answering: the row says APPROVAL, the pane's preview
    shows the dialog and its subtitle says the hook told it ("approval <1m · hook: …", once the
    toast that tells of the approval no longer covers it)."""
    def shown(text: str) -> bool:
        return ("APPROVAL" in _row(text) and question in text
                and re.search(r"approval (<1m|\d+[mhd]\w*) · hook: ", text) is not None)
    return shown


async def _answer_in_the_app(app: App, agent: RealCli, key: str, command: str) -> None:
    """Make the agent ask to run `command`, wait until the app shows the dialog, in approval
    from the agent's hook, press `key` in the app, and wait until the dialog is gone."""
    before = agent.count("PermissionRequest")
    await agent.prompt(f"run: {command}")
    await agent.wait_for_event("PermissionRequest", more_than=before)
    await agent.wait_for_screen(lambda text: agent.question in text, "the agent's dialog")
    await app.wait_for(_dialog_shown_from_hook(agent.question),
                       "api in approval on the app's screen, told by its hook")
    await app.press(key)
    await agent.wait_for_screen(lambda text: agent.question not in text,
                                f"the dialog answered by {key!r} in the app")


async def _y_then_n(app: App, agent: RealCli) -> None:
    """`y` in the app runs the command the agent asks for; then `n` refuses the next one; the
    journal says so and no answer was ever refused ("dialog changed", "nothing sent")."""
    await _answer_in_the_app(app, agent, "y", "touch APPROVED")
    await agent.wait_for_event("Stop")
    await app.wait_for(lambda text: "IDLE" in _row(text), "api idle on the app's screen")
    assert (agent.work / "APPROVED").exists()
    [approval] = await journaled(agent, "approval")
    assert approval["agent"] == "api", approval
    assert journal(agent, "denial") == []

    await _answer_in_the_app(app, agent, "n", "touch DENIED")
    [denial] = await journaled(agent, "denial")
    assert denial["agent"] == "api", denial
    assert len(journal(agent, "approval")) == 1
    await app.wait_for(lambda text: "IDLE" in _row(text), "api idle after the denial")
    assert not (agent.work / "DENIED").exists()
    refused = [shown for shown in app.screens if CHANGED in shown or "nothing sent" in shown]
    assert not refused, refused[0]


@needs_claude
async def test_y_and_n_in_the_app_answer_real_claude_codes_dialog(
        claude: Claude, terminal: TmuxService) -> None:
    await claude.start()
    app = App(terminal, claude)
    await app.start()
    await _y_then_n(app, claude)
    assert [entry["keys"] for entry in journal(claude, "approval")] == [["Enter"]]


@needs_codex
async def test_y_and_n_in_the_app_answer_real_codexs_dialog(
        codex: CodexAgent, terminal: TmuxService) -> None:
    await codex.start()
    app = App(terminal, codex, CODEX_HOME=str(codex.codex_home))
    await app.start()
    await _y_then_n(app, codex)


@needs_claude
async def test_a_follow_up_queued_with_orchestra_send_goes_in_once_after_the_turn(
        claude: Claude, terminal: TmuxService) -> None:
    """`orchestra send api --queue TEXT`, run while Claude Code's turn streams: the running app
    types it once that turn has ended, and the model is asked with it exactly once."""
    follow_up = "the queued follow-up"
    await claude.start()
    app = App(terminal, claude)
    await app.start()
    await app.wait_for(lambda text: "IDLE" in _row(text), "api idle on the app's screen")

    await claude.prompt("slow: 8")  # a turn whose answer streams for about 8 seconds
    await app.wait_for(lambda text: "WORKING" in _row(text), "api working on the app's screen")
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "orchestra_tui", "send", "api", "--queue", follow_up,
         "--config", str(claude.config), "--data-dir", str(claude.data),
         "-L", claude.tmux.runner.socket_name],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert claude.count("Stop") == 0, "the first turn ended before the follow-up was queued"

    async def asked() -> list[tuple[float, dict]]:
        return [(at, body) for at, body in claude.api.arrivals()
                if prompt_of(body) == follow_up]

    await async_wait_until(asked, timeout=TURN_SECONDS, interval=0.2,
                           message="the follow-up at the scripted API")
    await claude.wait_for_event("Stop", more_than=1)
    await app.wait_for(lambda text: "IDLE" in _row(text), "api idle after the follow-up")

    turns = [(at, prompt_of(body)) for at, body in claude.api.arrivals() if prompt_of(body)]
    assert [prompt for _, prompt in turns] == ["slow: 8", follow_up], turns
    first_stop = next(event.at for event in claude.events() if event.event == "Stop")
    [(asked_at, _)] = await asked()
    assert asked_at > first_stop, (asked_at, first_stop)  # not into the turn's middle
    assert claude.count("UserPromptSubmit") == 2
    # The app typed it once, from the queue, and said it was delivered.
    sent = [entry for entry in claude.journal("prompt_sent") if entry["text"] == follow_up]
    assert [(e["agent"], e["source"], e["delivered"]) for e in sent] == [
        ("api", "cli", True)], sent


@needs_claude
async def test_y_pressed_as_soon_as_the_app_says_approval_answers_the_dialog(
        claude: Claude, terminal: TmuxService) -> None:
    """The person presses `y` the moment the row says APPROVAL (the hook told it), before
    Claude Code drew its dialog: the dialog it then draws is the one they approved."""
    await claude.start()
    app = App(terminal, claude)
    await app.start()

    async def approval_shown() -> bool:  # looked at often: the window is short
        return "APPROVAL" in _row(await app.text())

    for attempt in range(5):  # the window is short: try again when it was missed
        made = claude.work / f"APPROVED-{attempt}"
        stops = claude.count("Stop")
        await claude.prompt(f"run: touch {made.name}")
        await async_wait_until(approval_shown, timeout=30, interval=0.02,
                               message="api in approval on the app's screen")
        if claude.question not in await screen(claude.tmux, claude.pane_id):
            await app.press("y")
            break
        await claude.answer_dialog("1")  # missed: answered in its pane, the turn ends
        await claude.wait_for_event("Stop", more_than=stops)
        await app.wait_for(lambda text: "IDLE" in _row(text), "api idle again")
    else:
        pytest.skip("Claude Code drew its dialog each time before the app showed approval")

    async def ran() -> bool:
        await app.text()
        return made.exists()

    try:
        await async_wait_until(ran, timeout=15, interval=0.2, message="the approved command")
    except AssertionError:
        pass
    refused = [shown for shown in app.screens if "nothing sent" in shown]
    assert made.exists() and not refused, (refused or app.screens)[-1]
