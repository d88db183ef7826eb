"""Restart end to end on a real tmux server with the simulated agent: the new process gets the
handoff exactly once, with the lane, the issue and the policy in it; the agent's queue is kept
and resumes through the normal dispatch afterwards."""

from __future__ import annotations

import asyncio
import json
import pathlib
import shlex
import sys

import pytest

from orchestra_tui.cli import main
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.lifecycle.handoff import compose_handoff
from orchestra_tui.core.lifecycle.restart import kill_agent, restart_agent
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import AgentSpec, QueueItemState, State
from orchestra_tui.paths import data_dir
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.helpers import async_wait_until, process_ended
from tests.tmux_fixtures import (
    REPO,
    fake_agent_argv,
    logged_prompts,
    screen,
    start_fake_agent,
    wait_for_prompts,
)

pytestmark = pytest.mark.slow

POLICY = "ArgoCD watches k8s/; all changes via git and a reviewed PR."


def agent_spec(log: pathlib.Path, **changes) -> AgentSpec:
    fields = dict(name="coder", tool="codex",
                  command=shlex.join(fake_agent_argv("codex", log, work=0.5)), cwd=str(REPO),
                  repo="acme/shop", branch="coder/*", target="coder", policy=POLICY)
    fields.update(changes)
    return AgentSpec(**fields)


def handoff_for(spec: AgentSpec) -> str:
    return compose_handoff(spec, issue="#7", pulls=(), recent_prompts=["fix the retry loop"],
                           note="Context was low; carry on from the failing test.")


def events(journal: Journal, name: str) -> list[dict]:
    return journal.read(events=[name])


async def test_restart_delivers_the_handoff_once_and_the_queue_resumes(tmux, tmp_path):
    old_log, new_log = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    pane = await start_fake_agent(tmux, "codex", old_log, session="coder")
    spec = agent_spec(new_log)
    store = QueueStore(tmp_path / "data")
    store.load()
    first = store.add("coder", "first queued follow-up")
    store.add("coder", "second queued follow-up")
    before = store.items("coder")
    journal = Journal(tmp_path / "journal.jsonl")
    handoff = handoff_for(spec)

    outcome = await restart_agent(tmux, spec, pane.pane_id, handoff=handoff, journal=journal,
                                  ready_timeout=20)

    assert outcome.handoff_sent and outcome.state is State.IDLE, outcome
    assert outcome.respawned and outcome.pane_id == pane.pane_id
    assert outcome.send is not None and outcome.send.enter_presses == 1
    received = await wait_for_prompts(new_log, 1)
    assert received == [handoff]
    for part in ("acme/shop", "coder/*", "issue #7", POLICY, "Context was low"):
        assert part in received[0]
    assert logged_prompts(old_log) == []  # the old process never saw it
    # The queue is untouched by the restart itself...
    assert store.items("coder") == before
    assert store.next_ready("coder") == first

    # ... and resumes through the normal dispatch, after the handoff's turn.
    fleet = Fleet(tmux, [spec], store=store, settings=FleetSettings(idle_debounce=0.4))

    async def delivered() -> bool:
        await fleet.refresh()
        fleet.dispatch_ready()
        return len(logged_prompts(new_log)) >= 3 and all(
            item.state == QueueItemState.SENT for item in store.items("coder"))

    await async_wait_until(delivered, timeout=30, interval=0.1, message="queue resumed")
    await fleet.wait_for_sends()
    assert logged_prompts(new_log) == [handoff, "first queued follow-up",
                                       "second queued follow-up"]

    [restart] = events(journal, "restart")
    assert (restart["agent"], restart["pane"], restart["outcome"], restart["handoff"]) == (
        "coder", pane.pane_id, "idle", "sent")
    sent = events(journal, "prompt_sent")
    assert [(e["agent"], e["source"], e["text"]) for e in sent] == [
        ("coder", "handoff", handoff)]


async def test_kill_then_restart_opens_a_new_pane_in_the_target_session(tmux, tmp_path):
    new_log = tmp_path / "new.jsonl"
    pane = await start_fake_agent(tmux, "codex", tmp_path / "old.jsonl", session="coder")
    await start_fake_agent(tmux, "claude", tmp_path / "bystander.jsonl", session="other")
    journal = Journal(tmp_path / "journal.jsonl")

    await kill_agent(tmux, pane.pane_id, agent="coder", journal=journal)
    assert pane.pane_id not in {p.pane_id for p in await tmux.list_panes()}
    await kill_agent(tmux, pane.pane_id, agent="coder")  # already gone: not an error

    spec = agent_spec(new_log)
    outcome = await restart_agent(tmux, spec, pane.pane_id, handoff=handoff_for(spec),
                                  journal=journal, ready_timeout=20)
    assert outcome.handoff_sent and not outcome.respawned
    assert outcome.pane_id != pane.pane_id
    info = await tmux.pane_info(outcome.pane_id)
    assert info.session_name == "coder"
    assert await wait_for_prompts(new_log, 1) == [handoff_for(spec)]
    [kill] = events(journal, "kill")
    assert (kill["agent"], kill["pane"]) == ("coder", pane.pane_id)


TRUST = (" Quick safety check: Is this a project you created or one you trust?\n\n"
         " ❯ 1. Yes, I trust this folder\n   2. No, exit\n\n"
         " Enter to confirm · Esc to cancel\n")
LOGIN = "⏺ API Error: Please run /login · Invalid API key\n\n❯ \n"


@pytest.mark.parametrize(("text", "state"), [(TRUST, State.APPROVAL), (LOGIN, State.BLOCKED)],
                         ids=["trust", "login"])
async def test_a_trust_or_login_screen_stops_the_wait_and_keeps_the_handoff_pending(
        tmux, tmp_path, text, state):
    await start_fake_agent(tmux, "codex", tmp_path / "bystander.jsonl", session="other")
    shown = tmp_path / "screen.txt"
    shown.write_text(text, encoding="utf-8")
    spec = AgentSpec("reviewer", tool="claude", target="reviewer", cwd=str(tmp_path),
                     command=f"cat {shlex.quote(str(shown))}; exec sleep 60", policy=POLICY)
    journal = Journal(tmp_path / "journal.jsonl")
    handoff = handoff_for(spec)

    outcome = await restart_agent(tmux, spec, None, handoff=handoff, journal=journal,
                                  ready_timeout=20)

    assert outcome.state is state, outcome
    assert not outcome.handoff_sent and outcome.send is None
    assert outcome.pending_handoff == handoff
    assert "Handoff" not in await screen(tmux, outcome.pane_id)  # nothing was typed
    [restart] = events(journal, "restart")
    assert (restart["outcome"], restart["handoff"]) == (str(state), "pending")
    assert events(journal, "prompt_sent") == []


async def test_a_command_that_quits_at_once_is_exited(tmux, tmp_path):
    await start_fake_agent(tmux, "codex", tmp_path / "bystander.jsonl", session="other")
    spec = AgentSpec("coder", tool="codex", command="true", target="coder")
    outcome = await restart_agent(tmux, spec, None, handoff="hello", ready_timeout=10)
    assert outcome.state is State.EXITED and outcome.pending_handoff is None
    assert "restart failed" in outcome.summary


async def test_an_agent_without_a_command_cannot_be_restarted(tmux):
    with pytest.raises(OrchestraError, match="no `command`"):
        await restart_agent(tmux, AgentSpec("coder"), None, handoff="hi")


async def test_the_restart_command_line(tmux, tmp_path):
    new_log = tmp_path / "new.jsonl"
    await start_fake_agent(tmux, "codex", tmp_path / "old.jsonl", session="coder")
    spec = agent_spec(new_log)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[agent]]\nname = "coder"\ntool = "codex"\ncommand = {json.dumps(spec.command)}\n'
        f'cwd = {json.dumps(str(REPO))}\nrepo = "acme/shop"\nbranch = "coder/*"\n'
        f'target = "coder"\npolicy = {json.dumps(POLICY)}\n', encoding="utf-8")
    store = QueueStore(data_dir())
    store.load()
    store.add("coder", "queued before the restart")
    Journal(data_dir() / "journal.jsonl").append(
        "prompt_sent", "coder", text="Read issue #7 and fix it", source="issue:#7")
    base = ["--config", str(config), "-L", tmux.runner.socket_name, "restart", "coder",
            "--no-github", "--note", "Low on context."]

    assert await asyncio.to_thread(main, base + ["--dry-run"]) == 0
    assert logged_prompts(new_log) == []

    assert await asyncio.to_thread(main, base + ["--timeout", "20"]) == 0
    [handoff] = await wait_for_prompts(new_log, 1)
    for part in ("acme/shop", "issue #7", POLICY, "Low on context."):
        assert part in handoff
    assert [item.text for item in QueueStore(data_dir()).items("coder")] == [
        "queued before the restart"]

    missing = await asyncio.to_thread(
        main, ["--config", str(config), "-L", tmux.runner.socket_name, "restart", "nobody"])
    assert missing == 1


def test_restart_is_a_registered_subcommand(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["restart", "--help"])
    assert "--note" in capsys.readouterr().out
    assert sys.executable  # the fake agent runs under this interpreter


STUBBORN = REPO / "tests" / "programs" / "stubborn.py"


async def _stubborn_pane(tmux, tmp_path):
    pids_file = tmp_path / "pids"
    pane = await tmux.start([sys.executable, str(STUBBORN), str(pids_file)], cwd=str(REPO),
                            session="gem")
    await async_wait_until(lambda: asyncio.to_thread(
        lambda: pids_file.exists() and len(pids_file.read_text().split()) == 2),
        timeout=30, message="the stubborn agent's pids")
    pids = [int(pid) for pid in pids_file.read_text().split()]
    assert not any(process_ended(pid) for pid in pids)
    return pane, pids


async def _all_ended(pids) -> None:
    async def ended() -> bool:
        return all(process_ended(pid) for pid in pids)

    await async_wait_until(ended, timeout=30, interval=0.1, message="the old agent's processes "
                           "to end")


@pytest.mark.parametrize("last_pane", [False, True])
async def test_kill_ends_an_agent_that_ignores_the_hangup(tmux, tmp_path, last_pane):
    # Closing a pane sends SIGHUP only; an agent ignoring it (Gemini CLI 0.61's launcher, and
    # its child) would go on working unseen. Its pane may be the server's last: the server
    # ends with it, and the agent must end all the same.
    pane, pids = await _stubborn_pane(tmux, tmp_path)
    if not last_pane:
        await tmux.start("sleep 600", session="keeps-the-server")

    await kill_agent(tmux, pane.pane_id, agent="gem")

    await _all_ended(pids)


async def test_a_respawn_ends_the_old_agent_and_keeps_the_new(tmux, tmp_path):
    pane, pids = await _stubborn_pane(tmux, tmp_path)

    fresh = await tmux.respawn(pane.pane_id, "sleep 600")

    await _all_ended(pids)
    assert fresh.pane_id == pane.pane_id and not process_ended(fresh.pid)
