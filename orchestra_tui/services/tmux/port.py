"""What the layers above may ask of tmux, one server or many (`typing.Protocol`): both
`service.TmuxService` and `hosts.HostRouter` conform (checked in `services/conformance.py`).
This module imports no implementation that imports it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from orchestra_tui.models import PaneInfo, SendResult
from orchestra_tui.services.tmux.activity import OutputReport
from orchestra_tui.services.tmux.runner import TmuxResult, TmuxRunner
from orchestra_tui.services.tmux.send import Guard, PendingCheck, StartedCheck

__all__ = ["ProcessTable", "TmuxPort"]

# pid -> (parent pid, command line) of the processes on one machine.
ProcessTable = Mapping[int, tuple[int, str]]


class TmuxPort(Protocol):
    """Every tmux operation orchestra performs. Panes are named by id (`%12`, or `gpu:%3` for
    a pane on a `[[host]]`); results are models or plain strings, never library objects."""

    @property
    def runner(self) -> TmuxRunner:
        """The runner of this machine's server (the control-mode one in the app)."""
        ...

    @property
    def host_errors(self) -> Mapping[str, str]:
        """`[[host]]` name -> why it does not answer, as of the last `list_panes`; empty for
        one server."""
        ...

    def service(self, host: str) -> TmuxPort:
        """The tmux of one host ("" is this one), its pane ids unqualified. Raises
        `OrchestraError` for a host that is not set up."""
        ...

    @property
    def notice(self) -> str | None:
        """What the person should know about how tmux is read (a control client lost)."""
        ...

    async def aclose(self) -> None: ...

    async def run(self, *args: str, input: bytes | None = None, check: bool = True,
                  timeout: float = 10.0) -> TmuxResult: ...

    # -- reading
    async def is_running(self) -> bool: ...
    async def list_panes(self) -> list[PaneInfo]: ...
    async def pane_info(self, target: str) -> PaneInfo: ...
    async def resolve_target(self, target: str) -> str: ...
    async def server_socket(self) -> str | None: ...
    async def read_pane(self, pane_id: str) -> tuple[PaneInfo, str]: ...

    async def output_activity(self, panes: Sequence[PaneInfo], shown: Collection[str] = (),
                              covered: Collection[str] = ()) -> OutputReport:
        """Which of `panes` wrote output and how long ago, pushed by tmux; panes not in its
        `watched` are to be polled; `shown` (pane ids on screen) are followed frame by frame,
        the others sampled while they keep writing (`covered`, whose hooks report: least)."""
        ...

    def listen_for_output(self, on_edge: Callable[[], None]) -> None:
        """Call `on_edge` when a watched pane starts or stops writing (never, unwatched)."""
        ...

    async def capture(self, pane_ids: Iterable[str], *, history: int = 0,
                      ansi: bool = False) -> dict[str, str]: ...

    async def process_tables(self, panes: Sequence[PaneInfo]) -> dict[str, ProcessTable]:
        """host ("" here) -> the process table of the machine those panes run on."""
        ...

    async def has_session(self, session: str) -> bool: ...

    # -- writing
    def hold_pane(self, pane_id: str) -> AbstractAsyncContextManager[None]: ...
    async def send_keys(self, pane_id: str, *keys: str) -> None: ...

    async def send_text(self, pane_id: str, text: str, *, submit: bool = True,
                        pending: PendingCheck | None = None, enter_delay: float = 0.15,
                        max_enter_retries: int = 3, verify_timeout: float = 2.0,
                        guard: Guard | None = None,
                        started: StartedCheck | None = None) -> SendResult: ...

    async def kill_pane(self, pane_id: str) -> None: ...
    async def kill_server(self) -> None: ...

    async def start(self, command: str | Sequence[str], *, host: str = "",
                    cwd: str | None = None, session: str | None = None,
                    window_name: str | None = None, env: Mapping[str, str] | None = None,
                    width: int | None = None, height: int | None = None) -> PaneInfo: ...

    async def respawn(self, pane_id: str, command: str | Sequence[str], *,
                      cwd: str | None = None) -> PaneInfo: ...

    async def set_remain_on_exit(self, pane_id: str, on: bool = True) -> None: ...

    # -- attaching
    async def select_pane(self, pane_id: str) -> None: ...
    async def switch_client(self, pane_id: str, client: str | None = None) -> bool: ...
    def attach_argv(self, target: str) -> list[str]: ...
    def attach_command(self, target: str) -> str: ...


