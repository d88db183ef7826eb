"""Build a Fleet from command-line arguments: config, services, settings, in one place."""

from __future__ import annotations

import argparse

from orchestra_tui.config import Config, load_config
from orchestra_tui.core.fleet import Fleet, FleetSettings
from orchestra_tui.services import Services, build_services


def fleet_settings(config: Config) -> FleetSettings:
    return FleetSettings(stuck_after=config.ui.stuck_after_seconds,
                         idle_debounce=config.ui.idle_debounce_seconds,
                         context_warn=config.ui.context_warn_percent,
                         context_critical=config.ui.context_critical_percent)


def fleet_from_args(args: argparse.Namespace) -> tuple[Fleet, Config, Services]:
    config = load_config(args.config)
    services = build_services(config, socket_name=args.socket_name,
                              socket_path=args.socket_path)
    fleet = Fleet(services.tmux, config.agents, store=services.store,
                  journal=services.journal, settings=fleet_settings(config))
    return fleet, config, services
