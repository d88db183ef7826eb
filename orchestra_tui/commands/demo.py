"""`orchestra demo [--keep]`: the whole product offline, on simulated agents and a GitHub
stand-in, in a world of its own that quitting removes: `q`, SIGTERM, SIGHUP (the terminal
closed) and SIGINT alike, at any moment from its start. A world left by a demo that was killed
outright (SIGKILL) is removed by the next one."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from orchestra_tui.bootstrap import boot
from orchestra_tui.commands.app import ExitSignals, ended_by, run_until_exit


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="try orchestra on simulated agents, offline")
    parser.add_argument("--keep", action="store_true",
                        help="leave the demo's agents and GitHub stand-in running after quitting")
    parser.set_defaults(func=run)


def orchestra_argv() -> list[str]:
    """How to run this orchestra again from any directory: the absolute path of the program
    that is running, or this interpreter with `-m orchestra_tui`."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if (program is not None and program.name != "__main__.py" and program.is_file()
            and os.access(program, os.X_OK)):
        return [os.path.abspath(program)]
    return [sys.executable, "-m", "orchestra_tui"]


def say(text: str) -> None:
    """Print, unless the terminal is gone (SIGHUP): the cleanup must not fail on that."""
    try:
        print(text, flush=True)
    except OSError:
        pass


async def _demo(args: argparse.Namespace) -> int:
    from orchestra_tui.demo.world import (
        keep_world,
        remove_abandoned_worlds,
        start_world,
        stop_world,
    )

    code = 0
    async with ExitSignals() as signals:
        try:
            for name in await remove_abandoned_worlds():
                say(f"Removed the demo left behind by a run that was killed (tmux -L {name}).")
            say("Starting the demo: four simulated agents and a GitHub stand-in …")
            world = await start_world()
        except asyncio.CancelledError:
            return ended_by(signals.exit_code or 1)
        try:
            say(f"  tmux server  -L {world.socket_name}\n  GitHub       {world.api_url}\n"
                f"  files        {world.directory}")
            # The stand-in's token lives in this process's environment only, never on disk.
            os.environ["GH_TOKEN"] = world.token
            os.environ.pop("GITHUB_TOKEN", None)
            # Opened exactly as the command `--keep` prints would open it.
            booted = boot(argparse.Namespace(config=str(world.config_path),
                                             socket_name=world.socket_name, socket_path=None,
                                             data_dir=str(world.data_dir)),
                          long_lived=True)
            code = await run_until_exit(booted, signals)
        except asyncio.CancelledError:
            pass
        finally:
            with signals.protect():
                if args.keep:
                    await keep_world(world)
                    say(world.reach_instructions(orchestra_argv()))
                else:
                    await stop_world(world)
                    say("Demo stopped: its tmux server and GitHub stand-in are gone.")
    return ended_by(signals.exit_code or code)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_demo(args))
