"""The names every layer uses for tools and shells, kept in one place: the built-in tools,
and the registry of the tools a config defines (`[[tool]]`), which the composition root fills
through `agents.profiles.use_profiles` at start. Every layer asks `is_agent_tool` and
`agent_tools()` rather than holding a copy, so a configured tool counts everywhere.

>>> TOOL_NAMES
('codex', 'claude', 'gemini', 'aider', 'opencode', 'copilot', 'qwen', 'shell')
>>> is_agent_tool("claude"), is_agent_tool("shell"), is_agent_tool(None)
(True, False, False)
>>> shell_name("/usr/bin/zsh"), shell_name("-bash"), shell_name("node")
('zsh', 'bash', None)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# The order is the order the config template and `--tool` choices list them in.
AGENT_TOOLS_ORDERED: tuple[str, ...] = ("codex", "claude", "gemini", "aider", "opencode",
                                        "copilot", "qwen")
TOOL_NAMES: tuple[str, ...] = (*AGENT_TOOLS_ORDERED, "shell")
# Names a configured tool may not take: the built-ins, and the words that mean "no tool".
RESERVED_TOOL_NAMES: frozenset[str] = frozenset({*TOOL_NAMES, "auto", "unknown"})

# The configured tools: name -> the pattern that recognises its process (None: by name only).
# Held here, not in the profiles, because the hook program imports this module on every event
# and must not pay for the screen reader's patterns.
_configured: dict[str, re.Pattern[str] | None] = {}


def register_tools(commands: Mapping[str, re.Pattern[str] | None]) -> None:
    """Replace the configured tools (name -> process pattern); the built-ins always stay."""
    _configured.clear()
    _configured.update({name: pattern for name, pattern in commands.items()
                        if name not in RESERVED_TOOL_NAMES})


def agent_tools() -> tuple[str, ...]:
    """Every agent tool: the built-ins in their order, then the configured ones."""
    return (*AGENT_TOOLS_ORDERED, *_configured)


def tool_names() -> tuple[str, ...]:
    """Every tool a pane can run, "shell" last (what `--tool` and `tool =` accept)."""
    return (*agent_tools(), "shell")


def is_agent_tool(name: str | None) -> bool:
    return name is not None and (name in AGENT_TOOLS_ORDERED or name in _configured)


def configured_commands() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(tool, process pattern) of each configured tool that has one."""
    return tuple((name, pattern) for name, pattern in _configured.items() if pattern)

# Interactive shells a pane can fall back to when its agent exits. A process whose name is one
# of these in the foreground of an agent's pane means the agent is gone.
SHELLS: frozenset[str] = frozenset({
    "bash", "zsh", "sh", "fish", "dash", "ksh", "tcsh", "csh", "ash", "mksh", "nu", "xonsh",
})


def shell_name(command: str) -> str | None:
    """The shell a process name or path runs ("-bash" is a login bash), or None."""
    base = command.rsplit("/", 1)[-1].lstrip("-")
    return base if base in SHELLS else None
