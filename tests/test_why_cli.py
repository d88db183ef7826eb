"""`orchestra why NAME [--json]` run as a person runs it (a subprocess) on a simulated agent in
a real tmux pane, with hook events in its data dir and a disagreement in its journal; every
state orchestra shows explained; an agent retired between its name's resolution and its
explanation; hostile text (control bytes in a hook event and a screen) printed inert."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import pytest

from orchestra_tui.agents.hook_events import HookEvent, HookReading
from orchestra_tui.agents.tracker import Timers
from orchestra_tui.commands.why import explanation_for
from orchestra_tui.core.fleet.evidence import AgentEvidence
from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.core.fleet.state import AgentView
from orchestra_tui.core.why import Authority, explain
from orchestra_tui.errors import AgentNotFound
from orchestra_tui.models import (
    AgentRecord,
    AgentSpec,
    AgentStatus,
    Detection,
    QueueItem,
    QueueItemState,
    State,
)
from orchestra_tui.services.hooks.install import HookProgram
from orchestra_tui.services.store.agents_registry import AgentsRegistry
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.ui.wording.states import STATE_PHRASES
from orchestra_tui.ui.wording.why import why_text
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, start_fake_agent, wait_for_screen


def orchestra(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "orchestra_tui", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


async def test_why_explains_a_hooked_working_agent_with_its_queue(tmux, tmp_path):
    pane = await start_fake_agent(tmux, "claude", tmp_path / "agent.jsonl")
    data = tmp_path / "data"
    config = tmp_path / "config.toml"
    config.write_text(f'[[agent]]\nname = "api"\ntool = "claude"\ntarget = "{pane.pane_id}"\n')
    base = ["-L", tmux.runner.socket_name, "--config", str(config), "--data-dir", str(data)]
    await tmux.send_text(pane.pane_id, "refactor the client [work 60]")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "esc to interrupt" in s,
                          message="the agent working")
    now = time.time()
    # The hook program as Claude Code runs it: the event as JSON on stdin, its pane in the env.
    program = HookProgram(data_dir=data, config=config)
    env = {key: value for key, value in os.environ.items() if key not in ("TMUX", "TMUX_PANE")}
    for event in ({"hook_event_name": "UserPromptSubmit", "prompt": "refactor the client"},
                  # hostile: a terminal escape in what the agent's hook reported
                  {"hook_event_name": "Notification",
                   "notification_type": "\x1b]0;pwned\x07\x1b[2J"},
                  {"hook_event_name": "PreToolUse", "tool_name": "Bash",
                   "tool_input": {"command": "pytest -q"}}):
        ran = subprocess.run(program.argv("claude", ""), cwd=REPO, capture_output=True,
                             input=json.dumps({"session_id": "s-1", **event}).encode(),
                             env={**env, "TMUX_PANE": pane.pane_id}, timeout=30)
        assert ran.returncode == 0 and ran.stdout == b"", ran.stderr
    Journal(data / "journal.jsonl").append("disagreement", agent="api", at=now - 600,
                                           hook="approval", screen="idle",
                                           reason="idle (hook said approval 9s ago)")
    queued = orchestra(*base, "send", "api", "--queue", "then run the tests")
    assert queued.returncode == 0, queued.stderr

    done = orchestra(*base, "why", "api", "--json")
    assert done.returncode == 0, done.stderr
    told = json.loads(done.stdout)
    assert (told["agent"], told["state"], told["authority"]) == ("api", "working", "hook")
    assert told["authority_why"] == "the hook event and the screen agree"
    hooks = [clue["text"] for clue in told["evidence"] if clue["kind"] == "hook"]
    assert hooks[0] == "claude reported UserPromptSubmit"
    assert "claude reported PreToolUse (Bash)" in hooks
    assert any(clue["kind"] == "screen" and "esc to interrupt" in clue["text"]
               for clue in told["evidence"])
    assert any(clue["kind"] == "timer" and "stuck after 60s" in clue["text"]
               for clue in told["evidence"])
    disagreement = [clue for clue in told["evidence"] if clue["kind"] == "disagreement"]
    assert disagreement and disagreement[0]["at"] == pytest.approx(now - 600)
    assert told["queue"]["waits"] == "busy"
    assert told["next"].startswith(f'send {told["queue"]["item"]} "then run the tests" when '
                                   "its turn ends")

    said = orchestra(*base, "why", pane.pane_id)  # a pane id names it too
    assert said.returncode == 0, said.stderr
    assert said.stdout.startswith("api is working for ")
    assert "decided by its own hook event" in said.stdout
    assert "\x1b" not in said.stdout and "␛]0;pwned␇␛[2J" in said.stdout

    unknown = orchestra(*base, "why", "nobody")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "orchestra: no agent named 'nobody' (known: api)"


async def test_an_agent_retired_between_resolve_and_explain_is_said_gone(tmux, tmp_path):
    pane = await start_fake_agent(tmux, "codex", tmp_path / "agent.jsonl")
    registry = AgentsRegistry(tmp_path / "data")
    registry.add(AgentRecord(spec=AgentSpec(name="w1", tool="codex", target=pane.pane_id)))
    fleet = Fleet(tmux, [], discover=False, read_only=True, registry=registry)

    async def retire_after_the_first_look() -> None:
        async def looked() -> bool:
            return fleet.snapshot.at > 0
        await async_wait_until(looked, interval=0.01, message="the first look")
        registry.remove("w1")

    retiring = asyncio.ensure_future(retire_after_the_first_look())
    with pytest.raises(AgentNotFound, match="w1 left the fleet while it was being looked at"):
        await explanation_for(fleet, "w1")
    await retiring


def _view(state: State, *, pane: str | None = "%1", source: str = "screen",
          queue: tuple[QueueItem, ...] = ()) -> AgentView:
    reason = {State.UNREACHABLE: "unreachable: ssh: connect to host gpu: timed out",
              State.EXITED: "exited: bash is in the foreground, claude is gone"}.get(
                  state, f"{state}: something the screen showed")
    detection = Detection(tool="claude", state=state, reason=reason, rule="a-rule",
                          evidence=((3, "\x1b[31mred\x1b[0m row \x07"),))
    hook = HookReading(State.WORKING, "hook: UserPromptSubmit", "UserPromptSubmit", at=90.0,
                       age=10.0)
    evidence = AgentEvidence(
        screen=detection, screen_at=99.0, screen_state=state, screen_reason=reason,
        timers=Timers(idle_debounce=1.5, stuck_after=60.0, settling_for=0.4, frozen_for=12.0,
                      changed_at=88.0),
        hook=hook, hook_events=(HookEvent(at=90.0, event="UserPromptSubmit", tool="claude"),),
        source=source, authority_why="a reason given by fusion")
    status = AgentStatus(name="api", pane_id=pane, tool="claude", state=state, reason=reason,
                         since=80.0, source=source)
    return AgentView(status=status, queue=queue, evidence=evidence)


@pytest.mark.parametrize("state", list(State))
def test_every_state_orchestra_shows_is_explained(state):
    queue = (QueueItem("q1", "api", "run the tests"),)
    told = explain(_view(state, queue=queue), now=100.0)
    text = why_text(told)
    assert text.splitlines()[0] == f"api {STATE_PHRASES[state]} for 20s"
    assert told.authority_why and told.next_step
    assert json.loads(json.dumps(told.as_json()))["state"] == str(state)
    if state is State.UNREACHABLE:
        assert told.authority is Authority.HOST
        assert told.next_step.startswith("nothing until its host answers again")
    elif state is State.IDLE:
        assert told.next_step == ('send q1 "run the tests" now: its turn has ended '
                                  "(at the next tick)")
    elif state is State.WORKING:
        assert told.next_step.startswith('send q1 "run the tests" when its turn ends')
    else:
        assert told.next_step.startswith("nothing")
    # The matched screen row is quoted inert: its escapes and bell drawn, never sent.
    assert "\x1b" not in text and "\x07" not in text and "␛[31mred␛[0m row ␇" in text


def test_an_exited_agent_without_a_pane_is_tmuxs_word():
    told = explain(_view(State.EXITED, pane=None), now=100.0)
    assert told.authority is Authority.TMUX
    assert [clue.kind for clue in told.clues] == ["tmux"]  # no stale screen or timers


def test_an_idle_agent_whose_last_prompt_has_not_started_waits_for_that_turn():
    view = _view(State.IDLE, queue=(QueueItem("q1", "api", "next"),))
    view = AgentView(view.status, queue=view.queue,
                     evidence=AgentEvidence(turn_pending=True, source="screen"))
    assert "once the turn its last prompt started has been seen" in explain(view, 1.0).next_step
    uncertain = (QueueItem("q0", "api", "first", state=QueueItemState.UNCERTAIN),)
    held = explain(AgentView(view.status, queue=uncertain), 1.0)
    assert held.next_step.startswith('hold q0 "first": uncertain: typed')
