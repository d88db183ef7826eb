"""An agent that works in the normal screen, as Claude Code does: its transcript scrolls up
into the terminal's scrollback, and only its bottom rows (spinner, composer, footer) are drawn
again, every 100 ms. Each line typed into it (Enter) prints that line's text as a tool call
`⏺ Bash(TEXT)` followed by `--spill N` rows of output at once, all of which scroll off.

Usage: inline_agent.py [--spill 80] [--preamble 40]  (--preamble: transcript rows at start)
"""

from __future__ import annotations

import argparse
import os
import select
import sys
import termios
import time
import tty

SPINNER = "✢✳✶✻✽"
LIVE_ROWS = 6  # spinner, blank, rule, composer, rule, footer


def live(frame: int, width: int) -> str:
    rule = "─" * width
    rows = [f"{SPINNER[frame % len(SPINNER)]} Pondering… ({frame // 10}s · esc to interrupt)",
            "", rule, "❯ ", rule, "  esc to interrupt"]
    return "\r\n".join(row[:width] for row in rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spill", type=int, default=80)
    parser.add_argument("--preamble", type=int, default=40)
    args = parser.parse_args()
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setraw(fd)
    out = sys.stdout.fileno()
    width = os.get_terminal_size(out).columns
    typed, frame = b"", 0
    os.write(out, b"\x1b[2J\x1b[H")
    os.write(out, "".join(f"● earlier work, row {n}\r\n" for n in range(args.preamble)).encode())
    os.write(out, live(frame, width).encode())
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 0.1)
            burst: list[str] = []
            if ready:
                data = os.read(fd, 4096)
                if not data or b"\x03" in data:
                    return 0
                typed += data
                while b"\r" in typed:
                    line, typed = typed.split(b"\r", 1)
                    text = line.decode(errors="replace").strip()
                    burst.append(f"⏺ Bash({text})")
                    burst += [f"  ⎿  output row {n} of {args.spill}" for n in range(args.spill)]
            frame += 1
            # Back to the top of the live rows, clear them, print what scrolls, draw them again.
            head = f"\r\x1b[{LIVE_ROWS - 1}A\x1b[J"
            body = "".join(row[:width] + "\r\n" for row in burst)
            os.write(out, (head + body + live(frame, width)).encode())
            time.sleep(0)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


if __name__ == "__main__":
    sys.exit(main())
