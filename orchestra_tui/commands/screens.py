"""`orchestra screens [--json]`: the screens orchestra kept because it could not read them
(`unknown` for more than a few seconds, see `core.unknown_screens`), newest first, each with
its agent, tool and version, redacted of secrets. `orchestra detect FILE` replays one; attach
it to a report of the misread."""

from __future__ import annotations

import argparse
import json

from orchestra_tui.agents.inert import visible_controls
from orchestra_tui.bootstrap import boot
from orchestra_tui.paths import display_path
from orchestra_tui.services.store.kept_screens import DIRECTORY, ScreenKeep


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "screens", help="list the screens orchestra could not read (kept to report)",
        description="Screens read unknown for more than a few seconds, kept in the data dir "
                    "(secrets redacted). Replay one with `orchestra detect FILE`.")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    directory = boot(args, read_only=True).services.store.directory / DIRECTORY
    kept = ScreenKeep(directory).listing()
    if args.json:
        print(json.dumps([{"path": str(item.path), "kept_at": item.kept_at or None,
                           "agent": item.agent or None, "tool": item.tool or None,
                           "version": item.version or None, "reason": item.reason or None}
                          for item in kept], indent=2, ensure_ascii=False))
        return 0
    if not kept:
        print(f"no screens kept in {display_path(directory)}: every screen was read")
        return 0
    for item in kept:
        print(visible_controls(f"{item.kept_at or '-'}  {item.agent or '-'}  "
                               f"{item.tool or '-'} {item.version or ''}".rstrip()))
        print(f"  {display_path(item.path)}")
    print("replay one: orchestra detect FILE")
    return 0
