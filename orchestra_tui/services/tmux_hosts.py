r"""Several tmux servers as one: the local server and one per `[[host]]` (tmux over ssh), behind
the interface of `TmuxService`, so the fleet, the send gate and restart see one tmux.

A remote pane's id is qualified with its host's name (`gpu:%3`); local panes keep `%3`. Every
call that names a pane goes to that pane's host. `list_panes` asks every host at once and
waits for each only up to its deadline: a host that has not answered by then keeps its last
answer and is marked slow (and is not waited for again until it answers in time), so one slow
host never holds up the others. A host that fails (refused, timeout, auth, host key, tmux
missing there) or stays silent past `stale_after` is in `host_errors` with the reason: the fleet
shows its agents `unreachable`, and every command to it fails at once (nothing is typed there)
until a poll gets an answer again. Failed hosts are asked again after a backoff (1, 2, 4, 8 s).

>>> qualify("gpu", "%3"), qualify("", "%3"), split_pane("gpu:%3"), split_pane("%3")
('gpu:%3', '%3', ('gpu', '%3'), ('', '%3'))
"""

from __future__ import annotations

import asyncio
import os
import shlex
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace

from orchestra_tui.errors import OrchestraError, TmuxCommandError, TmuxUnavailable
from orchestra_tui.models import PaneInfo, SendResult
from orchestra_tui.services.tmux import TmuxService
from orchestra_tui.services.tmux_runner import LocalTmuxRunner, TmuxResult, escape_arg

LOCAL = ""
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0)


def qualify(host: str, pane_id: str) -> str:
    return f"{host}:{pane_id}" if host else pane_id


def split_pane(pane_id: str) -> tuple[str, str]:
    """`gpu:%3` -> ("gpu", "%3"); a local `%3` (or any other target) -> ("", it)."""
    host, marker, rest = pane_id.partition(":%")
    return (host, "%" + rest) if marker and host else (LOCAL, pane_id)


@dataclass
class _Host:
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
    capturing: asyncio.Task | None = None  # a capture under way
    late: dict[tuple[str, tuple[int, bool]], str] = field(default_factory=dict)  # its results


class HostRouter:
    """`TmuxService`'s interface over the local server and the hosts' servers.

    `deadline`: how long a tick waits for a host that answered in time before; a host that has
    never answered gets `first_deadline` (its first connection). `stale_after`: a host silent
    that long is unreachable."""

    def __init__(self, local: TmuxService, hosts: Mapping[str, TmuxService], *,
                 deadline: float = 1.0, first_deadline: float = 8.0, stale_after: float = 6.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.local = local
        self._hosts = {name: _Host(name, service) for name, service in hosts.items()}
        self.deadline = deadline
        self.first_deadline = first_deadline
        self.stale_after = stale_after
        self.clock = clock
        self.host_errors: dict[str, str] = {}  # host -> why it is unreachable, after each poll
        self.local_error: str | None = None  # this machine's server did not answer

    @property
    def runner(self):
        return self.local.runner

    @property
    def notice(self) -> str | None:
        return self.local.notice

    @property
    def hosts(self) -> list[str]:
        return list(self._hosts)

    @property
    def slow_hosts(self) -> frozenset[str]:
        return frozenset(name for name, host in self._hosts.items() if host.slow)

    def service(self, host: str) -> TmuxService:
        """The TmuxService of one host ("" is the local server); its pane ids are unqualified."""
        if host == LOCAL:
            return self.local
        if host not in self._hosts:
            raise OrchestraError(f"no [[host]] named {host!r} (known: "
                                 f"{', '.join(self._hosts) or 'none'})")
        return self._hosts[host].service

    # -- polling ---------------------------------------------------------------------------

    async def list_panes(self) -> list[PaneInfo]:
        """Every pane of every host: the local server's and each host's latest answer."""
        now = self.clock()
        waited = []
        for host in self._hosts.values():
            if host.poll is None and (host.error is None or now >= host.retry_at):
                host.poll = asyncio.ensure_future(self._host_panes(host))
                host.poll.add_done_callback(lambda _, host=host: setattr(
                    host, "finished", self.clock()))
                host.started = now
            if host.poll is not None and not host.slow and host.error is None:
                waited.append((host, host.poll))  # a host known down is not waited for

        async def remote() -> None:
            if waited:
                longest = max(self.deadline if host.answered else self.first_deadline
                              for host, _ in waited)
                await asyncio.wait([poll for _, poll in waited], timeout=longest)

        local, _ = await asyncio.gather(self.local.list_panes(), remote(),
                                        return_exceptions=True)
        panes: list[PaneInfo] = []
        for host in self._hosts.values():
            self._settle(host, self.clock())
            panes += host.panes
        self.local_error = None
        if isinstance(local, TmuxUnavailable) and self._hosts:
            # No server on this machine is normal when every agent runs elsewhere: the
            # hosts' agents go on, the local ones find no pane (exited).
            self.local_error, local = str(local), []
        elif isinstance(local, BaseException):
            raise local
        return local + panes

    async def _host_panes(self, host: _Host) -> list[PaneInfo]:
        try:
            panes = await host.service.list_panes()
        except TmuxUnavailable as error:  # ssh answered, but no tmux server runs there yet:
            if str(error).startswith("no tmux server running"):  # no panes, as here
                return []
            raise
        return [replace(pane, pane_id=qualify(host.name, pane.pane_id), host=host.name)
                for pane in panes]

    def _settle(self, host: _Host, now: float) -> None:
        """Take a finished poll's answer, or judge a late one."""
        poll = host.poll
        if poll is None:
            return
        late = now - host.started
        if not poll.done():
            host.slow |= late > (self.deadline if host.answered else self.first_deadline)
            if late > self.stale_after:
                self._fail(host, f"host {host.name}: no answer for {late:.0f}s", now,
                           retry=False)
            return
        host.poll = None
        error = poll.exception()
        if error is None:
            host.panes, host.answered, host.error, host.failures = poll.result(), True, None, 0
            host.slow = host.finished - host.started > self.deadline
            if not host.slow:
                host.late.clear()  # captures kept while it was slow are old news now
            self.host_errors.pop(host.name, None)
            return
        self._fail(host, str(error) if isinstance(error, OrchestraError)
                   else f"host {host.name}: {type(error).__name__}: {error}", now)

    def _fail(self, host: _Host, reason: str, now: float, *, retry: bool = True) -> None:
        if retry:
            host.failures += 1
            host.retry_at = now + BACKOFF_SECONDS[min(host.failures, len(BACKOFF_SECONDS)) - 1]
        host.error = reason
        self.host_errors[host.name] = reason

    def _reachable(self, host: str) -> TmuxService:
        """The host's service, or its reason as `TmuxUnavailable` when it is known to be down:
        nothing is sent to a host that does not answer."""
        service = self.service(host)
        if host != LOCAL and self._hosts[host].error is not None:
            raise TmuxUnavailable(self._hosts[host].error)
        return service

    # -- reading ---------------------------------------------------------------------------

    async def capture(self, pane_ids: Iterable[str], *, history: int = 0,
                      ansi: bool = False) -> dict[str, str]:
        """Each host's panes in one batch, the hosts at once, each waited for up to the
        deadline. A slow host is not waited for: its panes come from a capture started in the
        background on an earlier call (when it has answered), else they are left out, as a
        vanished pane is; so are a host's that is down or fails now. The local server's
        failure is raised as before."""
        groups: dict[str, list[str]] = {}
        for pane_id in pane_ids:
            host, local_id = split_pane(pane_id)
            groups.setdefault(host, []).append(local_id)
        options = (history, ansi)
        screens: dict[str, str] = {}
        jobs: dict[str, asyncio.Task[dict[str, str]]] = {}
        for name, ids in groups.items():
            host = self._hosts.get(name)
            if name == LOCAL or host is None or host.error is not None:
                continue
            if host.slow:
                screens.update(self._late_screens(host, ids, options))
            else:
                jobs[name] = self._capture_job(host, ids, options)
        if LOCAL in groups:
            screens.update(await self.local.capture(groups[LOCAL], history=history, ansi=ansi))
        if jobs:
            await asyncio.wait(jobs.values(), timeout=self.deadline)
        for name, job in jobs.items():
            if not job.done():
                self._hosts[name].slow = True  # its answer is kept for a later call
            elif job.exception() is None:
                job.consumed = True  # type: ignore[attr-defined]
                screens.update((qualify(name, key), value) for key, value in job.result().items())
        return screens

    def _capture_job(self, host: _Host, ids: list[str], options: tuple[int, bool]
                     ) -> asyncio.Task[dict[str, str]]:
        job = asyncio.ensure_future(host.service.capture(ids, history=options[0],
                                                         ansi=options[1]))
        host.capturing = job

        def keep(done: asyncio.Task) -> None:
            if host.capturing is done:
                host.capturing = None
            if done.cancelled() or done.exception() is not None:
                return
            if not getattr(done, "consumed", False):  # late: served by a later call
                host.late.update(((key, options), screen) for key, screen in done.result().items())
        job.add_done_callback(keep)
        return job

    def _late_screens(self, host: _Host, ids: list[str], options: tuple[int, bool]
                      ) -> dict[str, str]:
        """The screens a slow host's background capture brought, once each; a new background
        capture of the rest when none is under way."""
        found = {qualify(host.name, key): host.late.pop((key, options))
                 for key in ids if (key, options) in host.late}
        missing = [key for key in ids if qualify(host.name, key) not in found]
        if missing and host.capturing is None:
            self._capture_job(host, missing, options)
        return found

    async def read_pane(self, pane_id: str) -> tuple[PaneInfo, str]:
        host, local_id = split_pane(pane_id)
        pane, screen = await self._reachable(host).read_pane(local_id)
        return self._qualified(host, pane), screen

    async def pane_info(self, target: str) -> PaneInfo:
        host, local_id = split_pane(target)
        return self._qualified(host, await self._reachable(host).pane_info(local_id))

    async def resolve_target(self, target: str) -> str:
        return (await self.pane_info(target)).pane_id

    async def process_tables(self, panes: Sequence[PaneInfo]) -> dict[str, dict]:
        """host -> its process table (pids are per machine), for discovery: this machine's
        from /proc, a host's from one `ps` there; a host that fails gives none."""
        from orchestra_tui.services.discovery import process_table

        tables: dict[str, dict] = {}
        roots = [pane.pid for pane in panes if pane.host == LOCAL and not pane.dead]
        if roots:
            tables[LOCAL] = await asyncio.to_thread(process_table, roots)
        for host in sorted({pane.host for pane in panes if pane.host != LOCAL}):
            runner = _ssh_runner(self._hosts[host].service) if host in self._hosts else None
            if runner is None or self._hosts[host].error is not None:
                continue
            try:
                tables[host] = await runner.process_table()
            except TmuxUnavailable:
                continue
        return tables

    # -- everything else goes to one host ---------------------------------------------------

    async def run(self, *args: str, input: bytes | None = None, check: bool = True,
                  timeout: float = 10.0) -> TmuxResult:
        return await self.local.run(*args, input=input, check=check, timeout=timeout)

    async def is_running(self) -> bool:
        return await self.local.is_running()

    async def server_socket(self) -> str | None:
        return await self.local.server_socket()

    async def has_session(self, session: str) -> bool:
        return await self.local.has_session(session)

    async def kill_server(self) -> None:
        await self.local.kill_server()

    async def send_keys(self, pane_id: str, *keys: str) -> None:
        host, local_id = split_pane(pane_id)
        await self._reachable(host).send_keys(local_id, *keys)

    def hold_pane(self, pane_id: str) -> AbstractAsyncContextManager[None]:
        """The pane's writer lock, on the pane's own host (tmux wait-for there)."""
        host, local_id = split_pane(pane_id)
        return self._reachable(host).hold_pane(local_id)

    async def send_text(self, pane_id: str, text: str, **options) -> SendResult:
        """The send recipe on the pane's own host (the gate's `guard` reads through here)."""
        host, local_id = split_pane(pane_id)
        return await self._reachable(host).send_text(local_id, text, **options)

    async def kill_pane(self, pane_id: str) -> None:
        host, local_id = split_pane(pane_id)
        await self._reachable(host).kill_pane(local_id)

    async def start(self, command: str | Sequence[str], *, host: str = LOCAL,
                    **options) -> PaneInfo:
        """A new pane running `command` on `host` (default: this machine)."""
        return self._qualified(host, await self._reachable(host).start(command, **options))

    async def respawn(self, pane_id: str, command: str | Sequence[str], *,
                      cwd: str | None = None) -> PaneInfo:
        host, local_id = split_pane(pane_id)
        pane = await self._reachable(host).respawn(local_id, command, cwd=cwd)
        return self._qualified(host, pane)

    async def set_remain_on_exit(self, pane_id: str, on: bool = True) -> None:
        host, local_id = split_pane(pane_id)
        await self._reachable(host).set_remain_on_exit(local_id, on)

    async def select_pane(self, pane_id: str) -> None:
        host, local_id = split_pane(pane_id)
        await self._reachable(host).select_pane(local_id)

    # -- attaching -------------------------------------------------------------------------

    async def switch_client(self, pane_id: str, client: str | None = None) -> bool:
        """A local pane: as `TmuxService.switch_client`. A remote one: when orchestra runs
        inside tmux, a new window of the person's tmux runs `ssh -t HOST tmux attach` at that
        pane; otherwise False (the person gets `attach_command`)."""
        host, local_id = split_pane(pane_id)
        if host == LOCAL:
            return await self.local.switch_client(pane_id, client)
        if not os.environ.get("TMUX"):
            return False
        window = ["new-window", "-n", escape_arg(pane_id), escape_arg(
            shlex.join(self.attach_argv(pane_id)))]
        try:
            await LocalTmuxRunner().run(window)  # no -L/-S: the server $TMUX names
        except (TmuxUnavailable, TmuxCommandError):
            return False
        return True

    def attach_argv(self, target: str) -> list[str]:
        host, local_id = split_pane(target)
        if host == LOCAL:
            return self.local.attach_argv(target)
        runner = _ssh_runner(self.service(host))
        pane = escape_arg(local_id)
        args = ["select-window", "-t", pane, ";", "select-pane", "-t", pane, ";",
                "attach-session", "-t", pane]
        return runner.attach_argv(args) if runner is not None else self.service(
            host).runner.argv(args)

    def attach_command(self, target: str) -> str:
        return shlex.join(self.attach_argv(target))

    async def aclose(self) -> None:
        for host in self._hosts.values():
            if host.poll is not None and not host.poll.done():
                host.poll.cancel()
            await host.service.aclose()
        await self.local.aclose()

    def _qualified(self, host: str, pane: PaneInfo) -> PaneInfo:
        return replace(pane, pane_id=qualify(host, pane.pane_id), host=host) if host else pane


def _ssh_runner(service: TmuxService):
    """The host's `SshTmuxRunner` (under its control-mode runner, if it has one)."""
    for runner in (service.runner, getattr(service.runner, "fallback", None)):
        if hasattr(runner, "process_table"):
            return runner
    return None
