"""Is typed text still sitting unsubmitted in the agent's composer? (the most reported bug of
every tmux anchor: the body went in, Enter did not)."""

from __future__ import annotations

import re

from orchestra_tui.agents.text import Screen, normalise_line

# Composer glyphs of every tool: Codex `›` / `▌`, Claude `❯` / `│ >` (borders are stripped by
# Screen), Gemini `│ >`, Aider `> ` / `architect> ` / `multi> `.
_COMPOSER_ROW = re.compile(r"^\s*(?:[›❯▌]|(?:[a-z][\w-]*(?: multi)?|multi)?>)(?:\s|$)")
# A long or multi-line paste is shown as a marker, not as its text: Claude "[Pasted text #1
# +42 lines]", Codex "[Pasted Content 1234 chars]".
_PASTED = re.compile(r"\[Pasted (?:text|Content)\b")
_BOTTOM_ROWS = 20
_TAIL_CHARS = 24
_BLOCK_ROWS = 30


def _tail(text: str) -> str:
    lines = [normalise_line(row) for row in text.split("\n")]
    last = next((row for row in reversed(lines) if row.strip()), "")
    return "".join(last.split())[-_TAIL_CHARS:]


def draft_pending(screen: str, text: str) -> bool:
    """True while the composer near the bottom still holds the tail of `text`'s last line, or
    a `[Pasted text` marker. Queued echoes (Codex `↳ …`, Claude `❯ …` blocks above the
    composer) are not the composer and do not count."""
    s = Screen(screen)
    bottom = s.tail(_BOTTOM_ROWS)
    composer = next((ln for ln in reversed(bottom) if _COMPOSER_ROW.match(ln.text)), None)
    if composer is None:
        return False
    block = [composer.text.strip()[1:]]
    for line in s.lines[composer.index + 1:composer.index + _BLOCK_ROWS]:
        if line.blank or line.rule:
            break
        block.append(line.text)
    content = "".join("".join(row.split()) for row in block)
    if _PASTED.search(" ".join(block)):
        return True
    tail = _tail(text)
    return bool(tail) and tail in content


# Claude Code's composer in bash mode shows "!" where "❯" was (Gemini CLI's shell mode too):
# what is submitted there runs as a shell command on the person's machine, not as a prompt.
_SHELL_MODE_ROW = re.compile(r"^!(?:\s|$)")


def composer_runs_shell(screen: str) -> bool:
    """True when the composer at the bottom is in the tool's shell mode: a `!` prompt at the
    start of the row right under the composer's top rule. An indented `! for bash mode` hint
    or a `! cmd` echo higher up is not the composer.

    >>> rule = "─" * 40
    >>> composer_runs_shell(f"{rule}\\n! ls -la\\n{rule}\\n  ! for bash mode")
    True
    >>> composer_runs_shell(f"! ls\\n\\n{rule}\\n❯ \\n{rule}\\n  ! for bash mode")
    False
    """
    s = Screen(screen)
    for line in reversed(s.tail(_BOTTOM_ROWS)):
        above = s.lines[line.index - 1] if line.index > 0 else None
        if above is None or not above.rule:
            continue
        if _SHELL_MODE_ROW.match(line.text):
            return True
        if _COMPOSER_ROW.match(line.text):
            return False
    return False
