"""`$` in the fleet: a column of each agent's tokens and dollars today, priced from the three
CLIs' recorded session files (tests/sessions/); an agent whose records are on a host reads `?`.
Drawn at 80x24 and 160x45."""

from __future__ import annotations

import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from orchestra_tui.core.costs import day_of, summarize
from orchestra_tui.core.fleet.budget_standing import BudgetStanding
from orchestra_tui.services.usage.reader import SessionUsageReader
from orchestra_tui.ui.app import FleetRefreshed, OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.widgets.agent_table import AgentTable
from tests.github_pilot import notes
from tests.helpers import pilot_wait_until
from tests.test_costs import CLAUDE_CWD, CODEX_CWD, GEMINI_CWD
from tests.ui_data import FixedFleet, fixed_views, settle

SESSIONS = Path(__file__).parent / "sessions"
OPTIONS = AppOptions(poll=False, config_path="~/.config/orchestra/config.toml")


def costed_views(home: Path):
    """The fixed fleet, each agent with what its CLI's recorded session cost on its day."""
    for tool in ("claude", "codex", "gemini"):
        shutil.copytree(SESSIONS / tool, home / f".{tool}")
    reader = SessionUsageReader(home)
    where = {"api": ("claude", CLAUDE_CWD), "web": ("codex", CODEX_CWD),
             "parser": ("gemini", GEMINI_CWD)}
    views = []
    for view in fixed_views():
        if view.name in where:
            records = reader.records(*where[view.name])
            view = replace(view, cost=summarize(records, day=day_of(records[0].at)))
        elif view.name == "ingest":
            view = replace(view, cost_unknown="on host gpu: its CLI's session records are "
                                              "there, not read here")
        views.append(view)
    return views


def _app(tmp_path: Path) -> OrchestraApp:
    return OrchestraApp(FixedFleet(tmp_path / "store", costed_views(tmp_path / "home")),
                        OPTIONS)


async def test_dollar_shows_the_cost_column_and_hides_it_again(tmp_path):
    app = _app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        table = pilot.app.screen.query_one(AgentTable)
        assert "cost" not in table.columns_shown
        await pilot.press("dollar_sign")
        await settle(pilot)
        assert table.columns_shown[-1] == "cost"
        cells = {name: str(table.get_cell(name, "cost"))
                 for name in ("api", "web", "parser", "ingest", "infra")}
        # Two Sonnet 4.5 calls: 50 in and 12 out each, at $3 and $15 per million.
        assert cells["api"] == "124 $0.0007"
        assert cells["web"].startswith("1.21k $") and cells["parser"].startswith("1.21k $")
        assert cells["ingest"] == "?" and cells["infra"] == "…"
        await pilot.press("dollar_sign")
        await settle(pilot)
        assert "cost" not in table.columns_shown


def test_cost_column_80x24(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), press=["dollar_sign"])


def test_cost_column_160x45(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(160, 45), press=["dollar_sign"])


async def test_B_in_Q_resumes_a_lane_held_by_its_budget(tmp_path):
    spent = BudgetStanding("api", "2026-12-07", Decimal(5), Decimal("5.5"))
    views = [replace(view, budget=spent) if view.name == "api" else view
             for view in costed_views(tmp_path / "home")]
    fleet = FixedFleet(tmp_path / "store", views)
    fleet.store.add("api", "the next task")
    app = OrchestraApp(fleet, OPTIONS)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("Q")
        await settle(pilot)
        title = str(pilot.app.screen.query_one("#queue-title").render())
        assert "its lane's budget is spent today (B resumes)" in title
        await pilot.press("B")
        await pilot_wait_until(pilot, lambda: ("resume_budget", "api") in fleet.calls,
                               message="the lane resumed")


async def test_a_lane_past_80_percent_and_then_spent_is_told_once_each(tmp_path):
    fleet = FixedFleet(tmp_path / "store", costed_views(tmp_path / "home"))
    app = OrchestraApp(fleet, OPTIONS)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        base = fleet.snapshot
        for spent in ("4.25", "4.30", "5.10"):  # 85 %, 86 % (no news), spent
            standing = BudgetStanding("api", "2026-12-07", Decimal(5), Decimal(spent))
            app.post_message(FleetRefreshed(replace(base, budgets=(standing,))))
            await settle(pilot)
        told = [note for note in notes(app) if "budget" in note]
        assert told == ["lane api spent $4.25 of its $5.00 budget today (85%)",
                        "lane api spent $5.10 of its $5.00 budget today (102%): its queues "
                        "hold; B in Q or `orchestra queue --resume-budget` lets it go on today"]
