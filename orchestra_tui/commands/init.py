"""`orchestra init [--force] [--print]`: find the agents running in tmux and write a starter
config with one `[[agent]]` per agent pane. `--print` with no agents running prints the
commented template, with an example agent to fill in. `--host NAME` adds the agents running on a
`[[host]]` of the config instead (`init_host.py`).

The tmux server is `-L`/`-S`, else the existing config's `[tmux]` (as every other command reads
it), else the default one. Each pane not taken is named on stderr with why (a plain shell, a
program that is no agent CLI, a dead pane)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import Any

from orchestra_tui.agents.names import AGENT_TOOLS_ORDERED
from orchestra_tui.commands.init_specs import specs_from_panes
from orchestra_tui.config import (
    TmuxConfig,
    load_config,
    render_starter_config,
    write_starter_config,
)
from orchestra_tui.errors import ConfigError, TmuxUnavailable
from orchestra_tui.paths import config_path, display_path

KNOWN_TOOLS = ", ".join(AGENT_TOOLS_ORDERED)
NO_AGENTS = ("no AI coding agents found on {server}{others}. Start codex, claude, gemini or "
             "aider in tmux panes and run `orchestra init` again, or run `orchestra demo` to "
             "see orchestra with simulated agents.")
EXAMPLE_AGENT = """\
# No agents were running. One [[agent]] table per agent, for example:
# [[agent]]
# name = "api"
# tool = "claude"
# command = "claude"
# cwd = "~/src/shop"
# target = "api"
# repo = "acme/shop"
# branch = "api/*"
# policy = "Migrations run through CI only."
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init", help="write a starter config from the agents running in tmux",
        description="Find the AI coding agents running on the tmux server and write a starter "
                    "config (the --config path, $ORCHESTRA_CONFIG, or the user config dir).")
    parser.add_argument("--force", action="store_true",
                        help="overwrite an existing config file")
    parser.add_argument("--print", action="store_true", dest="print_only",
                        help="print the config instead of writing it")
    parser.add_argument("--host", metavar="NAME",
                        help="find the agents on this [[host]] of the config (over ssh) and add "
                             "them to it")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "host", None):
        from orchestra_tui.commands import init_host

        return init_host.run(args)
    path = config_path(getattr(args, "config", None))
    print_only = getattr(args, "print_only", False)
    if not print_only and path.exists() and not args.force:
        raise ConfigError(f"{display_path(path)}: already exists; pass --force to overwrite it")
    socket_name = getattr(args, "socket_name", None)
    socket_path = getattr(args, "socket_path", None)
    if not (socket_name or socket_path) and path.exists():
        socket_name, socket_path = _config_socket(path)
        args = argparse.Namespace(**{**vars(args), "socket_name": socket_name,
                                     "socket_path": socket_path})
    server = (f"tmux -L {socket_name}" if socket_name
              else f"tmux -S {socket_path}" if socket_path else "the default tmux server")
    tmux = TmuxConfig(socket_name=socket_name, socket_path=socket_path)
    try:
        discovered = asyncio.run(_discover(args))
    except TmuxUnavailable as error:
        if print_only:
            return _print_template(tmux)
        print(f"orchestra: {error}", file=sys.stderr)
        print("orchestra: " + NO_AGENTS.format(server=server, others=""), file=sys.stderr)
        return 1
    specs = specs_from_panes(discovered)
    for line in skipped_lines(discovered):
        print(f"orchestra: {line}", file=sys.stderr)
    if print_only:
        if not specs:
            return _print_template(tmux)
        sys.stdout.write(render_starter_config(specs, tmux=tmux))
        return 0
    if not specs:
        others = (f" ({len(discovered)} pane(s) run a shell or another program)"
                  if discovered else "")
        print("orchestra: " + NO_AGENTS.format(server=server, others=others), file=sys.stderr)
        return 1
    written = write_starter_config(specs, path, force=args.force, tmux=tmux)
    names = ", ".join(spec.name for spec in specs)
    print(f"wrote {display_path(written)} with {len(specs)} agent(s): {names}")
    return 0


def _config_socket(path) -> tuple[str | None, str | None]:
    """The existing config's `[tmux]` server; none when it cannot be read (`--force` is how a
    broken one is replaced)."""
    try:
        tmux = load_config(str(path)).tmux
    except ConfigError:
        return None, None
    return tmux.socket_name, tmux.socket_path


def skipped_lines(discovered: Sequence[Any]) -> list[str]:
    """`skipped %3 (notes:0.0): runs cat, no agent CLI orchestra knows`, one per pane not
    taken."""
    lines = []
    for found in discovered:
        pane = found.pane
        if found.tool and found.tool != "shell" and not pane.dead:
            continue
        program = pane.current_command or "an unknown program"
        why = ("its pane is dead" if pane.dead
               else f"a plain {program} shell, no agent running in it" if found.tool == "shell"
               else f"runs {program}, no agent CLI orchestra knows ({KNOWN_TOOLS})")
        lines.append(f"skipped {pane.pane_id} ({pane.target}): {why}")
    return lines


def _print_template(tmux: TmuxConfig) -> int:
    """The commented template with no agents: what a person fills in by hand."""
    sys.stdout.write(render_starter_config([], tmux=tmux).rstrip("\n") + "\n\n" + EXAMPLE_AGENT)
    return 0


async def _discover(args: argparse.Namespace) -> list[Any]:
    # Imported here: the CLI imports every command module to build its parser.
    from orchestra_tui.bootstrap import tmux_service
    from orchestra_tui.services.tmux.discovery import discover_agent_panes

    return list(await discover_agent_panes(tmux_service(args)))
