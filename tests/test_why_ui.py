"""`w` in the app: under the live pane, why the selected agent is in its state and what
orchestra does next for it; `w` again hides it; it follows the selection and each refresh, and
an agent gone from the fleet since is said as such. Snapshots at 80x24 and 160x45."""

from __future__ import annotations

from dataclasses import replace

from orchestra_tui.models import State
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.help import HelpScreen
from orchestra_tui.ui.widgets.why_panel import WhyPanel
from tests.ui_data import FixedFleet, settle
from tests.why_data import explained_views

OPTIONS = AppOptions(poll=False, config_path="~/.config/orchestra/config.toml")


def _app(tmp_path) -> OrchestraApp:
    return OrchestraApp(FixedFleet(tmp_path, explained_views()), OPTIONS)


def _panel_text(pilot) -> str:
    panel = pilot.app.screen.query_one(WhyPanel)
    return str(panel.render()) if panel.display else ""


def test_why_panel_80x24(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), press=["w"])


def test_why_panel_160x45(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(160, 45), press=["w"])


async def test_w_shows_the_explanation_and_w_again_hides_it(tmp_path):
    app = _app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert _panel_text(pilot) == ""
        await pilot.press("w")
        await settle(pilot)
        shown = _panel_text(pilot)
        assert shown.startswith("api needs approval for 42s")
        assert "decided by its own hook event" in shown
        assert "claude reported PermissionRequest (Bash)" in shown
        assert "row 9: │ ❯ 1. Yes" in shown  # the rows the reader's rule matched
        assert "nothing until you answer its dialog" in shown
        await pilot.press("w")
        await settle(pilot)
        assert _panel_text(pilot) == ""


async def test_the_panel_follows_the_selection_and_each_refresh(tmp_path):
    fleet = FixedFleet(tmp_path, explained_views())
    app = OrchestraApp(fleet, OPTIONS)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("w", "j")
        await settle(pilot)
        assert _panel_text(pilot).startswith("ingest is blocked")
        # A tick: ingest is working now.
        fleet.views = [replace(view, status=replace(view.status, state=State.WORKING,
                                                    reason="working: streaming"))
                       if view.name == "ingest" else view for view in fleet.views]
        app.snapshot = fleet.current()
        await settle(pilot)
        assert _panel_text(pilot).startswith("ingest is working")
        assert "working: streaming" in _panel_text(pilot)


async def test_an_agent_retired_while_explained_is_said_gone(tmp_path):
    fleet = FixedFleet(tmp_path, explained_views())
    app = OrchestraApp(fleet, OPTIONS)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        fleet.views = [view for view in fleet.views if view.name != "api"]
        app.snapshot = fleet.current()
        await settle(pilot)
        # The selection moves to the agent now first; the panel explains it, never the
        # retired one from its last view.
        panel = pilot.app.screen.query_one(WhyPanel)
        assert panel.agent == pilot.app.screen.selected == "ingest"
        assert _panel_text(pilot).startswith("ingest is blocked")
        # Asked for a name the fleet no longer holds, it says so.
        panel.show("api", None, fleet.snapshot.at)
        assert "api is no longer in the fleet" in str(panel.render())


async def test_help_lists_w(tmp_path):
    async with _app(tmp_path).run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HelpScreen)
        bindings = [binding for _, section in pilot.app.screen.sections for binding in section]
        assert any(binding.key == "w" and "Why" in binding.description for binding in bindings)
