"""What start-up built is set aside from Python's collections once the first screen is up
(`OrchestraApp.freeze_after_first_screen`, set by the program): full collections went over
every module, style and widget of the app every half minute. An app a test builds (many in one
process) freezes nothing: what it leaves would never be collected."""

from __future__ import annotations

import gc

from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from tests.helpers import pilot_wait_until
from tests.ui_data import FixedFleet


async def test_the_program_sets_aside_what_start_up_built_after_the_first_screen(tmp_path):
    gc.unfreeze()
    app = OrchestraApp(FixedFleet(tmp_path), AppOptions(poll=True))
    app.freeze_after_first_screen = True
    try:
        async with app.run_test() as pilot:
            assert gc.get_freeze_count() == 0  # not before the fleet is shown
            await pilot_wait_until(pilot, lambda: gc.get_freeze_count() > 0,
                                   message="start-up's objects frozen")
            assert app.snapshot.agents  # the first snapshot reached the screen first
            assert not app.freeze_after_first_screen  # once, not at every tick
    finally:
        gc.unfreeze()


async def test_an_app_built_without_the_program_freezes_nothing(tmp_path):
    gc.unfreeze()
    app = OrchestraApp(FixedFleet(tmp_path), AppOptions(poll=True))
    async with app.run_test() as pilot:
        await pilot_wait_until(pilot, lambda: bool(app.snapshot.agents))
        await pilot.pause()
        assert gc.get_freeze_count() == 0
