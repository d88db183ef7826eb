"""Draws a recorded screen (a file of tests/screens, header stripped) and logs every byte it
reads to the log file, never changing what it shows: a pane frozen in a real agent's state,
for tests of what orchestra types into it.

Usage: replay.py SCREEN LOG
"""

from __future__ import annotations

import os
import sys
import termios
import tty


def main() -> None:
    screen_file, log = sys.argv[1], sys.argv[2]
    with open(screen_file, encoding="utf-8") as handle:
        rows = handle.read().split("\n")[4:]  # the four header lines
    sys.stdout.write("\x1b[2J\x1b[H" + "\r\n".join(rows).rstrip("\n"))
    sys.stdout.flush()
    descriptor = sys.stdin.fileno()
    saved = termios.tcgetattr(descriptor)
    tty.setraw(descriptor)
    try:
        with open(log, "ab", buffering=0) as logged:
            while True:
                data = os.read(descriptor, 1024)
                if not data:
                    return
                logged.write(data)
    finally:
        termios.tcsetattr(descriptor, termios.TCSADRAIN, saved)


if __name__ == "__main__":
    main()
