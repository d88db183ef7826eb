"""What the simulated agent draws: pure functions from its state to screen rows.

The strings are the real ones of the CLIs (see `shared/screens/README.md` §1.1 and §1.2), so
orchestra's detector reads a fake agent exactly as it reads a real one.
"""

from __future__ import annotations

import textwrap
import unicodedata
from typing import Any

DIM, BOLD, RED, RESET = "\x1b[2m", "\x1b[1m", "\x1b[31m", "\x1b[0m"
NBSP = "\xa0"
CLAUDE_GLYPHS = "·✢*✶✻✽"
CODEX_PLACEHOLDER = "Ask Codex to do anything"
CLAUDE_PLACEHOLDER = 'Try "fix typecheck errors"'
CODEX_USAGE_LIMIT = (
    "■ You've hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit "
    "https://chatgpt.com/codex/settings/usage to purchase more credits or try again in 4 days "
    "6 hours 37 minutes.")
# Claude Code's, as recorded in tests/screens/claude/blocked-31.txt.
USAGE_LIMIT = {"codex": CODEX_USAGE_LIMIT,
               "claude": "  ⎿  You've hit your limit · resets 3pm (Europe/Berlin)"}
CODEX_INTERRUPTED = ("■ Conversation interrupted - tell the model what to do differently. "
                     "Something went wrong? Hit `/feedback` to report the issue.")
CLAUDE_OVERLOADED = ('529 {"type":"error","error":{"type":"overloaded_error",'
                     '"message":"Overloaded"}}')
CLAUDE_INTERRUPTED = "  ⎿  Interrupted · What should Claude do instead?"


# -- text helpers --------------------------------------------------------------------------------

def cell_width(text: str) -> int:
    return sum(_char_width(ch) for ch in text)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or ch in "\u200d\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def visible(text: str) -> str:
    """Typed text as it can be drawn: tabs as spaces, other control characters as `?`."""
    return "".join("    " if ch == "\t" else "?" if ord(ch) < 32 or ch == "\x7f" else ch
                   for ch in text)


def fit(text: str, width: int) -> str:
    """The head of `text` that fits in `width` cells (SGR colour codes take no cell)."""
    out, used, i = [], 0, 0
    while i < len(text):
        if text.startswith("\x1b[", i):
            end = i + 2
            while end < len(text) and not text[end].isalpha():
                end += 1
            out.append(text[i:end + 1])
            i = end + 1
            continue
        used += _char_width(text[i])
        if used > width:
            break
        out.append(text[i])
        i += 1
    return "".join(out)


def fit_tail(text: str, width: int) -> str:
    """The tail of `text` that fits in `width` cells (a composer scrolled to the cursor)."""
    return fit(text[::-1], width)[::-1]


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, max(width, 10), subsequent_indent=indent) or [""]


def elapsed(seconds: float, *, codex: bool) -> str:
    s = int(seconds)
    h, m, s = s // 3600, s % 3600 // 60, s % 60
    if h:
        return f"{h}h {m:02d}m {s:02d}s"
    if m:
        return f"{m}m {s:02d}s" if codex else f"{m}m {s}s"
    return f"{s}s"


def right_align(left: str, right: str, width: int) -> str:
    gap = width - cell_width(left) - cell_width(right) - 1
    return left + " " * max(gap, 2) + right


def draft_view(state: Any, width: int) -> str:
    draft = state.draft
    if "\n" in draft or len(draft) > 1000:
        if state.flavor == "codex":
            return f"[Pasted Content {len(draft)} chars]"
        return f"[Pasted text #{max(state.paste_count, 1)} +{draft.count(chr(10)) + 1} lines]"
    return fit_tail(visible(draft), width - 3)


def prompt_echo(prefix: str, prompt: str, width: int) -> list[str]:
    lines = prompt.split("\n")
    rows = [fit(prefix + visible(lines[0]), width)]
    rows += [fit("  " + visible(line), width) for line in lines[1:3]]
    if len(lines) > 3:
        rows.append(f"  … +{len(lines) - 3} lines")
    return rows + [""]


# -- codex ---------------------------------------------------------------------------------------

def codex_header(cwd: str, width: int) -> list[str]:
    inner = max(min(width, 60) - 2, 10)

    def boxed(row: str) -> str:
        cut = fit(row, inner)
        return "│" + cut + " " * (inner - cell_width(cut)) + "│"

    rows = [" OpenAI Codex (v0.146.0)", "", " model:     gpt-5-codex high   /model to change",
            f" directory: {cwd}"]
    return ["╭" + "─" * inner + "╮", *map(boxed, rows), "╰" + "─" * inner + "╯", ""]


def codex_bottom(state: Any, width: int, now: float) -> list[str]:
    if state.mode == "approval":
        cmd = state.turn.command
        return ["", "  Would you like to run the following command?", "",
                "  Reason: the fake agent wants to run a command for this turn", "",
                f"  $ {cmd}", "", "› 1. Yes, proceed (y)",
                f"  2. Yes, and don't ask again for commands that start with `{cmd}` (p)",
                "  3. No, and tell Codex what to do differently (esc)", "",
                "  Press enter to confirm or esc to cancel"]
    rows: list[str] = []
    if state.mode == "working":
        rows += [f"• Working ({elapsed(state.turn_elapsed(now), codex=True)} • esc to interrupt)",
                 ""]
    if state.queued:
        rows += ["• Queued follow-up inputs"]
        rows += [fit("  ↳ " + visible(item.split("\n")[0]), width) for item in state.queued]
        rows += ["    ⌥ + ↑ edit last queued message", ""]
    composer = ("› " + draft_view(state, width) if state.draft
                else f"› {DIM}{CODEX_PLACEHOLDER}{RESET}")
    hint = "  tab to queue message" if state.mode == "working" and state.draft else (
        "  ctrl + c again to quit" if state.quit_armed else "  ? for shortcuts")
    return rows + [composer, "", right_align(hint, f"{state.context}% context left", width)]


# -- claude --------------------------------------------------------------------------------------

def claude_header(cwd: str) -> list[str]:
    return [" ▐▛███▜▌   Claude Code v2.1.29", "▝▜█████▛▘  Opus 4.5 · Claude API",
            f"  ▘▘ ▝▝    {cwd}", ""]


def claude_spinner(state: Any, now: float) -> str:
    turn = state.turn
    seconds = state.turn_elapsed(now)
    glyph = CLAUDE_GLYPHS[int(seconds) % len(CLAUDE_GLYPHS)]
    tokens = int(seconds * 412) + 38
    count = f"{tokens / 1000:.1f}k" if tokens >= 1000 else str(tokens)
    took = elapsed(seconds, codex=False)
    return f"{glyph} {turn.verb}… ({took} · ↓ {count} tokens · esc to interrupt)"


def claude_bottom(state: Any, width: int, now: float) -> list[str]:
    rule = "─" * width
    if state.mode == "approval":
        cmd = state.turn.command
        return [rule, " Bash command", "", f"   {cmd}", "   Run a shell command for this turn", "",
                " Do you want to proceed?", " ❯ 1. Yes",
                fit(f"   2. Yes, and don't ask again for {cmd.split()[0]} commands in {state.cwd}",
                    width),
                "   3. No", "", " Esc to cancel · Tab to amend"]
    rows: list[str] = []
    if state.mode == "working":
        rows += [claude_spinner(state, now), ""]
    for item in state.queued:
        rows += [fit("❯ " + visible(item.split("\n")[0]), width)]
    if state.queued:
        rows.append("")
    if state.draft:
        composer = "❯" + NBSP + draft_view(state, width)
    else:
        hint = "Press up to edit queued messages" if state.queued else CLAUDE_PLACEHOLDER
        composer = f"❯{NBSP}{DIM}{hint}{RESET}"
    footer = "  Press Ctrl-C again to exit" if state.quit_armed else "  ? for shortcuts"
    if state.context < 50:
        footer = right_align(footer, f"Context left until auto-compact: {state.context}%", width)
    return rows + [rule, composer, rule, footer]


def screen_rows(state: Any, width: int, now: float) -> list[str]:
    """Every row of the screen, oldest history first; the caller keeps the last `height`."""
    bottom = codex_bottom if state.flavor == "codex" else claude_bottom
    return state.history + bottom(state, width, now)
