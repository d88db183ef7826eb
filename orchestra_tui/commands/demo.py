"""`orchestra demo [--keep]`: the whole product offline, on simulated agents and a GitHub
stand-in, in a world of its own that quitting removes."""

from __future__ import annotations

import argparse
import asyncio
import os

from orchestra_tui.commands.app import build_app
from orchestra_tui.config import load_config
from orchestra_tui.core.fleet import Fleet
from orchestra_tui.core.setup import fleet_settings
from orchestra_tui.services import build_services


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="try orchestra on simulated agents, offline")
    parser.add_argument("--keep", action="store_true",
                        help="leave the demo's agents and GitHub stand-in running after quitting")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from orchestra_tui.demo.world import start_world, stop_world

    print("Starting the demo: four simulated agents and a GitHub stand-in …", flush=True)
    world = asyncio.run(start_world())
    print(f"  tmux server  -L {world.socket_name}\n  GitHub       {world.api_url}\n"
          f"  files        {world.directory}", flush=True)
    # The stand-in's token lives in this process's environment only, never on disk.
    os.environ["GH_TOKEN"] = world.token
    os.environ.pop("GITHUB_TOKEN", None)
    try:
        config = load_config(str(world.config_path))
        services = build_services(config, data_dir=world.data_dir)
        fleet = Fleet(services.tmux, config.agents, store=services.store,
                      journal=services.journal, settings=fleet_settings(config))
        build_app(config, fleet).run()
    finally:
        if args.keep:
            print(world.reach_instructions())
        else:
            asyncio.run(stop_world(world))
            print("Demo stopped: its tmux server and GitHub stand-in are gone.")
    return 0
