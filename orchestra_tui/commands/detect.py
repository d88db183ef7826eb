"""`orchestra detect [FILE|-] [--tool T] [--json]`: classify one screen from a file or stdin."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from orchestra_tui import agents
from orchestra_tui.agents.names import TOOL_NAMES
from orchestra_tui.errors import OrchestraError

# Screen files in the shared corpus start with a four-line header that is not screen text.
_HEADER_LINE = re.compile(r"^# (source|state|context_left|queued):")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("detect", help="classify one agent screen")
    parser.add_argument("file", nargs="?", default="-", help="screen text file, or - for stdin")
    parser.add_argument("--tool", choices=TOOL_NAMES, help="the agent CLI (default: recognise it)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def read_screen(source: str) -> str:
    if source == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(source).read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise OrchestraError(f"cannot read {source}: {error.strerror}") from None
    lines = text.split("\n")
    while lines and _HEADER_LINE.match(lines[0]):
        lines.pop(0)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    detection = agents.classify(read_screen(args.file), args.tool)
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
