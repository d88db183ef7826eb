"""`orchestra` with no subcommand: open the app on the configured (or discovered) agents."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from orchestra_tui.core.setup import fleet_from_args

if TYPE_CHECKING:
    from orchestra_tui.config import Config
    from orchestra_tui.core.fleet import Fleet
    from orchestra_tui.ui.app import OrchestraApp


def build_app(config: Config, fleet: Fleet) -> OrchestraApp:
    """The app for a config and its fleet: `orchestra` and `orchestra demo` both use this."""
    from orchestra_tui.ui.app import AppOptions, OrchestraApp

    options = AppOptions(
        config_path=str(config.path),
        poll_seconds=config.ui.poll_seconds,
        theme=config.ui.theme,
        bell=config.ui.bell,
        context_warn=config.ui.context_warn_percent,
        context_critical=config.ui.context_critical_percent,
    )
    from orchestra_tui.core.desk import desk_from_config

    # GitHub screens: a desk when any agent has a repo or [github] repos names one.
    desk = desk_from_config(config, getattr(fleet, "journal", None))
    return OrchestraApp(fleet, options, desk=desk)


def run_app(args: argparse.Namespace) -> int:
    fleet, config, _services = fleet_from_args(args)
    build_app(config, fleet).run()
    return 0
