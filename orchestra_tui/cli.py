"""The `orchestra` command line: global options, then one module per subcommand in `commands/`.

Every subcommand module has `register(subparsers)` and returns an exit code from the function it
sets as `func` (`unblock` registers four: approve, deny, interrupt, kill; `commands/targets.py`,
shared by the commands that name an agent, is no subcommand). A subcommand's options and
arguments come in any order (`send api --queue TEXT`). The global options (`--config`, `-L`,
`-S`, `--data-dir`) are taken before or after the subcommand, as `orchestra -L work status` and
`orchestra status -L work` alike. Every error is one line on stderr and a non-zero exit:
`OrchestraError`s and unreadable files exit 1, usage errors exit 2 (argparse's code), without
argparse's usage dump.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from typing import NoReturn

from orchestra_tui import __version__
from orchestra_tui.errors import OrchestraError, UsageError

# Modules of `commands/`, each registering its subcommand(s); `unblock` registers approve, deny,
# interrupt and kill.
SUBCOMMANDS = ("status", "detect", "send", "queue", "unblock", "init", "inbox", "restart", "log",
               "report", "demo", "hooks", "hook", "new", "up", "retire", "why",
               "screens", "away", "notify")
_INVALID_COMMAND = re.compile(r"argument COMMAND: invalid choice: '([^']*)'")
# "GitHub: GitHub: not found": a label said twice where one message wraps another's.
_DOUBLED_LABEL = re.compile(r"(?<![\w-])([A-Za-z][\w-]{0,20}(?: [\w-]{1,20}){0,2}): \1: ")


class OneLineParser(argparse.ArgumentParser):
    """argparse with its errors as one line (`orchestra status: unrecognized arguments: -x`)
    raised as `UsageError`, not a usage dump and `sys.exit` from deep inside parsing."""

    def error(self, message: str) -> NoReturn:
        unknown = _INVALID_COMMAND.match(message)
        if unknown:
            message = (f"unknown command '{unknown[1]}' "
                       f"(try: {', '.join(self._commands())}, or orchestra --help)")
        raise UsageError(f"{self.prog}: {one_line(message)}")

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        """A subcommand's options and arguments in any order (`send api --queue TEXT` as
        `send api TEXT --queue`): argparse's intermixed parsing, for parsers without
        subcommands (the top-level one keeps the plain parse that finds the subcommand)."""
        if self._intermixing or self._subcommands() is not None:
            return super().parse_known_args(args, namespace)
        self._intermixing = True
        try:
            return super().parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False

    _intermixing = False

    def _subcommands(self) -> argparse._SubParsersAction | None:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action
        return None

    def _commands(self) -> list[str]:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return list(action.choices)
        return []


def add_global_options(parser: argparse.ArgumentParser, *, after_command: bool) -> None:
    """`--config`, `-L`/`-S` and `--data-dir`. After the subcommand they default to nothing
    (argparse.SUPPRESS), so a value given before the subcommand is kept unless repeated."""
    default = argparse.SUPPRESS if after_command else None
    group = parser.add_argument_group("global options") if after_command else parser
    group.add_argument("--config", metavar="PATH", default=default,
                       help="config file (default: $ORCHESTRA_CONFIG, then the user config dir)")
    server = group.add_mutually_exclusive_group()
    server.add_argument("-L", dest="socket_name", metavar="NAME", default=default,
                        help="tmux server socket name, as tmux -L")
    server.add_argument("-S", dest="socket_path", metavar="PATH", default=default,
                        help="tmux server socket path, as tmux -S")
    group.add_argument("--data-dir", metavar="PATH", default=default,
                       help="where queues and the journal live (default: the user data dir)")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="orchestra",
        description="Control plane for AI coding agents running in tmux.",
    )
    parser.add_argument("--version", action="version", version=f"orchestra {__version__}")
    add_global_options(parser, after_command=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"orchestra_tui.commands.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"orchestra_tui.commands.{name}":
                raise
            continue
        module.register(subparsers)
    for subparser in subparsers.choices.values():
        add_global_options(subparser, after_command=True)
    parser.set_defaults(func=_run_app)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line as a namespace; a usage error raises `UsageError` (one line)."""
    args, extra = build_parser().parse_known_args(argv)
    if extra:
        where = f"orchestra {args.command}" if args.command else "orchestra"
        raise UsageError(f"{where}: unrecognized arguments: {' '.join(extra)}")
    if args.socket_name and args.socket_path:
        raise UsageError("orchestra: -L and -S both name a tmux server: give one of them")
    return args


def _run_app(args: argparse.Namespace) -> int:
    from orchestra_tui.commands.app import run_app

    return run_app(args)


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        return int(args.func(args) or 0)
    except UsageError as error:
        _error_line(_prefixed(str(error)))
        return 2
    except OrchestraError as error:
        _error_line(_prefixed(str(error)))
        return 1
    except OSError as error:
        if isinstance(error, BrokenPipeError):
            # `orchestra status --json | head`: the reader left; that is not an error.
            sys.stderr.close()
            return 0
        where = f"{error.filename}: " if error.filename else ""
        _error_line(f"orchestra: {where}{error.strerror or error}")
        return 1
    except KeyboardInterrupt:
        return 130


def one_line(message: str) -> str:
    """A message's lines joined with `; ` (argparse and libraries may wrap theirs), a label
    said twice in a row said once.

    >>> one_line("api has no issue #7 (GitHub: GitHub: not found)\\nretry")
    'api has no issue #7 (GitHub: not found); retry'
    """
    joined = "; ".join(line.strip() for line in message.splitlines() if line.strip())
    return _DOUBLED_LABEL.sub(r"\1: ", joined)


def _prefixed(message: str) -> str:
    """`orchestra: <message>`, unless the message already names orchestra (`orchestra send:
    unrecognized arguments`)."""
    return message if message.startswith(("orchestra:", "orchestra ")) else f"orchestra: {message}"


def _error_line(message: str) -> None:
    try:
        print(one_line(message), file=sys.stderr)
    except OSError:
        pass  # the terminal is gone (SIGHUP): nobody is left to read it
