"""Past-tense messages that flow up from widgets and workers to the screens and the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class PromptSubmitted(Message):
    """The person finished a prompt: send it now, or add it to the agent's queue."""

    agent: str
    text: str
    queue: bool


@dataclass
class AgentSelected(Message):
    """The selection moved to `agent` (None: the fleet is empty)."""

    agent: str | None


@dataclass
class PromptClosed(Message):
    """The prompt bar closed: the fleet gets the keyboard back."""
