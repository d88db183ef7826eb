"""A composer that turns into a permission dialog the moment a key arrives.

It draws an idle Codex-like composer; the first byte it reads replaces the screen with an
approval dialog (as an agent whose tool call lands while the person types would). Every byte
read is appended to the log file given as the only argument, so a test can tell whether Enter
(carriage return) ever reached the dialog.
"""

from __future__ import annotations

import os
import sys
import termios
import tty

IDLE = """• Done. The tests pass.

─ Worked for 12s ──────────────────────────────────────────────

› Ask Codex to do anything

  ? for shortcuts                                 100% context left"""

DIALOG = """  Would you like to run the following command?

  $ terraform destroy -auto-approve

› 1. Yes, proceed (y)
  2. No, and tell Codex what to do differently (esc)

  Press enter to confirm or esc to cancel"""


def draw(screen: str) -> None:
    sys.stdout.write("\x1b[2J\x1b[H" + screen.replace("\n", "\r\n"))
    sys.stdout.flush()


def main() -> None:
    log = open(sys.argv[1], "ab", buffering=0)
    fd = sys.stdin.fileno()
    tty.setraw(fd)
    draw(IDLE)
    turned = False
    try:
        while True:
            data = os.read(fd, 1024)
            if not data:
                return
            log.write(data)
            if not turned:
                turned = True
                draw(DIALOG)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, termios.tcgetattr(fd))


if __name__ == "__main__":
    main()
