"""The fleet found and grouped, drawn: sixty agents over three hosts, filtered to `api` and
grouped by host, at 80x24 and 160x45."""

from __future__ import annotations

from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from tests.fleet_sixty import sixty_views
from tests.ui_data import FixedFleet

OPTIONS = AppOptions(poll=False, config_path="~/.config/orchestra/config.toml")
FILTER_AND_GROUP = ["slash", "a", "p", "i", "enter", "G"]


def _app(tmp_path) -> OrchestraApp:
    return OrchestraApp(FixedFleet(tmp_path, sixty_views()), OPTIONS)


def test_sixty_agents_filtered_and_grouped_by_host_80x24(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), press=FILTER_AND_GROUP)


def test_sixty_agents_filtered_and_grouped_by_host_160x45(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(160, 45), press=FILTER_AND_GROUP)


def test_sixty_agents_grouped_by_state_160x45(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(160, 45), press=["G", "G", "G"])


def test_the_filter_bar_open_while_typing_80x24(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), press=["slash", "g", "p", "u"])
