"""A program that asks for bracketed paste, as the agent CLIs do, and appends every byte it
reads to the log file given as the only argument: what orchestra really typed.

Usage: paste_logger.py LOG
"""

from __future__ import annotations

import os
import sys
import termios
import tty


def main() -> None:
    descriptor = sys.stdin.fileno()
    saved = termios.tcgetattr(descriptor)
    tty.setraw(descriptor)
    sys.stdout.write("\x1b[?2004h\x1b[2J\x1b[Hready (logging keys)\r\n")
    sys.stdout.flush()
    try:
        with open(sys.argv[1], "ab", buffering=0) as logged:
            while True:
                data = os.read(descriptor, 4096)
                if not data:
                    return
                logged.write(data)
    finally:
        sys.stdout.write("\x1b[?2004l")
        termios.tcsetattr(descriptor, termios.TCSADRAIN, saved)


if __name__ == "__main__":
    main()
