"""Did the agent's turn start? The proof of a submission that does not rest on the composer.

After Enter the send recipe waits for the composer to no longer hold the prompt. A short prompt
can be a piece of the placeholder the empty composer shows ("do" in "Ask Codex to do
anything", "Codex" itself): it was submitted, yet the composer still seems to hold it. For a
prompt typed into an idle agent the turn starting decides instead: the agent reads `working`,
or the screen above its composer changed (the prompt's echo went into the history). An idle
agent draws nothing by itself, so nothing else changes it.

>>> idle = "• Done.\\n\\n› do\\n\\n  ? for shortcuts"
>>> turn_started(idle, "• Done.\\n\\n› do\\n\\n› Ask Codex to do anything\\n\\n  ? for shortcuts")
True
>>> turn_started(idle, "• Done.\\n\\n› Ask Codex to do anything\\n\\n  ? for shortcuts")
False
"""

from __future__ import annotations

import re

from orchestra_tui.agents.reading import classify
from orchestra_tui.agents.text import Screen
from orchestra_tui.models import State

# The composer's row, as `agents.draft` knows it: Codex `›` / `▌`, Claude `❯`, Gemini and
# Aider `>`.
_COMPOSER_ROW = re.compile(r"^\s*(?:[›❯▌]|(?:[a-z][\w-]*(?: multi)?|multi)?>)(?:\s|$)")
_BOTTOM_ROWS = 20
# A prompt this short and on one line leaves the composer's height alone, so nothing above it
# moves while it is typed.
SHORT_PROMPT = 64


def is_short(text: str) -> bool:
    return "\n" not in text and len(text) <= SHORT_PROMPT


def _above_composer(screen: str) -> tuple[str, ...] | None:
    s = Screen(screen)
    composer = next((ln for ln in reversed(s.tail(_BOTTOM_ROWS))
                     if _COMPOSER_ROW.match(ln.text)), None)
    if composer is None:
        return None
    return tuple(line.text for line in s.lines[:composer.index] if not line.blank)


def history_rows(screen: str) -> tuple[str, ...] | None:
    """The non-blank rows above the composer (the history), None when no composer shows."""
    return _above_composer(screen)


def composer_shown(screen: str) -> bool:
    """True when a composer row (the tool's prompt glyph) is among the bottom rows."""
    return _above_composer(screen) is not None


def turn_started(before: str, after: str, tool: str | None = None) -> bool:
    """True when `after` shows the agent's turn begun since `before` (the screen just before
    Enter): it reads `working`, or the rows above its composer are not the same."""
    if classify(after, tool).state is State.WORKING:
        return True
    above = _above_composer(before)
    return above is not None and _above_composer(after) not in (None, above)
