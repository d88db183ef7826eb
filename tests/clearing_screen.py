"""A program that clears its screen and redraws it every frame, as some agent CLIs do; tmux keeps
each cleared frame in the pane's history, so a capture with history holds many old frames above
the current one.

    python tests/clearing_screen.py FRAMES [ROWS]

It draws FRAMES frames (`frame N top`, ROWS body lines, `frame N bottom`), one every 20 ms, then
keeps the last one on screen until it is killed.
"""

from __future__ import annotations

import signal
import sys
import time


def main() -> None:
    frames = int(sys.argv[1])
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    for n in range(1, frames + 1):
        body = [f"frame {n} top", *(f"  line {i} of frame {n}" for i in range(rows)),
                f"frame {n} bottom"]
        sys.stdout.write("\x1b[H\x1b[2J" + "\r\n".join(body))
        sys.stdout.flush()
        time.sleep(0.02)  # the program's frame rate, not a wait in a test
    signal.pause()


if __name__ == "__main__":
    main()
