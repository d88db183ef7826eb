"""`orchestra hooks install|remove|status [--tool T] [--project DIR]`: the agent CLIs' own hooks
report their state to orchestra (see `services.hooks_install`).

    orchestra hooks install --tool claude            # ~/.claude/settings.json
    orchestra hooks install --tool codex             # ~/.codex/hooks.json and their trust
    orchestra hooks status
    orchestra hooks install --tool opencode          # ~/.config/opencode/plugins/orchestra.js
    orchestra hooks remove --tool claude             # the file as it was before install
"""

from __future__ import annotations

import argparse
from pathlib import Path

from orchestra_tui.errors import UsageError
from orchestra_tui.paths import config_path, data_dir
from orchestra_tui.services.hooks.install import TOOLS, HookProgram, install, remove, status

_AFTER_INSTALL = {
    "claude": "start (or restart) Claude Code: hooks are read when it starts",
    "codex": "start (or restart) Codex: hooks are read when it starts",
    "gemini": "start (or restart) Gemini CLI in a folder it trusts: it reads hooks when it "
              "starts, and runs none in an untrusted folder",
    "qwen": "start (or restart) Qwen Code: hooks are read when it starts",
    "copilot": "start (or restart) Copilot CLI: hooks are read when it starts",
    "opencode": "start (or restart) opencode: plugins are loaded when it starts",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hooks", help="install, remove or show the agent CLIs' hooks that report to orchestra",
        description="Merge orchestra's hooks into an agent CLI's settings (yours stay as they "
                    "are; a backup is kept beside the file), take them out again, or show "
                    "what is installed where.")
    parser.add_argument("action", choices=("install", "remove", "status"))
    parser.add_argument("--tool", choices=TOOLS,
                        help="claude, codex, gemini, qwen, copilot or opencode (install and remove "
                             "need one)")
    parser.add_argument("--project", metavar="DIR",
                        help="the project's settings instead of your user settings")
    parser.set_defaults(func=run)


def _data_dir(args: argparse.Namespace) -> Path:
    explicit = getattr(args, "data_dir", None)
    if explicit:
        path = Path(explicit).expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path
    return data_dir()


def _status(args: argparse.Namespace, project: Path | None, directory: Path) -> int:
    """The hooks installed where, then every way enforcement a lane asks for is off; exit 1
    when there is one (a hook reading another config than this one counts when some agent
    asks to enforce)."""
    from orchestra_tui.core.guard.enforcement import enforcement_problems
    from orchestra_tui.services.store.agents_registry import recorded_agents

    config = config_path(getattr(args, "config", None)).resolve()
    tools = (args.tool,) if args.tool else TOOLS
    rows = status(tools, project=project, data_dir=directory, config=config)
    for row in rows:
        print(row.line())
    problems = enforcement_problems(config, recorded_agents(directory))
    for name, why in sorted(problems.items()):
        print(f"enforcement ! {name + ': ' if name else ''}{why}")
    elsewhere = any(row.other_config for row in rows)
    return 1 if problems or (elsewhere and _asks_to_enforce(config, directory)) else 0


def _asks_to_enforce(config: Path, directory: Path) -> bool:
    from orchestra_tui.config.lenient import read_enforcement
    from orchestra_tui.core.guard.enforcement import standing
    from orchestra_tui.services.store.agents_registry import recorded_agents

    return bool(standing(read_enforcement(config), recorded_agents(directory)).wants)


def run(args: argparse.Namespace) -> int:
    project = Path(args.project).expanduser() if args.project else None
    directory = _data_dir(args)
    if args.action == "status":
        return _status(args, project, directory)
    if not args.tool:
        raise UsageError(f"orchestra hooks {args.action}: name the tool with --tool "
                             f"({', '.join(TOOLS)})")
    if args.action == "install":
        program = HookProgram(data_dir=directory,
                              config=config_path(getattr(args, "config", None)).resolve())
        changes = install(args.tool, program, project=project)
    else:
        changes = remove(args.tool, directory, project=project)
    for change in changes:
        print(change.line())
    if args.action == "install" and any(c.action in ("installed", "updated") for c in changes):
        print(f"next: {_AFTER_INSTALL[args.tool]}")
    return 0
