"""A tick that lands while the app shuts down: the poll worker posts its snapshot while Textual
prunes the screens, so the fleet screen is still mounted but its table is gone. Seen in CI as
`NoMatches: No nodes match 'AgentTable'` at the end of a run."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from orchestra_tui.ui.app import DeskRefreshed, FleetRefreshed, OrchestraApp
from orchestra_tui.ui.options import AppOptions
from tests.ui_data import FixedFleet, settle


async def test_snapshots_posted_during_shutdown_are_ignored(tmp_path):
    fleet = FixedFleet(tmp_path)
    app = OrchestraApp(fleet, AppOptions(poll=False))
    posted_while_closing = 0

    async def keep_posting() -> None:
        nonlocal posted_while_closing
        tick = 0
        while app.is_running or posted_while_closing == 0:
            if not app.is_running:
                posted_while_closing += 1
            tick += 1
            app.post_message(FleetRefreshed(replace(fleet.snapshot, at=fleet.snapshot.at + tick)))
            app.post_message(DeskRefreshed(app.desk))
            await asyncio.sleep(0)
            if posted_while_closing > 200:
                return

    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        poster = asyncio.create_task(keep_posting())
        await pilot.pause()
    await asyncio.wait_for(poster, timeout=10)
    assert posted_while_closing > 0  # the window the race lives in was reached
