"""`orchestra hook`: the program the agents' hooks run (installed by `orchestra hooks install`).

    python -m orchestra_tui.commands.hook --tool claude --data-dir DIR [--config FILE]
                                          [--agent NAME [--enforcing]] [EVENT_JSON]

It reads the event JSON on stdin (Codex's `notify` program passes it as the last argument
instead), appends one line to the pane's event log in orchestra's data dir (`$TMUX_PANE` names
the pane), nudges a running app, and exits 0. It never answers a permission request: an
observing event prints nothing. The one decision it makes is the lane's own: in a pre-tool
event of an agent whose `[[agent]]` has `enforce = true`, a shell command the lane forbids is
denied before it runs, with the lane's policy as the reason the agent reads, and journaled.

The import path is kept lean (no argparse, no config unless a pre-tool event needs it): the
agent waits for this process on every event.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestra_tui.services.hooks.log import append_event, nudge, prompt_digest

if TYPE_CHECKING:
    from orchestra_tui.core.guard.hook_guard import HookIO
    from orchestra_tui.models import AgentRecord, PaneInfo

TOOLS = ("claude", "codex", "gemini", "qwen", "copilot", "opencode")
STDIN_SECONDS = 2.0  # a hook's stdin is closed by the agent at once; never wait longer
# Pre-tool events and the tool names that mean "run a shell command", per agent CLI.
# Qwen Code names its shell tool as Gemini CLI does; Copilot CLI `bash`.
_PRE_TOOL = {"PreToolUse": ("Bash", "run_shell_command", "bash"),
             "BeforeTool": ("run_shell_command",)}
MAX_ASKED = 16 << 10  # longest asked command kept in the event log
# Events whose `prompt` is the prompt the person (or orchestra) submitted.
_PROMPT_EVENTS = ("UserPromptSubmit", "BeforeAgent")
_DETAIL_KEYS = ("tool_name", "notification_type", "source", "reason", "trigger", "error_type")


class Options:
    """The hook program's command line, parsed by hand (argparse costs more than the rest)."""

    def __init__(self) -> None:
        self.tool = ""
        self.data_dir: Path | None = None
        self.config: Path | None = None
        self.agent = ""
        self.enforcing = False  # the agent was started enforcing (recorded at launch)
        self.event = ""  # the event, for a CLI whose payload does not name it (Copilot CLI)
        self.payload_arg: str | None = None

    @classmethod
    def parse(cls, argv: list[str]) -> Options:
        options = cls()
        names = {"--tool": "tool", "--data-dir": "data_dir", "--config": "config",
                 "--agent": "agent", "--event": "event"}
        index = 0
        while index < len(argv):
            word = argv[index]
            key, _, inline = word.partition("=")
            if key in names:
                if inline:
                    value = inline
                elif index + 1 < len(argv):
                    index += 1
                    value = argv[index]
                else:
                    value = ""
                attribute = names[key]
                setattr(options, attribute,
                        Path(value).expanduser() if attribute in ("data_dir", "config") and value
                        else value)
            elif word == "--enforcing":
                options.enforcing = True
            elif not word.startswith("--"):
                options.payload_arg = word  # Codex notify: the event JSON as the last argument
            index += 1
        return options


def read_stdin(seconds: float = STDIN_SECONDS) -> bytes:
    """Everything on stdin until EOF, giving up after `seconds` (a terminal gives nothing)."""
    try:
        descriptor = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return b""
    if os.isatty(descriptor):
        return b""
    import select

    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            ready, _, _ = select.select([descriptor], [], [], remaining)
        except (OSError, ValueError):
            break
        if not ready:
            break
        chunk = os.read(descriptor, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def parse_payload(raw: bytes | str) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def event_name(payload: dict[str, Any]) -> str:
    """`hook_event_name`, or Codex notify's `type` (`agent-turn-complete`)."""
    name = payload.get("hook_event_name") or payload.get("type") or ""
    return name if isinstance(name, str) else ""


def event_detail(payload: dict[str, Any]) -> str:
    for key in _DETAIL_KEYS:
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value[:80]
    error = payload.get("error")
    if isinstance(error, dict):
        error = error.get("type")
    return error[:80] if isinstance(error, str) else ""


def shell_command(tool: str, name: str, payload: dict[str, Any]) -> str | None:
    """The shell command a pre-tool event is about to run, else None."""
    if payload.get("tool_name") not in _PRE_TOOL.get(name, ()):
        return None
    tool_input = payload.get("tool_input")
    command = tool_input.get("command") if isinstance(tool_input, dict) else None
    if isinstance(command, list) and all(isinstance(word, str) for word in command):
        import shlex

        command = shlex.join(command)  # an argv (`["bash", "-lc", "..."]`)
    return command if isinstance(command, str) and command.strip() else None


def asked_command(name: str, payload: dict[str, Any]) -> str | None:
    """The shell command a permission dialog asks about, whole, or None. A command too long to
    keep is left out rather than cut: a cut one could be approved for what it lost."""
    if name != "PermissionRequest":
        return None
    tool_input = payload.get("tool_input")
    command = tool_input.get("command") if isinstance(tool_input, dict) else None
    if isinstance(command, list) and all(isinstance(word, str) for word in command):
        import shlex

        command = shlex.join(command)
    if not isinstance(command, str) or not command.strip() or len(command) > MAX_ASKED:
        return None
    return command


def deny_output(tool: str, reason: str) -> dict[str, Any]:
    """The tool's documented way for a pre-tool hook to refuse a call, with `reason` for the
    model: Claude Code, Codex and Qwen Code read `hookSpecificOutput.permissionDecision`,
    Gemini CLI the top-level `decision`, Copilot CLI a top-level `permissionDecision`,
    orchestra's opencode plugin a `decision` it throws on."""
    if tool == "gemini":
        return {"decision": "deny", "reason": reason}
    if tool == "copilot":  # Copilot CLI's preToolUse output
        return {"permissionDecision": "deny", "permissionDecisionReason": reason}
    if tool == "opencode":  # orchestra's own plugin reads it and throws
        return {"decision": "deny", "reason": reason}
    return {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                   "permissionDecisionReason": reason}}


def handle(options: Options, payload: dict[str, Any], pane_id: str, now: float
           ) -> tuple[dict[str, Any], dict | None]:
    """The event's record for the pane's log, and the output to print (a denial) or None.
    Nothing here writes but the journal line of a denial (whose failure changes nothing)."""
    if options.tool == "copilot" and options.event:  # recorded in Claude Code's terms
        from orchestra_tui.agents.copilot_hooks import as_claude

        payload = as_claude(options.event, payload)
    elif options.tool == "opencode" and options.event:
        from orchestra_tui.agents.opencode_hooks import as_claude as opencode_as_claude

        payload = opencode_as_claude(options.event, payload)
    name = event_name(payload)
    record: dict[str, Any] = {"at": now, "event": name, "tool": options.tool,
                              "pane": pane_id}
    for key, value in (("session", payload.get("session_id") or payload.get("thread-id")),
                       ("detail", event_detail(payload)), ("agent", options.agent),
                       ("tmux", os.environ.get("TMUX", "").split(",", 1)[0])):
        if isinstance(value, str) and value:
            record[key] = value
    prompt = payload.get("prompt")
    if name in _PROMPT_EVENTS and isinstance(prompt, str) and (digest := prompt_digest(prompt)):
        record["prompt"] = digest  # which prompt started the turn (a delivery receipt), no words
    asked = asked_command(name, payload)
    if asked is not None:
        record["command"] = asked  # what a lane's `auto_approve` judges
    output = None
    command = shell_command(options.tool, name, payload)
    if command is not None and options.config is not None:
        from orchestra_tui.core.guard.hook_guard import check_command

        cwd = payload.get("cwd")  # where the command runs: scripts it runs are read there
        verdict = check_command(command, config=options.config, io=hook_io(_data_dir(options)),
                                agent=options.agent, pane_id=pane_id, now=now,
                                cwd=cwd if isinstance(cwd, str) else None,
                                started_enforcing=options.enforcing)
        if verdict is not None:
            record["denied"] = verdict.label
            record.setdefault("agent", verdict.agent)
            output = deny_output(options.tool, verdict.reason)
    return record, output


def record_event(options: Options, record: dict[str, Any]) -> None:
    """Append the event to its pane's log and nudge a running app (no pane, no event: none)."""
    data_dir = _data_dir(options)
    if data_dir is not None and record.get("pane") and record.get("event"):
        append_event(data_dir, record["pane"], record)
        nudge(data_dir, record["pane"])


def hook_io(data_dir: Path | None) -> HookIO:
    """The check's reads and writes over the services, each imported only when called: the
    hook program answers a config that never says `enforce` without loading them."""
    from orchestra_tui.core.guard.hook_guard import HookIO

    def agents_file() -> bytes | None:
        from orchestra_tui.services.store.agents_registry import agents_file_bytes
        return agents_file_bytes(data_dir)

    def records() -> tuple[AgentRecord, ...]:
        from orchestra_tui.services.store.agents_registry import recorded_agents
        return recorded_agents(data_dir)

    def panes() -> list[PaneInfo]:
        from orchestra_tui.services.hooks.panes import panes_of_this_server
        return panes_of_this_server()

    def journal(event: str, agent: str | None, **fields: object) -> None:
        from orchestra_tui.services.store.journal import FILE_NAME, Journal
        Journal(data_dir / FILE_NAME if data_dir is not None else None).append(
            event, agent, **fields)

    return HookIO(agents_file=agents_file, records=records, panes=panes, journal=journal)


def _data_dir(options: Options) -> Path | None:
    """`--data-dir`, else the default (None when it cannot be made: a decision never waits
    on the disk)."""
    if options.data_dir is not None:
        return options.data_dir
    try:
        from orchestra_tui.paths import data_dir

        return data_dir()
    except Exception:
        return None


def main(argv: list[str] | None = None) -> int:
    """Always 0: a failing observer must never stop the agent. The decision is printed before
    anything is recorded, so a read-only or full data dir never loses it. Problems go to
    `hooks/hook-errors.log` in the data dir, when it can be written."""
    options = Options.parse(sys.argv[1:] if argv is None else argv)
    try:
        raw = options.payload_arg if options.payload_arg is not None else read_stdin()
        record, output = handle(options, parse_payload(raw),
                                os.environ.get("TMUX_PANE", ""), time.time())
        if output is not None:
            sys.stdout.write(json.dumps(output) + "\n")
            sys.stdout.flush()
        record_event(options, record)
    except Exception as error:
        _note_error(options, error)
    return 0


def _note_error(options: Options, error: Exception) -> None:
    try:
        directory = _data_dir(options)
        if directory is None:
            return
        directory = directory / "hooks"
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(directory / "hook-errors.log", "a", encoding="utf-8") as log:
            log.write(f"{time.time():.3f} {options.tool} {type(error).__name__}: {error}\n")
    except Exception:
        pass


def register(subparsers: Any) -> None:
    """`orchestra hook` in the command line's help; the hooks themselves run this module
    directly (`python -m orchestra_tui.commands.hook`), the fastest path."""
    parser = subparsers.add_parser(
        "hook", help="the program agents' hooks run (installed by `orchestra hooks install`)",
        description="Read one hook event (JSON on stdin), record it for the pane in "
                    "$TMUX_PANE, deny a command an enforcing lane forbids. Always exits 0.")
    parser.add_argument("--tool", choices=TOOLS, required=True)
    parser.add_argument("--agent", default="", help="the configured agent this pane runs")
    parser.add_argument("--enforcing", action="store_true",
                        help="the agent was started enforcing: deny its commands when the "
                             "config cannot be read")
    parser.add_argument("payload", nargs="?", help="the event JSON (Codex notify); else stdin")
    parser.set_defaults(func=_run)


def _run(args: Any) -> int:
    argv = ["--tool", args.tool]
    if args.agent:
        argv += ["--agent", args.agent] + (["--enforcing"] if args.enforcing else [])
    if getattr(args, "data_dir", None):
        argv += ["--data-dir", str(args.data_dir)]
    from orchestra_tui.paths import config_path

    argv += ["--config", str(config_path(getattr(args, "config", None)))]
    if args.payload is not None:
        argv.append(args.payload)
    return main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
