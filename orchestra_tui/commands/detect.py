"""`orchestra detect [FILE|-] [--tool T] [--json]`: classify one screen from a file or stdin."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from orchestra_tui import agents
from orchestra_tui.agents.names import tool_names
from orchestra_tui.bootstrap import boot
from orchestra_tui.core.fleet.unknown_screens import HEADER_KEYS
from orchestra_tui.errors import OrchestraError, UsageError

# Screen files in the shared corpus start with a four-line header that is not screen text, and
# so do the screens orchestra keeps (`orchestra screens`), with their own keys.
_HEADER_LINE = re.compile(rf"^# (source|state|context_left|queued|{'|'.join(HEADER_KEYS)}):")
_TOOL_HEADER = re.compile(r"^# tool: (\S+)\s*$")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("detect", help="classify one agent screen")
    parser.add_argument("file", nargs="?", default="-", help="screen text file, or - for stdin")
    # No `choices`: the tools a config defines (`[[tool]]`) are known only once it is read.
    parser.add_argument("--tool", help="the agent CLI, built in or a [[tool]] of the config "
                                       "(default: recognise it)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def read_screen(source: str) -> str:
    return read_screen_file(source)[0]


def read_screen_file(source: str) -> tuple[str, str | None]:
    """The screen text of `source` and the tool its header names (a kept screen's), if any."""
    if source == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(source).read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise OrchestraError(f"cannot read {source}: {error.strerror}") from None
    lines = text.split("\n")
    tool = None
    while lines and _HEADER_LINE.match(lines[0]):
        named = _TOOL_HEADER.match(lines.pop(0))
        if named and named.group(1) in tool_names():
            tool = named.group(1)
    return "\n".join(lines), tool


def run(args: argparse.Namespace) -> int:
    boot(args, read_only=True)  # the config's [[tool]] profiles, read like the built-in ones
    if args.tool is not None and args.tool not in tool_names():
        raise UsageError(f"orchestra detect: argument --tool: invalid choice: '{args.tool}' "
                         f"(choose from {', '.join(tool_names())})")
    screen, named = read_screen_file(args.file)
    detection = agents.classify(screen, args.tool or named)
    result = {
        "tool": detection.tool,
        "state": str(detection.state),
        "context_left": detection.context_left,
        "queued": detection.queued,
        "reason": detection.reason,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        context = "-" if detection.context_left is None else f"{detection.context_left}%"
        queued = "-" if detection.queued is None else detection.queued
        print(f"{detection.tool}  {detection.state}  context {context}  queued {queued}")
        print(f"  {detection.reason}")
    return 0
