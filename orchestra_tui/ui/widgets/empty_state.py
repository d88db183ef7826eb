"""What a new user sees when there is no agent to show: how to get one."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static

EMPTY_TEXT = """\
[b]No agents yet.[/b]

orchestra watches AI coding agents (Codex CLI, Claude Code, Gemini CLI, Aider)
running in tmux panes. None were found on this tmux server and no config lists any.

  [b]orchestra demo[/b]    try everything on four simulated agents, offline
  [b]orchestra init[/b]    write a config for the agents running in tmux now

The config lives at [b]{config}[/b].
"""


class EmptyState(Static):
    DEFAULT_CLASSES = "empty-state"

    def __init__(self, config_path: str, **kwargs) -> None:
        super().__init__(EMPTY_TEXT.format(config=escape(config_path)), **kwargs)
