"""A test's event loop that cannot close is a hang with no name. Twice this round a test run
stopped for good in pytest-asyncio's loop teardown (`asyncio.runners._cancel_all_tasks`), a
task not finishing after its cancellation, after the test itself had passed; it did not come
back in four runs of the same tests. Until the task is found, the teardown waits a bounded
time and then names the tasks that ignored their cancellation (stack and all) on stderr and
as a warning, instead of hanging the whole run."""

from __future__ import annotations

import asyncio
import asyncio.runners as runners
import sys
import warnings

TEARDOWN_SECONDS = 60.0
_original = runners._cancel_all_tasks


def _cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    _done, stuck = loop.run_until_complete(asyncio.wait(tasks, timeout=TEARDOWN_SECONDS))
    if not stuck:
        _original(loop)  # the usual reporting of exceptions raised while cancelling
        return
    for task in stuck:
        sys.stderr.write(f"\nloop teardown: {task!r} ignored its cancellation\n")
        task.print_stack(file=sys.stderr)
    warnings.warn(f"{len(stuck)} task(s) ignored cancellation at loop teardown: "
                  + ", ".join(repr(task.get_coro()) for task in stuck), RuntimeWarning,
                  stacklevel=1)


def install() -> None:
    runners._cancel_all_tasks = _cancel_all_tasks
