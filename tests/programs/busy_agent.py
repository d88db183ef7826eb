"""The simulated agent as real ones draw: silent while idle (or waiting for approval), and a
redraw of its screen every 100 ms while it works, as Claude Code's spinner and Codex's status
row shimmer do. Everything else (arguments, directives, screens) is `fake_agent`'s.

Usage: busy_agent.py [fake_agent's options]
"""

from __future__ import annotations

import sys

from orchestra_tui.demo import fake_agent

REDRAW_SECONDS = 0.1


class BusyAgent(fake_agent.Agent):
    def next_wakeup(self, now: float) -> float | None:
        wake = super().next_wakeup(now)
        if self.mode == "working" and self.turn is not None:
            return REDRAW_SECONDS if wake is None else min(wake, REDRAW_SECONDS)
        return wake


if __name__ == "__main__":
    fake_agent.Agent = BusyAgent  # type: ignore[misc]  # main() builds the agent by this name
    sys.exit(fake_agent.main())
