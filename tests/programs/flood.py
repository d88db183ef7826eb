"""A pane that floods: about RATE bytes a second of printable lines for SECONDS, then a prompt
and silence (as a build log or `cat` of a big file does in an agent's pane).

Usage: flood.py RATE SECONDS
"""

from __future__ import annotations

import os
import sys
import time

CHUNK_LINES = 64


def main() -> None:
    rate, seconds = int(sys.argv[1]), float(sys.argv[2])
    line = ("flood " * 13)[:78] + "\r\n"
    chunk = (line * CHUNK_LINES).encode()
    per_second = max(1, rate // len(chunk))
    started = time.monotonic()
    sent = 0
    while (elapsed := time.monotonic() - started) < seconds:
        if sent < elapsed * per_second:
            os.write(1, chunk)
            sent += 1
        else:
            time.sleep(1 / per_second)
    os.write(1, b"\r\nflood over\r\n$ ")
    time.sleep(3600)


if __name__ == "__main__":
    main()
