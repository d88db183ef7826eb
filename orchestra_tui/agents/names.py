"""The names every layer uses for tools and shells, kept in one place.

>>> TOOL_NAMES
('codex', 'claude', 'gemini', 'aider', 'opencode', 'copilot', 'qwen', 'shell')
>>> "claude" in AGENT_TOOLS, "shell" in AGENT_TOOLS
(True, False)
>>> shell_name("/usr/bin/zsh"), shell_name("-bash"), shell_name("node")
('zsh', 'bash', None)
"""

from __future__ import annotations

# The order is the order the config template and `--tool` choices list them in.
AGENT_TOOLS_ORDERED: tuple[str, ...] = ("codex", "claude", "gemini", "aider", "opencode",
                                        "copilot", "qwen")
TOOL_NAMES: tuple[str, ...] = (*AGENT_TOOLS_ORDERED, "shell")
AGENT_TOOLS: frozenset[str] = frozenset(AGENT_TOOLS_ORDERED)

# Interactive shells a pane can fall back to when its agent exits. A process whose name is one
# of these in the foreground of an agent's pane means the agent is gone.
SHELLS: frozenset[str] = frozenset({
    "bash", "zsh", "sh", "fish", "dash", "ksh", "tcsh", "csh", "ash", "mksh", "nu", "xonsh",
})


def shell_name(command: str) -> str | None:
    """The shell a process name or path runs ("-bash" is a login bash), or None."""
    base = command.rsplit("/", 1)[-1].lstrip("-")
    return base if base in SHELLS else None
