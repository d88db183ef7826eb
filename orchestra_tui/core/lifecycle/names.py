"""Names and command lines of agents orchestra starts: the branch a new agent gets (the lane's
pattern with the issue filled in) and the command that starts it (its tool's resume words,
orchestra's hooks).

>>> branch_name("codex/*", issue=711, title="Export orders as CSV!", agent="w2")
'codex/711-export-orders-as-csv'
>>> branch_name("codex/*", issue=711, title="", agent="w2"), branch_name("*", agent="w2")
('codex/711', 'w2')
>>> launch_command("codex --model o3", "codex", resume=True)
'codex resume --last --model o3'
>>> launch_command("python -m fake --flavor codex", "codex", resume=True)
'python -m fake --flavor codex'
"""

from __future__ import annotations

import os
import re
import unicodedata

from orchestra_tui.models import AgentSpec
from orchestra_tui.services.hooks.install import LaunchInjection, with_hooks

__all__ = ["HOOKED_TOOLS", "RESUME_ARGS", "branch_name", "can_resume", "launch_command",
           "program_of", "slug"]

# How each tool picks up its previous conversation in the same folder: these words go right
# after the program. A tool not here starts afresh.
RESUME_ARGS: dict[str, tuple[str, ...]] = {
    "claude": ("--continue",),
    "codex": ("resume", "--last"),
}
HOOKED_TOOLS = ("claude", "codex")  # hooks injected at launch (services.hooks_install)
SLUG_LENGTH = 40


def slug(text: str, limit: int = SLUG_LENGTH) -> str:
    """`text` as a branch-name part: lowercase ASCII words joined by `-`, cut at a word."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or (words[0][:limit] if words else "")


def branch_name(pattern: str, *, issue: int | None = None, title: str = "",
                agent: str) -> str:
    """The lane's pattern with its `*` filled: the issue number and its title's words, the
    number alone without a title, the agent's name without an issue."""
    if issue is not None:
        words = slug(title)
        part = f"{issue}-{words}" if words else str(issue)
    else:
        part = slug(agent) or agent
    return pattern.replace("*", part, 1).replace("*", "")


def program_of(command: str) -> str:
    words = command.strip().split(None, 1)
    return os.path.basename(words[0]) if words else ""


def can_resume(spec: AgentSpec) -> bool:
    """Whether the agent's command runs a tool that can pick up its last conversation."""
    return spec.tool in RESUME_ARGS and program_of(spec.command) == spec.tool


def launch_command(command: str, tool: str, *, resume: bool = False,
                   hooks: LaunchInjection | None = None) -> str:
    """The command line that starts the agent: the tool's resume words when `resume`, and
    orchestra's hooks, both only when the command runs that tool itself (a wrapper script or
    the simulated agent takes neither)."""
    if program_of(command) != tool:
        return command
    if resume and tool in RESUME_ARGS:
        command = with_hooks(command, LaunchInjection(tool, args=RESUME_ARGS[tool]))
    if hooks is not None and (hooks.args or hooks.env):
        command = with_hooks(command, hooks)
    return command


