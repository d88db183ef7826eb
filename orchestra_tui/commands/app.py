"""`orchestra` with no subcommand: open the app on the configured (or discovered) agents."""

from __future__ import annotations

import argparse

from orchestra_tui.core.setup import fleet_from_args


def run_app(args: argparse.Namespace) -> int:
    from orchestra_tui.ui.app import AppOptions, OrchestraApp

    fleet, config, _services = fleet_from_args(args)
    options = AppOptions(
        config_path=str(config.path),
        poll_seconds=config.ui.poll_seconds,
        theme=config.ui.theme,
        bell=config.ui.bell,
        context_warn=config.ui.context_warn_percent,
        context_critical=config.ui.context_critical_percent,
    )
    OrchestraApp(fleet, options).run()
    return 0
