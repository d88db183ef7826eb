"""Which tool a process command line runs (from the pane's process tree)."""

from __future__ import annotations

import re

from orchestra_tui.agents.names import SHELLS, configured_commands, is_agent_tool

# Interpreters and launchers whose own name says nothing: the tool is in a later argument.
_RUNNERS = re.compile(r"^(?:node(?:js)?|bun|deno|python[\d.]*|pypy[\d.]*|npx|pnpx|bunx|uvx?|pipx"
                      r"|env|exec|nohup|sudo|nice|time|run|dlx)$")
_BY_PATH = (
    # npm's package, or the native installer's binary (~/.local/share/claude/versions/2.1.29)
    ("claude", re.compile(r"@anthropic-ai/claude-code|claude-code/cli\.[cm]?js"
                          r"|/claude/versions/[\w.-]+$")),
    ("codex", re.compile(r"@openai/codex|/codex-(?:rs|cli)/")),
    ("gemini", re.compile(r"@google/gemini-cli|/gemini-cli/")),
    ("aider", re.compile(r"/aider/|\baider-chat\b|/site-packages/aider\b")),
    # npm's launcher (node …/opencode-ai/bin/opencode) or its platform binary.
    ("opencode", re.compile(r"/opencode-ai/|/opencode-(?:linux|darwin|windows)-[\w-]+/")),
    ("copilot", re.compile(r"@github/copilot\b|/copilot/pkg/[\w-]+/[\d.]+/")),
    ("qwen", re.compile(r"@qwen-code/qwen-code|/qwen-code/")),
)
_BY_NAME = (
    ("claude", re.compile(r"^claude(?:-code)?$")),
    ("codex", re.compile(r"^codex(?:-[\w.-]+)?$")),
    ("gemini", re.compile(r"^gemini(?:-cli)?$")),
    ("aider", re.compile(r"^aider(?:-chat|\.[\w.]+)?$")),
    ("opencode", re.compile(r"^opencode$")),
    ("copilot", re.compile(r"^copilot$")),
    ("qwen", re.compile(r"^qwen(?:-code)?$")),
)
_FAKE_AGENT = re.compile(r"orchestra_tui[./]demo[./]fake_agent\b")
_FLAVOR = re.compile(r"--flavou?r(?:=|\s+)(\w+)")


def _name(token: str) -> str:
    base = token.rsplit("/", 1)[-1].lower()
    base = base.lstrip("-")  # a login shell shows as "-bash"
    return re.sub(r"\.(?:[cm]?js|py|exe)$", "", base)


def tool_from_command(argv: str) -> str | None:
    """"node …/@anthropic-ai/claude-code/cli.js" -> "claude", "codex" -> "codex",
    "/usr/bin/python3 -m aider" -> "aider", "bash" -> "shell"; None when it is none of them."""
    if not argv or not argv.strip():
        return None
    # The simulated agent of `orchestra demo` stands in for the tool named by its flavour.
    if _FAKE_AGENT.search(argv):
        match = _FLAVOR.search(argv)
        flavor = match.group(1).lower() if match else "codex"
        return flavor if is_agent_tool(flavor) else None
    tokens = argv.split()
    # Only the program and, behind a runner, its script or module: a later argument such as
    # `grep claude notes.md` must not count.
    candidates: list[str] = []
    for i, token in enumerate(tokens):
        if "=" in token and not token.startswith("-"):
            continue  # FOO=bar before the program (`env FOO=1 claude`)
        candidates.append(token)
        name = _name(token)
        if i and tokens[i - 1] == "-m":
            break
        if token.startswith("-") or _RUNNERS.match(name):
            continue
        break
    for token in candidates:
        for tool, pattern in _BY_PATH:
            if pattern.search(token):
                return tool
        name = _name(token)
        for tool, pattern in _BY_NAME:
            if pattern.match(name):
                return tool
    # A tool the config defines (`[[tool]] command`), after the built-ins: its pattern is the
    # person's and may be loose.
    for token in candidates:
        name = _name(token)
        for tool, pattern in configured_commands():
            if pattern.search(token) or pattern.search(name):
                return tool
    first = _name(candidates[0]) if candidates else ""
    return "shell" if first in SHELLS else None
