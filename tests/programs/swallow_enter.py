"""A Codex-like composer whose first Enter is lost: it shows what is typed in its composer,
ignores the first carriage return (as an agent busy redrawing drops a key) and submits on a
later one. Every byte read is appended to the log file given as the only argument, so a test
can count the Enter presses that reached it.
"""

from __future__ import annotations

import os
import sys
import termios
import tty

DIM, RESET = "\x1b[2m", "\x1b[0m"
TOP = """• Done. The tests pass.

─ Worked for 12s ──────────────────────────────────────────────
"""
BOTTOM = "\n\n  ? for shortcuts                                 100% context left"


def draw(history: list[str], draft: str) -> None:
    composer = f"› {draft}" if draft else f"› {DIM}Ask Codex to do anything{RESET}"
    screen = TOP + "".join(f"\n› {line}\n" for line in history) + "\n" + composer + BOTTOM
    sys.stdout.write("\x1b[2J\x1b[H" + screen.replace("\n", "\r\n"))
    sys.stdout.flush()


def main() -> None:
    log = open(sys.argv[1], "ab", buffering=0)
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setraw(fd)
    history: list[str] = []
    draft, enters = "", 0
    draw(history, draft)
    try:
        while True:
            data = os.read(fd, 1024)
            if not data:
                return
            log.write(data)
            for char in data.decode("utf-8", "replace"):
                if char in "\r\n":
                    enters += 1
                    if enters > 1 and draft:  # the first Enter is lost
                        history.append(draft)
                        draft = ""
                elif char >= " ":
                    draft += char
            draw(history, draft)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


if __name__ == "__main__":
    main()
