"""One `[[host]]` as the router sees it: its tmux service, its last answer, whether it is slow
or down, and the captures it finished late.

A poll runs in the background; a tick takes its answer when it is done and judges it when it
is late (`settle`): slow past the deadline, down past `stale_after`. A host that failed is
asked again after a backoff (1, 2, 4, 8 s). A capture that finished after the tick stopped
waiting is kept (`late`) and served, once, to the next call that asks for those panes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from orchestra_tui.errors import OrchestraError, TmuxUnavailable
from orchestra_tui.models import PaneInfo
from orchestra_tui.services.tmux.service import TmuxService
from orchestra_tui.services.tmux.ssh import SshTmuxRunner, ssh_runner_of

BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0)

# A capture's options: (history lines, colours kept).
CaptureOptions = tuple[int, bool]


def qualify(host: str, pane_id: str) -> str:
    return f"{host}:{pane_id}" if host else pane_id


@dataclass(frozen=True)
class HostTiming:
    """`deadline`: how long a tick waits for a host that answered in time before; a host that
    has never answered gets `first_deadline` (its first connection). `stale_after`: a host
    silent that long is unreachable."""

    deadline: float = 1.0
    first_deadline: float = 8.0
    stale_after: float = 6.0


@dataclass
class HostLink:
    name: str
    service: TmuxService
    panes: list[PaneInfo] = field(default_factory=list)  # its last answer, ids qualified
    answered: bool = False
    error: str | None = None
    failures: int = 0
    retry_at: float = 0.0
    poll: asyncio.Task[list[PaneInfo]] | None = None
    started: float = 0.0
    finished: float = 0.0  # when its last poll ended (answer or failure)
    slow: bool = False
    capturing: asyncio.Task[dict[str, str]] | None = None  # a capture under way
    late: dict[tuple[str, CaptureOptions], str] = field(default_factory=dict)  # its results

    @property
    def ssh(self) -> SshTmuxRunner | None:
        """The runner under the host's service that reaches it over ssh, if it does."""
        return ssh_runner_of(self.service.runner)

    # -- polling -------------------------------------------------------------------------

    def begin_poll(self, now: float, clock: Callable[[], float]) -> None:
        """Start a poll unless one runs, or the host failed and its backoff is not over."""
        if self.poll is None and (self.error is None or now >= self.retry_at):
            self.poll = asyncio.ensure_future(self._panes())
            self.poll.add_done_callback(lambda _: self._finished_at(clock()))
            self.started = now

    def _finished_at(self, when: float) -> None:
        self.finished = when

    @property
    def awaited(self) -> bool:
        """Whether this tick waits for its poll: a host known slow or down is not."""
        return self.poll is not None and not self.slow and self.error is None

    def patience(self, timing: HostTiming) -> float:
        return timing.deadline if self.answered else timing.first_deadline

    async def _panes(self) -> list[PaneInfo]:
        try:
            panes = await self.service.list_panes()
        except TmuxUnavailable as error:  # ssh answered, but no tmux server runs there yet:
            if str(error).startswith("no tmux server running"):  # no panes, as here
                return []
            raise
        return [replace(pane, pane_id=qualify(self.name, pane.pane_id), host=self.name)
                for pane in panes]

    def settle(self, now: float, timing: HostTiming) -> None:
        """Take a finished poll's answer, or judge a late one."""
        poll = self.poll
        if poll is None:
            return
        late = now - self.started
        if not poll.done():
            self.slow |= late > self.patience(timing)
            if late > timing.stale_after:
                self.fail(f"host {self.name}: no answer for {late:.0f}s", now, retry=False)
            return
        self.poll = None
        error = poll.exception()
        if error is None:
            self.panes, self.answered, self.error, self.failures = poll.result(), True, None, 0
            self.slow = self.finished - self.started > timing.deadline
            if not self.slow:
                self.late.clear()  # captures kept while it was slow are old news now
            return
        self.fail(str(error) if isinstance(error, OrchestraError)
                  else f"host {self.name}: {type(error).__name__}: {error}", now)

    def fail(self, reason: str, now: float, *, retry: bool = True) -> None:
        if retry:
            self.failures += 1
            self.retry_at = now + BACKOFF_SECONDS[min(self.failures, len(BACKOFF_SECONDS)) - 1]
        self.error = reason

    # -- capturing -----------------------------------------------------------------------

    def capture_job(self, ids: list[str], options: CaptureOptions
                    ) -> asyncio.Task[dict[str, str]]:
        job = asyncio.ensure_future(self.service.capture(ids, history=options[0],
                                                         ansi=options[1]))
        self.capturing = job

        def keep(done: asyncio.Task[dict[str, str]]) -> None:
            # Runs before the caller's wait returns: a call that takes the result in time
            # drops it again (`taken`); one that did not wait long enough leaves it here.
            if self.capturing is done:
                self.capturing = None
            if done.cancelled() or done.exception() is not None:
                return
            self.late.update(((key, options), screen) for key, screen in done.result().items())

        job.add_done_callback(keep)
        return job

    def taken(self, screens: dict[str, str], options: CaptureOptions) -> None:
        """A call used these screens in time: they are not kept for a later one."""
        for key in screens:
            self.late.pop((key, options), None)

    def late_screens(self, ids: list[str], options: CaptureOptions) -> dict[str, str]:
        """The screens a slow host's background capture brought, once each; a new background
        capture of the rest when none is under way."""
        found = {qualify(self.name, key): self.late.pop((key, options))
                 for key in ids if (key, options) in self.late}
        missing = [key for key in ids if qualify(self.name, key) not in found]
        if missing and self.capturing is None:
            self.capture_job(missing, options)
        return found

