"""The fleet's poll loop without a screen, for `orchestra watch`: each tick reads the fleet,
dispatches queued prompts on their edge, and runs the away duty (`AwayDuty`: notifications,
limit resumes, rules, `auto_approve`, when this process holds the away lock), as the app's
loop does after each of its ticks. Nobody looks at this process: `focused` is False, and the
duty reads whether the person looks at an app instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from orchestra_tui.core.away.duty import AfterTick
from orchestra_tui.core.fleet.fleet import Fleet


async def watch_fleet(fleet: Fleet, duty: AfterTick, *, poll_seconds: float,
                      said: Callable[[str], None]) -> None:
    """Tick until cancelled (a signal); `said` gets each act, in words."""
    loop = asyncio.get_running_loop()
    fleet.listen_for_hooks()  # a hook's report wakes the loop at once (one listener a dir)
    try:
        while True:
            started = loop.time()
            snapshot = await fleet.refresh()
            fleet.dispatch_ready()
            for line in await duty.after_tick(snapshot, focused=False):
                said(line)
            await fleet.wait_for_news(max(0.0, poll_seconds - (loop.time() - started)))
    finally:
        fleet.close()
