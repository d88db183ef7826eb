"""Away from the screen, wired end to end: a real fleet over a real tmux server with the
simulated agent, the app (Pilot) telling focus, a loopback push service behind an apprise URL;
usage limits resumed at their reset with a fake clock; rules within their budget."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from orchestra_tui.agents import classify
from orchestra_tui.away_build import build_notifier, stall_rules
from orchestra_tui.config import parse_config
from orchestra_tui.core.away.limits import reset_epoch
from orchestra_tui.core.away.watch import AwayWatch
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.why import explain
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.wording.why import why_text
from tests.helpers import async_wait_until, pilot_wait_until
from tests.notify_endpoint import PushEndpoint
from tests.tmux_fixtures import REPO, fake_agent_argv, logged_prompts, wait_for_screen

pytestmark = pytest.mark.slow

SECRET = "s3cr3t-hook-token-42"


def _fleet(tmux, data: Path, spec: AgentSpec, clock=time.time) -> Fleet:
    store = QueueStore(data)
    store.load()
    return Fleet(tmux, [spec], store=store, journal=Journal(data / "journal.jsonl"),
                 settings=FleetSettings(idle_debounce=0.3), clock=clock,
                 limit_reset=reset_epoch)


async def _agent(tmux, tmp_path: Path, flavor: str = "claude"):
    log = tmp_path / "agent.jsonl"
    # Bold prompt glyphs, as the real CLIs draw: a capture with attributes tells typed text
    # from a placeholder (`agents.draft.composer_draft`).
    argv = fake_agent_argv(flavor, log, work=0.3, extra=("--bold-prompt",))
    pane = await tmux.start(argv, cwd=str(REPO),
                            session="api", width=110, height=32, env={"PYTHONPATH": str(REPO)})
    ready = "? for shortcuts" if flavor == "claude" else "Ask Codex"
    await wait_for_screen(tmux, pane.pane_id, lambda s: ready in s)
    return pane, log


async def test_one_push_per_approval_with_its_command_and_none_while_focused(
        tmux, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    data = tmp_path / "data"
    pane, _log = await _agent(tmux, tmp_path)
    fleet = _fleet(tmux, data, AgentSpec(name="api", tool="claude", target="api", lane="web"))
    with PushEndpoint() as endpoint:
        config = parse_config(
            f'[notify]\nterminal = "off"\nurls = ["json://bot:{SECRET}@127.0.0.1:'
            f'{endpoint.port}/hook"]\n', tmp_path / "config.toml")
        notifier = build_notifier(config, fleet.journal)
        watch = AwayWatch(fleet, notifier)
        app = OrchestraApp(fleet, AppOptions(poll_seconds=0.2), away=watch)
        async with app.run_test(size=(120, 40)) as pilot:
            from textual import events

            app.post_message(events.AppFocus())
            await pilot_wait_until(pilot, lambda: app.away_actions.focus_reported)
            await tmux.send_text(pane.pane_id, "clean up [approve terraform destroy]")

            def watched(state: State) -> bool:
                seen = watch.observed.get("api") if watch.observed else None
                return seen is not None and seen.status.state is state

            await pilot_wait_until(pilot, lambda: watched(State.APPROVAL), timeout=15)
            assert endpoint.received == []  # the person is looking at the app

            await fleet.answer("api", True)
            await pilot_wait_until(pilot, lambda: watched(State.IDLE), timeout=15)
            app.post_message(events.AppBlur())
            await pilot_wait_until(pilot, lambda: not app.away_actions.looking)
            await tmux.send_text(pane.pane_id, "tidy [approve rm -rf build]")
            await pilot_wait_until(pilot, lambda: watched(State.APPROVAL), timeout=15)
            asked = time.monotonic()
            await pilot_wait_until(pilot, lambda: len(endpoint.received) == 1, timeout=2.0)
            assert time.monotonic() - asked <= 2.0
            ticks = [watch.observed]
            await pilot_wait_until(pilot, lambda: (ticks.append(watch.observed)
                                                   or len(set(map(id, ticks))) >= 4))
            await fleet.settle()
    assert len(endpoint.received) == 1
    body = endpoint.received[0].body.decode()
    assert "rm -rf build" in body and "approval" in body
    journal = (data / "journal.jsonl").read_text()
    assert '"notify"' in journal
    assert SECRET not in journal
    assert SECRET not in caplog.text


@pytest.mark.parametrize("flavor", ["claude", "codex"])
async def test_a_usage_limit_is_resumed_once_at_its_reset(tmux, tmp_path, flavor):
    now = [time.time()]
    pane, log = await _agent(tmux, tmp_path, flavor)
    fleet = _fleet(tmux, tmp_path / "data",
                   AgentSpec(name="api", tool=flavor, target="api", resume_after_limit=True),
                   clock=lambda: now[0])
    watch = AwayWatch(fleet)
    await tmux.send_text(pane.pane_id, "migrate [limit]")
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, flavor).limit == "usage limit",
                          message="the usage-limit notice")

    async def limited():
        snapshot = await fleet.refresh()
        await watch.after_tick(snapshot, focused=False)
        view = snapshot.get("api")
        return view is not None and view.status.limit is not None and view
    view = await async_wait_until(limited)
    resets = view.status.limit.resets_at
    assert resets is not None and resets > now[0]
    await watch.after_tick(await fleet.refresh(), focused=False)
    assert logged_prompts(log) == ["migrate [limit]"]  # not before the reset
    assert "resumes" in watch.why("api")

    now[0] = resets + 91.0  # the reset and the largest jitter passed
    for _ in range(3):
        await watch.after_tick(await fleet.refresh(), focused=False)
    await async_wait_until(lambda: _async(len(logged_prompts(log)) == 2))
    for _ in range(3):
        await watch.after_tick(await fleet.refresh(), focused=False)
    await fleet.settle()
    continued = "continue" if flavor == "claude" else logged_prompts(log)[1]
    assert logged_prompts(log) == ["migrate [limit]", continued]
    resumes = Journal(tmp_path / "data" / "journal.jsonl").read(events=("limit_resume",))
    assert [entry["agent"] for entry in resumes] == ["api"]


async def _async(value):
    return value


async def test_a_limit_the_person_typed_under_is_not_resumed(tmux, tmp_path):
    now = [time.time()]
    pane, log = await _agent(tmux, tmp_path, "claude")
    fleet = _fleet(tmux, tmp_path / "data",
                   AgentSpec(name="api", tool="claude", target="api", resume_after_limit=True),
                   clock=lambda: now[0])
    watch = AwayWatch(fleet)
    await tmux.send_text(pane.pane_id, "migrate [limit]")
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, "claude").limit == "usage limit")
    await tmux.send_text(pane.pane_id, "wait for me", submit=False)  # typed there, not sent
    await wait_for_screen(tmux, pane.pane_id, lambda s: "wait for me" in s)

    async def limited():
        snapshot = await fleet.refresh(visible=["api"])
        view = snapshot.get("api")
        return view is not None and view.status.limit is not None and view
    view = await async_wait_until(limited)
    now[0] = view.status.limit.resets_at + 91.0
    for _ in range(3):
        snapshot = await fleet.refresh(visible=["api"])
        await watch.after_tick(snapshot, focused=False)
    assert "touched" in watch.why("api"), snapshot.get("api").status
    assert logged_prompts(log) == ["migrate [limit]"]
    assert Journal(tmp_path / "data" / "journal.jsonl").read(events=("limit_resume",)) == []


async def test_a_rule_fires_once_within_its_budget_across_restarts(tmux, tmp_path):
    now = [time.time()]
    pane, _log = await _agent(tmux, tmp_path, "claude")
    data = tmp_path / "data"
    fleet = _fleet(tmux, data, AgentSpec(name="api", tool="claude", target="api"),
                   clock=lambda: now[0])
    config = parse_config('[[rule]]\nname = "limit-note"\nstate = "blocked"\n'
                          'reason = "usage limit"\nafter = "1m"\naction = "queue"\n'
                          'prompt = "check the limit"\nper_day = 1\n', tmp_path / "c.toml")
    rules = stall_rules(config.rules)
    await tmux.send_text(pane.pane_id, "migrate [limit]")
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, "claude").limit == "usage limit")

    async def blocked():
        snapshot = await fleet.refresh()
        view = snapshot.get("api")
        return view is not None and view.status.state is State.BLOCKED
    await async_wait_until(blocked)
    watch = AwayWatch(fleet, rules=rules)
    await watch.after_tick(await fleet.refresh(), focused=False)
    assert fleet.current().get("api").queue == ()  # not held long enough yet
    now[0] += 61.0
    for _ in range(3):
        await watch.after_tick(await fleet.refresh(), focused=False)
    again = AwayWatch(fleet, rules=rules)  # orchestra restarted: the journal holds the budget
    for _ in range(2):
        await again.after_tick(await fleet.refresh(), focused=False)
    await fleet.settle()
    queued = [item.text for item in fleet.current().get("api").queue]
    assert queued == ["check the limit"]
    fired = Journal(data / "journal.jsonl").read(events=("rule",))
    assert [(e["rule"], e["action"]) for e in fired] == [("limit-note", "queue")]
    # `why` tells it: this run's watch noted it, a new run reads it back from the journal.
    said = explain(fleet.current().get("api"), time.time())
    assert [text for _, text in said.done_today] == ["rule limit-note did queue"]
    assert "done for you today" in why_text(said)
    later = _fleet(tmux, data, AgentSpec(name="api", tool="claude", target="api"))
    await AwayWatch(later, rules=rules).after_tick(await later.refresh(), focused=False)
    assert [text for _, text in explain(later.current().get("api"), time.time()).done_today] \
        == ["rule limit-note did queue"]


async def test_leaving_the_app_is_journaled_and_orchestra_away_starts_there(tmux, tmp_path):
    data = tmp_path / "data"
    journal = Journal(data / "journal.jsonl")
    fleet = Fleet(tmux, [], journal=journal)
    app = OrchestraApp(fleet, AppOptions(poll=False), away=AwayWatch(fleet))
    async with app.run_test(size=(100, 30)) as pilot:
        from textual import events

        app.post_message(events.AppBlur())
        await pilot_wait_until(pilot, lambda: journal.read(events=("away_since",)))
    left = journal.read(events=("away_since",))[-1]["at"]
    journal.append("rule", "api", rule="before", action="notify", at=left - 60)
    journal.append("rule", "api", rule="overloaded", action="continue", at=left + 1)
    config = tmp_path / "config.toml"
    config.write_text("")
    done = subprocess.run([sys.executable, "-m", "orchestra_tui", "away", "--data-dir",
                           str(data), "--config", str(config), "-L", f"away-{uuid.uuid4().hex}"],
                          capture_output=True, text=True, cwd=str(REPO), timeout=60)
    assert done.returncode == 0, done.stderr
    assert "api: rule overloaded did continue" in done.stdout
    assert "before" not in done.stdout  # earlier than the person left
