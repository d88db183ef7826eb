"""What the person sees of their absence: a usage limit's countdown in the fleet row."""

from __future__ import annotations

from dataclasses import replace

from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.widgets.agent_table import AgentTable
from orchestra_tui.usage_limit import UsageLimit
from tests.ui_data import AT, FixedFleet, fixed_views, settle


def limited_views():
    views = fixed_views()
    ingest = next(view for view in views if view.name == "ingest")
    limit = UsageLimit("usage limit", "3:51 PM", AT + 3900)
    status = replace(ingest.status, reason="blocked: usage limit, resets 3:51 PM", limit=limit)
    return [replace(view, status=status) if view is ingest else view for view in views]


async def test_a_limited_agent_row_counts_down_to_its_reset(tmp_path):
    app = OrchestraApp(FixedFleet(tmp_path, limited_views()), AppOptions(poll=False))
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(AgentTable)
        assert table.get_cell("ingest", "state").plain.strip() == "LIMIT 1h05m"
        assert table.get_cell("api", "state").plain.strip() == "APPROVAL"
