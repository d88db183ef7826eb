"""Cost in the product: a real fleet over tmux with the simulated agent reads its CLI's session
records (the recorded Claude Code transcript of tests/sessions/, placed where Claude Code keeps
it for the agent's folder) off the event loop, on the half-minute and at once when a turn ends;
`status --json` and `why` say what each agent cost, an agent on a host says why it is unknown."""

from __future__ import annotations

import asyncio
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from orchestra_tui.cli import main
from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.core.why import explain
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.usage.reader import SessionUsageReader, claude_slug
from orchestra_tui.ui.wording.why import why_text
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, start_fake_agent

TRANSCRIPT = next((Path(__file__).parent / "sessions" / "claude" / "projects" / "-work-api")
                  .glob("*.jsonl"))
ONE_CALL = Decimal(50 * 3 + 12 * 15) / 1_000_000  # Sonnet 4.5: $3 in, $15 out per million


def _records_for(home: Path, folder: Path) -> Path:
    """The recorded transcript, where Claude Code keeps the records of a session in `folder`."""
    where = home / ".claude" / "projects" / claude_slug(str(folder))
    where.mkdir(parents=True)
    return Path(shutil.copy(TRANSCRIPT, where / TRANSCRIPT.name))


def _later_call(message_id: str) -> str:
    return json.dumps({"type": "assistant", "timestamp": "2026-12-07T03:00:00.000Z",
                       "message": {"id": message_id, "model": "claude-sonnet-4-5",
                                   "usage": {"input_tokens": 50, "output_tokens": 12}}}) + "\n"


async def test_a_fleet_counts_what_its_agent_spent_and_reads_again_when_a_turn_ends(
        tmux, tmp_path):
    home = tmp_path / "home"
    transcript = _records_for(home, REPO)
    pane = await start_fake_agent(tmux, "claude", tmp_path / "a.log", session="api")
    # Half a minute is far longer than this test: a second read can only come from a turn end.
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="claude", target=pane.pane_id)],
                  usage=SessionUsageReader(home))

    async def cost(calls: int):
        view = (await fleet.refresh()).get("api")
        return view if view and view.cost is not None and view.cost.turns == calls else None

    view = await async_wait_until(lambda: cost(2), message="the transcript's two calls")
    assert view.cost.cost == 2 * ONE_CALL and view.cost.models == ("claude-sonnet-4-5",)
    assert view.cost_unknown == ""

    await tmux.send_text(pane.pane_id, "go on [work 0.6]")
    await async_wait_until(lambda: _state(fleet, State.WORKING), message="its turn started")
    with transcript.open("a", encoding="utf-8") as handle:
        handle.write(_later_call("msg_third"))  # what the CLI writes during its turn
    view = await async_wait_until(lambda: cost(3), timeout=15, message="read at the turn end")
    assert view.status.state is not State.WORKING
    assert view.cost.cost == 3 * ONE_CALL
    told = explain(view, now=view.status.since + 1)
    assert told.as_json()["cost"]["turns"] == 3
    assert "over 3 call(s)" in why_text(told)
    fleet.close()


async def _state(fleet: Fleet, state: State) -> bool:
    view = (await fleet.refresh()).get("api")
    return view is not None and view.status.state is state


async def test_an_agent_on_a_host_is_shown_unknown_with_the_reason(tmux, tmp_path):
    pane = await start_fake_agent(tmux, "claude", tmp_path / "a.log", session="far")
    fleet = Fleet(tmux, [AgentSpec(name="far", tool="claude", target=pane.pane_id,
                                   host="gpu")], usage=SessionUsageReader(tmp_path))
    await fleet.refresh()
    view = fleet.snapshot.get("far")
    assert view is not None and view.cost is None
    assert view.cost_unknown.startswith("on host gpu")
    assert "not known: on host gpu" in why_text(explain(view, now=1.0))
    fleet.close()


async def test_status_json_and_why_say_what_each_agent_cost(tmux, tmp_path, capsys,
                                                            monkeypatch: pytest.MonkeyPatch):
    home = tmp_path / "home"
    _records_for(home, REPO)
    monkeypatch.setenv("HOME", str(home))  # where the CLIs keep their records
    await start_fake_agent(tmux, "claude", tmp_path / "a.log", session="api")
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "api"\ntool = "claude"\ntarget = "api"\n')
    socket = tmux.runner.socket_name
    argv = ["-L", socket, "--config", str(config)]
    assert await asyncio.to_thread(main, [*argv, "status", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["usage"]["turns"] == 2 and row["usage_unknown"] is None
    assert row["usage"]["cost_usd"] == pytest.approx(float(2 * ONE_CALL))
    assert await asyncio.to_thread(main, [*argv, "why", "api", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cost"]["turns"] == 2
