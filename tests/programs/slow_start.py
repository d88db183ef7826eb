"""A Codex-like agent that takes a moment to show its turn, as the real CLIs do: after Enter
the prompt is echoed and the composer is empty again, but the working row appears only
START seconds later; it works WORK seconds, then shows the turn's end and is idle.

Usage: slow_start.py LOG START WORK

Each submitted prompt is appended to LOG as a JSON line {"at", "prompt", "arrived"}, where
"arrived" is "idle", or "starting" / "working" when it came during a turn (the real CLIs would
queue it behind the turn or mix it into it: a prompt stacked on the previous one).
"""

from __future__ import annotations

import json
import os
import select
import sys
import termios
import time
import tty

DIM, RESET = "\x1b[2m", "\x1b[0m"
FOOTER = "\n\n  ? for shortcuts                                 100% context left"


def main() -> None:
    log, start, work = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setraw(fd)
    history: list[str] = ["• Ready."]
    draft, turn_at, turns = "", None, 0

    def phase(now: float) -> str:
        if turn_at is None:
            return "idle"
        return "starting" if now - turn_at < start else "working"

    def draw(now: float) -> None:
        rows = list(history)
        if phase(now) == "working":
            rows.append(f"• Working ({int(now - turn_at - start)}s • esc to interrupt)")
        composer = f"› {draft}" if draft else f"› {DIM}Ask Codex to do anything{RESET}"
        screen = "\n\n".join(rows) + "\n\n" + composer + FOOTER
        sys.stdout.write("\x1b[2J\x1b[H" + screen.replace("\n", "\r\n"))
        sys.stdout.flush()

    try:
        draw(time.monotonic())
        while True:
            ready, _, _ = select.select([fd], [], [], 0.2)
            now = time.monotonic()
            if turn_at is not None and now - turn_at >= start + work:
                turns += 1
                history += [f"─ Worked for {int(work)}s " + "─" * 40, f"• Done (turn {turns})."]
                turn_at = None
            if ready:
                data = os.read(fd, 1024)
                if not data:
                    return
                for char in data.decode("utf-8", "replace"):
                    if char in "\r\n" and draft:
                        with open(log, "a", encoding="utf-8") as handle:
                            handle.write(json.dumps({"at": time.time(), "prompt": draft,
                                                     "arrived": phase(now)}) + "\n")
                        history.append(f"› {draft}")
                        draft = ""
                        if turn_at is None:
                            turn_at = now
                    elif char >= " ":
                        draft += char
            draw(now)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


if __name__ == "__main__":
    main()
