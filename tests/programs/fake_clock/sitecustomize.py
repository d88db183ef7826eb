"""A fake clock for a whole orchestra process, as the in-process tests move the fleet's clock:
with this directory first on PYTHONPATH and `ORCHESTRA_TEST_CLOCK_FILE` naming a file, the
process's `time.time()` is the real time plus the seconds the file holds (0 when it is empty or
missing). A test writes the file to move the process's clock forward; monotonic time (asyncio's
timers, deadlines) is left alone."""

import os
import time

_FILE = os.environ.get("ORCHESTRA_TEST_CLOCK_FILE")

if _FILE:
    _real_time = time.time

    def _offset() -> float:
        try:
            with open(_FILE, encoding="ascii") as file:
                return float(file.read().strip() or 0.0)
        except (OSError, ValueError):
            return 0.0

    def _shifted_time() -> float:
        return _real_time() + _offset()

    time.time = _shifted_time
