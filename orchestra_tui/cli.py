"""The `orchestra` command line: global options, then one module per subcommand in `commands/`.

Every subcommand module has `register(subparsers)` and returns an exit code from the function it
sets as `func`. Errors a person can act on are `OrchestraError`s: one line on stderr, exit 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from orchestra_tui import __version__
from orchestra_tui.errors import OrchestraError

SUBCOMMANDS = ("status", "detect", "send", "init", "inbox", "restart", "log", "report", "demo",
               "hooks", "hook")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orchestra",
        description="Control plane for AI coding agents running in tmux.",
    )
    parser.add_argument("--version", action="version", version=f"orchestra {__version__}")
    parser.add_argument("--config", metavar="PATH",
                        help="config file (default: $ORCHESTRA_CONFIG, then the user config dir)")
    server = parser.add_mutually_exclusive_group()
    server.add_argument("-L", dest="socket_name", metavar="NAME",
                        help="tmux server socket name, as tmux -L")
    server.add_argument("-S", dest="socket_path", metavar="PATH",
                        help="tmux server socket path, as tmux -S")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"orchestra_tui.commands.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"orchestra_tui.commands.{name}":
                raise
            continue
        module.register(subparsers)
    parser.set_defaults(func=_run_app)
    return parser


def _run_app(args: argparse.Namespace) -> int:
    from orchestra_tui.commands.app import run_app

    return run_app(args)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except OrchestraError as error:
        print(f"orchestra: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `orchestra status --json | head`: the reader left; that is not an error.
        sys.stderr.close()
        return 0
