"""The simulated agent's realistic mode (`fake_agent --realism real`): it writes to its terminal
as the real CLIs do, so a benchmark pays what a real fleet costs.

Measured on real agents: a working Claude Code rewrites its pane about 7 times a second
(spinner glyph, elapsed time, token figure); Codex sweeps a colour shimmer over its status row;
both stream their answer in bursts, and both write nothing at all while idle or waiting on a
dialog. Here, while working: one frame every `FRAME_SECONDS`, each rewriting only the rows that
changed (the status row, or every row when streamed text scrolls the screen), framed by the
synchronized-output marks (DEC mode 2026) that both CLIs emit, so a frame can be counted in the
pane's raw output. While idle: no frame unless a key changes the screen.
"""

from __future__ import annotations

import math
import random
import re

from orchestra_tui.demo import fake_screens as screens

FRAME_SECONDS = 0.1
SYNC_START, SYNC_END = "\x1b[?2026h", "\x1b[?2026l"
HISTORY_ROWS = 1000  # streamed text would otherwise grow without bound in a long benchmark
# Claude Code cycles its glyphs forward then back.
CLAUDE_FRAMES = "·✢✳✶✻✽" + "✽✻✶✳✢·"
# Words chosen to mean nothing to a state detector: no dialog, error or prompt phrases.
_WORDS = ("reading", "the", "module", "poll", "loop", "keeps", "its", "table", "rows", "in",
          "order", "so", "each", "cell", "update", "touches", "one", "line", "helper", "returns",
          "a", "list", "of", "names", "width", "layout", "tests", "cover", "next", "step", "small",
          "change", "file", "screen", "value", "checked", "then")
_CODEX_WORKING = re.compile(r"^• Working \(.*esc to interrupt\)$")
_CLAUDE_WORKING = re.compile(r"^[" + re.escape(screens.CLAUDE_GLYPHS) + r"] (\w+)… \(")


def frame_index(seconds: float) -> int:
    return int(seconds / FRAME_SECONDS)


def until_next_frame(seconds: float) -> float:
    return FRAME_SECONDS - seconds % FRAME_SECONDS


def codex_shimmer(text: str, seconds: float) -> str:
    """Codex's status row: a bright band sweeping over dim text every two seconds, one
    24-bit colour per character (as its TUI draws it on a true-colour terminal)."""
    padding, half_band, sweep = 10, 5.0, 2.0
    period = len(text) + 2 * padding
    position = (seconds % sweep) / sweep * period
    out = []
    for index, char in enumerate(text):
        distance = abs(index + padding - position)
        weight = 0.5 * (1 + math.cos(math.pi * distance / half_band)) if distance <= half_band \
            else 0.0
        level = int(128 + (255 - 128) * weight)
        out.append(f"\x1b[1;38;2;{level};{level};{level}m{char}")
    return "".join(out) + screens.RESET


def claude_status(verb: str, seconds: float) -> str:
    """Claude Code's spinner row: the glyph moves every frame, the token figure with it."""
    glyph = CLAUDE_FRAMES[frame_index(seconds) % len(CLAUDE_FRAMES)]
    tokens = int(seconds * 412) + 38
    count = f"{tokens / 1000:.1f}k" if tokens >= 1000 else str(tokens)
    return (f"\x1b[38;5;174m{glyph}{screens.RESET} {verb}… "
            f"({screens.elapsed(seconds, codex=False)} · ↓ {count} tokens · esc to interrupt)")


def animate(rows: list[str], flavor: str, seconds: float) -> list[str]:
    """The working status row redrawn for this frame; other rows as they are."""
    out = list(rows)
    for index in range(len(out) - 1, -1, -1):
        row = out[index]
        if flavor == "codex" and _CODEX_WORKING.match(row):
            out[index] = codex_shimmer(row, seconds)
            break
        if flavor == "claude" and (found := _CLAUDE_WORKING.match(row)):
            out[index] = claude_status(found.group(1), seconds)
            break
    return out


class Streamer:
    """Bursts of streamed answer text while working: a few lines a frame for a second or so,
    then a quiet gap of a few seconds. Seeded by the agent's name, so a fleet is reproducible."""

    def __init__(self, name: str, flavor: str) -> None:
        self.rng = random.Random(f"stream:{name}")
        self.bullet = "• " if flavor == "codex" else "⏺ "
        self.next_burst = 0.0
        self.left = 0

    def start(self, seconds: float) -> None:
        self.next_burst, self.left = seconds + self.rng.uniform(0.5, 3.0), 0

    def lines_due(self, seconds: float, width: int) -> list[str]:
        if self.left == 0 and seconds >= self.next_burst:
            self.left = self.rng.randint(5, 12)
            first = True
        else:
            first = False
        if self.left == 0:
            return []
        self.left -= 1
        words = " ".join(self.rng.choice(_WORDS) for _ in range(self.rng.randint(6, 14)))
        line = screens.fit((self.bullet if first else "  ") + words, width - 1)
        if self.left == 0:
            self.next_burst = seconds + self.rng.uniform(2.0, 6.0)
            return [line, ""]
        return [line]


class RowPainter:
    """Writes only the rows that differ from the last frame, as a diffing TUI does; a frame
    with no change writes nothing."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.size = (0, 0)

    def frame(self, rows: list[str], width: int, height: int) -> str:
        rows = [screens.fit(row, width) for row in rows[-height:]]
        rows += [""] * (height - len(rows))
        if self.size != (width, height):
            self.shown, self.size = [], (width, height)
        changed = [n for n, row in enumerate(rows)
                   if n >= len(self.shown) or self.shown[n] != row]
        self.shown = rows
        if not changed:
            return ""
        body = "".join(f"\x1b[{n + 1};1H{rows[n]}\x1b[0m\x1b[K" for n in changed)
        return SYNC_START + body + SYNC_END
