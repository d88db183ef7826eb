"""Snapshots of every screen, rendered from a fixed fleet so they are deterministic."""

from __future__ import annotations

from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from tests.ui_data import FixedFleet

SIZE = (150, 40)
OPTIONS = AppOptions(poll=False, config_path="~/.config/orchestra/config.toml")


def make_app(tmp_path, views=None) -> OrchestraApp:
    return OrchestraApp(FixedFleet(tmp_path, views), OPTIONS)


def test_fleet_view(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE)


def test_fleet_view_prompt_bar(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE,
                        press=["j", "j", "j", "enter", *"run the tests again"])


def test_fleet_view_prompt_bar_after_tab(snap_compare, tmp_path):
    """The bar stays open and empty after `tab`, and counts what waits in the queue."""
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE,
                        press=["enter", *"run the tests again", "tab"])


def test_fleet_view_selected_agent_with_alerts(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, press=["j", "j"])


def test_fleet_view_80x24(snap_compare, tmp_path):
    """Lane and tool give way; state, agent, for, context and queue stay."""
    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24))


def test_fleet_view_100x30(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(100, 30))


def test_zoomed_pane(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, press=["z"])


def test_grid(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, press=["g"])


def test_queue_editor(snap_compare, tmp_path):
    fleet = FixedFleet(tmp_path)
    first = fleet.store.add("api", "after the migration, run the full test suite")
    fleet.store.add("api", "then open a PR against main\nand link issue #41")
    fleet.store.add("api", "update CHANGELOG.md")
    fleet.store.mark_sending(first.id)
    fleet.store.mark_sent(first.id, 1_790_000_000.0 - 30)
    fleet.current()
    assert snap_compare(OrchestraApp(fleet, OPTIONS), terminal_size=SIZE, press=["Q"])


def test_help(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, press=["question_mark"])


def test_empty_state(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, views=[]), terminal_size=SIZE)


def _long_names(tmp_path) -> OrchestraApp:
    """Long agent names and branches: columns end in an ellipsis, none vanishes."""
    from dataclasses import replace

    from tests.ui_data import fixed_views

    views = []
    for view in fixed_views():
        spec = replace(view.status.spec, branch="feature/a-very-long-branch-name-for-issue-4242")
        name = view.name + "-payments-reconciliation-worker" if view.name == "api" else view.name
        views.append(replace(view, status=replace(view.status, name=name, spec=spec)))
    return OrchestraApp(FixedFleet(tmp_path, views), OPTIONS)


def test_fleet_long_names_80x24(snap_compare, tmp_path):
    assert snap_compare(_long_names(tmp_path), terminal_size=(80, 24))


def test_fleet_long_names_120x40(snap_compare, tmp_path):
    assert snap_compare(_long_names(tmp_path), terminal_size=(120, 40))


def test_fleet_long_names_200x60(snap_compare, tmp_path):
    assert snap_compare(_long_names(tmp_path), terminal_size=(200, 60))


def test_grid_80x24(snap_compare, tmp_path):
    """Each cell keeps the bottom rows of its pane: the composer, a dialog's options."""
    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), press=["g"])


def test_grid_200x60(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(200, 60), press=["g"])


def test_zoom_80x24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), press=["z"])


def test_ask_shows_its_own_keys(snap_compare, tmp_path):
    """A question's footer is its own: `y` is "Yes" there, not the fleet's "Approve"."""
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), press=["K"])


def test_armed_interrupt_on_the_row(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), press=["escape"])
