"""An agent that ignores SIGHUP, as Gemini CLI 0.61's launcher does, with a child of its own
that ignores it too: closing its pane does not end them. Writes both pids, one per line, to the
file given as the only argument, then waits."""

from __future__ import annotations

import os
import signal
import sys
import time

signal.signal(signal.SIGHUP, signal.SIG_IGN)
child = os.fork()
if child == 0:
    while True:
        time.sleep(1)
with open(sys.argv[1], "w", encoding="ascii") as handle:
    handle.write(f"{os.getpid()}\n{child}\n")
print("stubborn agent ready", flush=True)
while True:
    time.sleep(1)
