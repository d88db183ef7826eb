r"""Several tmux servers as one: the local server and one per `[[host]]` (tmux over ssh), behind
one `ports.TmuxPort` (the local `TmuxService`'s too), so the fleet, the send gate and restart
see one tmux.

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
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace

from orchestra_tui.errors import OrchestraError, TmuxCommandError, TmuxUnavailable
from orchestra_tui.models import PaneInfo, SendResult
from orchestra_tui.services.tmux.activity import OutputReport, PaneOutput
from orchestra_tui.services.tmux.host_link import (
    CaptureOptions,
    HostLink,
    HostTiming,
    qualify,
)
from orchestra_tui.services.tmux.port import ProcessTable
from orchestra_tui.services.tmux.runner import LocalTmuxRunner, TmuxResult, TmuxRunner, escape_arg
from orchestra_tui.services.tmux.send import Guard, PendingCheck, StartedCheck
from orchestra_tui.services.tmux.service import TmuxService
from orchestra_tui.services.tmux.ssh import ssh_runner_of

__all__ = ["LOCAL", "HostRouter", "qualify", "split_pane"]

LOCAL = ""


def split_pane(pane_id: str) -> tuple[str, str]:
    """`gpu:%3` -> ("gpu", "%3"); a local `%3` (or any other target) -> ("", it)."""
    host, marker, rest = pane_id.partition(":%")
    return (host, "%" + rest) if marker and host else (LOCAL, pane_id)


def on_host(host: str, pane_ids: Iterable[str]) -> list[str]:
    """Those of `pane_ids` on `host`, as that host's tmux names them."""
    return [local for where, local in map(split_pane, pane_ids) if where == host]


class HostRouter:
    """`TmuxPort` over the local server and the hosts' servers.

    `deadline`: how long a tick waits for a host that answered in time before; a host that has
    never answered gets `first_deadline` (its first connection). `stale_after`: a host silent
    that long is unreachable."""

    def __init__(self, local: TmuxService, hosts: Mapping[str, TmuxService], *,
                 deadline: float = 1.0, first_deadline: float = 8.0, stale_after: float = 6.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.local = local
        self._hosts = {name: HostLink(name, service) for name, service in hosts.items()}
        self.timing = HostTiming(deadline, first_deadline, stale_after)
        self.clock = clock
        self.local_error: str | None = None  # this machine's server did not answer

    @property
    def deadline(self) -> float:
        return self.timing.deadline

    @property
    def runner(self) -> TmuxRunner:
        return self.local.runner

    @property
    def notice(self) -> str | None:
        return self.local.notice

    @property
    def hosts(self) -> list[str]:
        return list(self._hosts)

    @property
    def host_errors(self) -> dict[str, str]:
        """host -> why it is unreachable, as of the last poll."""
        return {name: host.error for name, host in self._hosts.items()
                if host.error is not None}

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
        waited: list[HostLink] = []
        for host in self._hosts.values():
            host.begin_poll(now, self.clock)
            if host.awaited:
                waited.append(host)  # a host known down is not waited for

        async def remote() -> None:
            polls = [host.poll for host in waited if host.poll is not None]
            if polls:
                longest = max(host.patience(self.timing) for host in waited)
                await asyncio.wait(polls, timeout=longest)

        local, _ = await asyncio.gather(self.local.list_panes(), remote(),
                                        return_exceptions=True)
        panes: list[PaneInfo] = []
        for host in self._hosts.values():
            host.settle(self.clock(), self.timing)
            panes += host.panes
        self.local_error = None
        if isinstance(local, TmuxUnavailable) and self._hosts:
            # No server on this machine is normal when every agent runs elsewhere: the
            # hosts' agents go on, the local ones find no pane (exited).
            self.local_error, local = str(local), []
        elif isinstance(local, BaseException):
            raise local
        return local + panes

    def listen_for_output(self, on_edge: Callable[[], None]) -> None:
        self.local.listen_for_output(on_edge)
        for host in self._hosts.values():
            host.service.listen_for_output(on_edge)

    async def output_activity(self, panes: Sequence[PaneInfo], shown: Collection[str] = (),
                              covered: Collection[str] = ()) -> OutputReport:
        """Each server's pushed output (this machine's, each answering host's through its own
        watching clients), pane ids qualified; a host that is down watches nothing."""
        groups: dict[str, list[PaneInfo]] = {}
        for pane in panes:
            host, local_id = split_pane(pane.pane_id)
            groups.setdefault(host, []).append(replace(pane, pane_id=local_id))
        watched: set[str] = set()
        writes: dict[str, PaneOutput] = {}
        problems: list[str] = []
        for host, group in groups.items():
            link = self._hosts.get(host)
            if host != LOCAL and (link is None or link.error is not None):
                continue
            report = await self.service(host).output_activity(
                group, on_host(host, shown), on_host(host, covered))
            watched.update(qualify(host, pane_id) for pane_id in report.watched)
            writes.update((qualify(host, pane_id), seen) for pane_id, seen in report.panes.items())
            if report.problem:
                problems.append(f"{host}: {report.problem}" if host else report.problem)
        return OutputReport(frozenset(watched), writes, "; ".join(problems) or None)

    def _reachable(self, host: str) -> TmuxService:
        """The host's service, or its reason as `TmuxUnavailable` when it is known to be down:
        nothing is sent to a host that does not answer."""
        service = self.service(host)
        error = self._hosts[host].error if host != LOCAL else None
        if error is not None:
            raise TmuxUnavailable(error)
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
            host_name, local_id = split_pane(pane_id)
            groups.setdefault(host_name, []).append(local_id)
        options: CaptureOptions = (history, ansi)
        screens: dict[str, str] = {}
        jobs: dict[str, asyncio.Task[dict[str, str]]] = {}
        for name, ids in groups.items():
            host = self._hosts.get(name)
            if name == LOCAL or host is None or host.error is not None:
                continue
            if host.slow:
                screens.update(host.late_screens(ids, options))
            else:
                jobs[name] = host.capture_job(ids, options)
        if LOCAL in groups:
            screens.update(await self.local.capture(groups[LOCAL], history=history, ansi=ansi))
        if jobs:
            await asyncio.wait(jobs.values(), timeout=self.timing.deadline)
        for name, job in jobs.items():
            if not job.done():
                self._hosts[name].slow = True  # its answer is kept for a later call
            elif job.exception() is None:
                self._hosts[name].taken(job.result(), options)
                screens.update((qualify(name, key), value) for key, value in job.result().items())
        return screens

    async def read_pane(self, pane_id: str) -> tuple[PaneInfo, str]:
        host, local_id = split_pane(pane_id)
        pane, screen = await self._reachable(host).read_pane(local_id)
        return self._qualified(host, pane), screen

    async def pane_info(self, target: str) -> PaneInfo:
        host, local_id = split_pane(target)
        return self._qualified(host, await self._reachable(host).pane_info(local_id))

    async def resolve_target(self, target: str) -> str:
        return (await self.pane_info(target)).pane_id

    async def process_tables(self, panes: Sequence[PaneInfo]) -> dict[str, ProcessTable]:
        """host -> its process table (pids are per machine), for discovery: this machine's
        from /proc, a host's from one `ps` there; a host that fails gives none."""
        here = [pane for pane in panes if pane.host == LOCAL and not pane.dead]
        tables = await self.local.process_tables(here) if here else {}
        for name in sorted({pane.host for pane in panes if pane.host != LOCAL}):
            host = self._hosts.get(name)
            ssh = host.ssh if host is not None else None
            if host is None or ssh is None or host.error is not None:
                continue
            try:
                tables[name] = await ssh.process_table()
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

    async def send_text(self, pane_id: str, text: str, *, submit: bool = True,
                        pending: PendingCheck | None = None, enter_delay: float = 0.15,
                        max_enter_retries: int = 3, verify_timeout: float = 2.0,
                        guard: Guard | None = None,
                        started: StartedCheck | None = None) -> SendResult:
        """The send recipe on the pane's own host (the gate's `guard` reads through here)."""
        host, local_id = split_pane(pane_id)
        return await self._reachable(host).send_text(
            local_id, text, submit=submit, pending=pending, enter_delay=enter_delay,
            max_enter_retries=max_enter_retries, verify_timeout=verify_timeout, guard=guard,
            started=started)

    async def kill_pane(self, pane_id: str) -> None:
        host, local_id = split_pane(pane_id)
        await self._reachable(host).kill_pane(local_id)

    async def start(self, command: str | Sequence[str], *, host: str = LOCAL,
                    cwd: str | None = None, session: str | None = None,
                    window_name: str | None = None, env: Mapping[str, str] | None = None,
                    width: int | None = None, height: int | None = None) -> PaneInfo:
        """A new pane running `command` on `host` (default: this machine)."""
        pane = await self._reachable(host).start(command, cwd=cwd, session=session,
                                                 window_name=window_name, env=env,
                                                 width=width, height=height)
        return self._qualified(host, pane)

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
        service = self.service(host)
        ssh = ssh_runner_of(service.runner)
        pane = escape_arg(local_id)
        args = ["select-window", "-t", pane, ";", "select-pane", "-t", pane, ";",
                "attach-session", "-t", pane]
        return ssh.attach_argv(args) if ssh is not None else service.runner.argv(args)

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

