"""Is typed text still sitting unsubmitted in the agent's composer? (the most reported bug of
every tmux anchor: the body went in, Enter did not)."""

from __future__ import annotations

import re

from orchestra_tui.agents.styled import Cell, has_attributes, styled_rows
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


# The prompt glyph and the space after it, behind any box side (Gemini's frame): where the
# composer's own text starts on its row.
_GLYPH_PREFIX = re.compile(
    r"^\s*(?:[│┃║]\s?)*(?:[›❯▌]|(?:[a-z][\w-]*(?: multi)?|multi)?>)\s?")
_FRAME = " │┃║█▄▀▐░▓"
# Under the composer only its frame's bottom (one rule at most) and its footer: a hint or two,
# the model and folder, Claude Code's slash-command menu.
_FOOTER_ROWS = 8
# Placeholders the tools are known to show, for a capture whose attributes were lost on the way
# (a second signal only: the rendering decides). A narrow pane cuts them short. Claude Code:
# `Try "…"`, the queued-message and teammate hints; Codex: its rotating examples; Gemini CLI.
_KNOWN_PLACEHOLDERS = (
    "Ask Codex to do anything", "Explain this codebase", "Summarize recent commits",
    "Implement {feature}", "Find and fix a bug in @filename", "Write tests for @filename",
    "Improve documentation in @filename", "Run /review on my current changes",
    "Use /skills to list available skills", "Type your message or @path/to/file",
    "Type your shell command",
    "Press up to edit queued messages")
_PLACEHOLDER_PATTERN = re.compile(r'^(?:Try "|Press up to (?:edit|select) |Message @)')


def known_placeholder(words: str) -> bool:
    if _PLACEHOLDER_PATTERN.match(words):
        return True
    return len(words) >= 8 and any(known.startswith(words) for known in _KNOWN_PLACEHOLDERS)


def _content(row: list[Cell], start: int) -> list[Cell]:
    cells = row[start:]
    while cells and cells[-1].char in _FRAME:
        cells.pop()
    return cells


def _cursor_on_coloured_text(cells: list[Cell]) -> bool:
    """The cursor on the first letter and the rest in one colour of the tool's own: how an
    Ink input draws its placeholder (a theme's grey we do not know as grey). Typed text in the
    normal colour with the cursor moved to its start still reads as a draft."""
    shown = [cell for cell in cells if not cell.char.isspace()]
    if len(shown) < 2 or not shown[0].inverse:
        return False
    rest = shown[1:]
    return all(not c.inverse and c.colour and c.colour == rest[0].colour for c in rest)


def _words(cells: list[Cell]) -> str:
    return " ".join("".join(cell.char for cell in cells).split())


def composer_draft(capture: str) -> str:
    """The text someone typed into the composer at the bottom of a colour capture and did not
    submit (the person attached to the pane, or an earlier send whose Enter never landed);
    "" when the composer is empty or shows only its placeholder, and "" when the capture
    cannot tell (no composer in view, or no attributes at all: never a guess).

    Typed text is drawn in the normal colour, a placeholder dim or grey; the cursor cell an
    Ink CLI draws in reverse video (Claude Code puts it on the placeholder's first letter)
    is neither. Continuation rows of a multi-line draft follow the composer's row.

    >>> composer_draft("─────\\n❯\\xa0\\x1b[7mT\\x1b[0;2mry \\"fix lint errors\\"\\x1b[0m\\n─────")
    ''
    >>> composer_draft("─────\\n❯\\xa0\\x1b[39mplease refactor the\\x1b[7m \\x1b[0m\\n─────")
    'please refactor the'
    >>> composer_draft("─────\\n❯ please refactor the\\n─────")  # plain text: cannot tell
    ''
    """
    if not has_attributes(capture):
        return ""
    rows = styled_rows(capture)
    plain = ["".join(cell.char for cell in row) for row in rows]
    screen = Screen("\n".join(plain))
    composer = next((ln for ln in reversed(screen.tail(_BOTTOM_ROWS))
                     if _COMPOSER_ROW.match(ln.text)), None)
    if composer is None:
        return ""
    prefix = _GLYPH_PREFIX.match(plain[composer.index])
    block = [_content(rows[composer.index], prefix.end() if prefix else 0)]
    for line in screen.lines[composer.index + 1:composer.index + _BLOCK_ROWS]:
        if line.blank or line.rule:
            break
        row = rows[line.index]
        indent = len(plain[line.index]) - len(plain[line.index].lstrip(_FRAME + "▌"))
        block.append(_content(row, indent))
    below = screen.between(composer.index + len(block))
    if len(below) > _FOOTER_ROWS or sum(line.rule for line in below) > 1:
        # A prompt echo in the history: the composer (one not recognised, such as Claude
        # Code's bash mode between its two rules) is further down.
        return ""
    # The composer's own row decides: rows under it only extend what it holds (a footer drawn
    # right under an old Codex composer is not text someone typed).
    if not any(not cell.faint and not cell.inverse and not cell.char.isspace()
               for cell in block[0]):
        return ""
    if any(known_placeholder(_words(cells)) for cells in (block[0], sum(block, []))):
        return ""
    if _cursor_on_coloured_text(block[0]):
        return ""
    return "\n".join(_words([cell for cell in row if not cell.faint]) for row in block
                     ).strip("\n")
