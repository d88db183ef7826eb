"""Budgets per lane and per day on a real fleet over tmux with the simulated agent: its CLI's
session file (the recorded Claude Code transcript of tests/sessions/, its calls dated today) puts
the lane past its budget, so a queued prompt holds with the reason (`budget`) until the person
resumes the lane for the day; at 80 % the person is warned (`why`, the app's toast). The config
key is checked like every other (file, line, key)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestra_tui.cli import main
from orchestra_tui.config import load_config
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.fleet.queue_reasons import WaitKind, first_wait
from orchestra_tui.core.why import explain
from orchestra_tui.errors import ConfigError
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.store.budget_resumes import BudgetResumes
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.usage.reader import SessionUsageReader, claude_slug
from orchestra_tui.ui.wording.costs import budget_news
from orchestra_tui.ui.wording.why import why_text
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, start_fake_agent

TRANSCRIPT = next((Path(__file__).parent / "sessions" / "claude" / "projects" / "-work-api")
                  .glob("*.jsonl"))
TWO_CALLS = 2 * (50 * 3 + 12 * 15) / 1_000_000  # $0.00066: Sonnet 4.5, $3 in, $15 out


def _records_today(home: Path) -> None:
    """The recorded transcript where Claude Code keeps it for REPO, its calls made today."""
    where = home / ".claude" / "projects" / claude_slug(str(REPO))
    where.mkdir(parents=True)
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    lines = []
    for raw in TRANSCRIPT.read_text(encoding="utf-8").splitlines():
        line = json.loads(raw)
        if "timestamp" in line:
            line["timestamp"] = now
        lines.append(json.dumps(line))
    (where / TRANSCRIPT.name).write_text("\n".join(lines) + "\n", encoding="utf-8")


async def _fleet(tmux, tmp_path: Path, budget: float) -> tuple[Fleet, Path]:
    home = tmp_path / "home"
    _records_today(home)
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "claude", log)
    store = QueueStore(tmp_path / "data")
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="claude", target=pane.pane_id,
                                   lane="api")],
                  store=store, settings=FleetSettings(idle_debounce=0.3),
                  usage=SessionUsageReader(home), budgets={"api": budget},
                  budget_resumes=BudgetResumes(tmp_path / "data"))
    return fleet, log


def _prompts(log: Path) -> list[str]:
    if not log.exists():  # the simulated agent writes its log on its first prompt
        return []
    return [json.loads(line)["prompt"] for line in log.read_text().splitlines() if line.strip()]


async def test_a_lane_over_its_budget_holds_a_queued_prompt_until_resumed(tmux, tmp_path):
    fleet, log = await _fleet(tmux, tmp_path, budget=0.0005)  # spent: 132 %
    await fleet.enqueue("api", "the next task")

    async def held():
        view = (await fleet.refresh()).get("api")
        wait = first_wait(view) if view else None
        return view if view and view.status.state is State.IDLE and wait \
            and wait.kind is WaitKind.BUDGET else None

    view = await async_wait_until(held, timeout=15, message="the queue held by the budget")
    assert "lane api spent $0.0007 of its $0.0005 budget today (132%)" in first_wait(view).why
    for _ in range(4):  # idle, its queue not empty: only the budget keeps it waiting
        await fleet.refresh()
        assert fleet.dispatch_ready() == []
    await fleet.wait_for_sends()
    assert _prompts(log) == []
    told = explain(view, now=time.time())
    assert told.next_step.startswith("hold ") and "budget" in told.next_step
    assert "its queues hold" in why_text(told)
    (standing,) = fleet.snapshot.budgets
    assert standing.holds and float(standing.spent) == pytest.approx(TWO_CALLS)

    await fleet.resume_budget("api")  # `B` in Q, `orchestra queue --resume-budget api`
    assert BudgetResumes(tmp_path / "data").resumed() == {"api": standing.day}

    async def sent() -> bool:
        await fleet.refresh()
        fleet.dispatch_ready()
        await fleet.wait_for_sends()
        return _prompts(log) == ["the next task"]

    await async_wait_until(sent, timeout=15, message="the prompt sent once resumed")
    fleet.close()


async def test_at_80_percent_the_person_is_warned_and_the_queue_goes_on(tmux, tmp_path):
    fleet, log = await _fleet(tmux, tmp_path, budget=0.0008)  # spent: 82 %
    before = fleet.snapshot

    async def warned():
        snapshot = await fleet.refresh()
        return snapshot if snapshot.budgets and snapshot.budgets[0].level == 1 else None

    after = await async_wait_until(warned, timeout=15, message="the lane past 80 %")
    assert budget_news(before, after) == [
        ("Budget at 82%: api", "lane api spent $0.0007 of its $0.0008 budget today (82%)")]
    assert budget_news(after, after) == []  # once, not every tick
    view = after.get("api")
    assert "(82%)" in why_text(explain(view, now=time.time()))
    await fleet.enqueue("api", "go on")

    async def sent() -> bool:
        await fleet.refresh()
        fleet.dispatch_ready()
        await fleet.wait_for_sends()
        return _prompts(log) == ["go on"]

    await async_wait_until(sent, timeout=15, message="the prompt sent under budget")
    fleet.close()


def test_budget_per_day_is_checked_with_file_line_and_key(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[[lane]]\nname = "api"\nbranch = "a/*"\nbudget_per_day = 20\n'
                      '[[lane]]\nname = "web"\nbranch = "w/*"\nbudget_per_day = "lots"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert f"{config}:8: lane[2].budget_per_day: expected a number of dollars, got string" \
        in str(raised.value)
    config.write_text('[[lane]]\nname = "api"\nbranch = "a/*"\nbudget_per_day = 20\n')
    assert load_config(config).lanes[0].budget_per_day == 20.0


async def test_orchestra_queue_says_budget_and_resumes_it(tmux, tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    _records_today(home)
    monkeypatch.setenv("HOME", str(home))
    await start_fake_agent(tmux, "claude", tmp_path / "a.log", session="api")
    config = tmp_path / "config.toml"
    config.write_text('[[lane]]\nname = "api"\nbranch = "a/*"\nbudget_per_day = 0.0005\n'
                      '[[agent]]\nname = "api"\nlane = "api"\ntool = "claude"\ntarget = "api"\n'
                      f'cwd = "{REPO}"\n')
    argv = ["-L", tmux.runner.socket_name, "--config", str(config)]
    assert await asyncio.to_thread(main, [*argv, "send", "api", "later", "--queue"]) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(main, [*argv, "queue", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["items"][0]["waits"] == "budget"
    assert await asyncio.to_thread(main, [*argv, "queue", "--resume-budget", "api"]) == 0
    assert "its queues go on for the rest of today" in capsys.readouterr().out
    assert await asyncio.to_thread(main, [*argv, "queue", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["items"][0]["waits"] != "budget"
