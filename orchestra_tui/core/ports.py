"""What the core asks of the services, as `typing.Protocol`s with exactly the members the core
calls. The services implement them structurally (`services.tmux.TmuxService` and
`services.tmux_hosts.HostRouter` are both a `TmuxPort`); the composition root
(`bootstrap.py`) hands the real ones in, and the type checker holds the seam.

Only the core's view is declared here: a service may do more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol

from orchestra_tui.agents.hook_events import HookEvent
from orchestra_tui.models import AgentRecord, PaneInfo, QueueItem, SendResult
from orchestra_tui.services.store.queues_format import QueueSnapshot
from orchestra_tui.services.tmux.activity import OutputReport

__all__ = ["AgentsRegistryPort", "HookLogPort", "JournalPort", "QueueStorePort", "SendFailed",
           "TmuxPort"]

# tmux_send's callables, restated: (screen, text) -> still pending / turn started; a guard
# runs before each step of typing.
PendingCheck = Callable[[str, str], bool]
Guard = Callable[[str], Awaitable[None]]


class TmuxPort(Protocol):
    """One tmux service over this machine's server and, for a host router, the `[[host]]`s:
    pane ids are qualified (`gpu:%3`) for panes on a host."""

    @property
    def host_errors(self) -> Mapping[str, str]:
        """host -> why it does not answer (empty for a local service)."""
        ...

    @property
    def notice(self) -> str | None:
        """Something the person should know about how tmux is read (a control client lost)."""
        ...

    def service(self, host: str) -> TmuxPort:
        """The service of one `[[host]]`, its pane ids unqualified."""
        ...

    async def list_panes(self) -> list[PaneInfo]: ...

    async def capture(self, pane_ids: Iterable[str], *, history: int = 0,
                      ansi: bool = False) -> dict[str, str]: ...

    async def read_pane(self, pane_id: str) -> tuple[PaneInfo, str]: ...

    async def output_activity(self, panes: Sequence[PaneInfo]) -> OutputReport:
        """Which of `panes` wrote output and how long ago, pushed by tmux; panes not in its
        `watched` are to be polled."""
        ...

    async def pane_info(self, target: str) -> PaneInfo: ...

    async def server_socket(self) -> str | None: ...

    async def is_running(self) -> bool: ...

    async def has_session(self, session: str) -> bool: ...

    def hold_pane(self, pane_id: str) -> AbstractAsyncContextManager[None]: ...

    async def send_keys(self, pane_id: str, *keys: str) -> None: ...

    async def send_text(self, pane_id: str, text: str, *, pending: PendingCheck | None = None,
                        guard: Guard | None = None,
                        started: PendingCheck | None = None) -> SendResult: ...

    async def kill_pane(self, pane_id: str) -> None: ...

    async def start(self, command: str | Sequence[str], *, cwd: str | None = None,
                    session: str | None = None, window_name: str | None = None,
                    ) -> PaneInfo: ...

    async def respawn(self, pane_id: str, command: str | Sequence[str], *,
                      cwd: str | None = None) -> PaneInfo: ...

    async def switch_client(self, pane_id: str, client: str | None = None) -> bool: ...

    def attach_argv(self, target: str) -> list[str]: ...


class QueueStorePort(Protocol):
    """The per-agent prompt queues on disk (`services.store.QueueStore`). Its writes fsync:
    the core calls them in a thread."""

    @property
    def directory(self) -> Path: ...

    def snapshot(self) -> QueueSnapshot: ...

    def items(self, agent: str) -> list[QueueItem]: ...

    def paused(self, agent: str) -> bool: ...

    def set_paused(self, agent: str, paused: bool) -> None: ...

    def history(self, agent: str, limit: int = 50) -> list[str]: ...

    def next_ready(self, agent: str) -> QueueItem | None: ...

    def add(self, agent: str, text: str, source: str = "person") -> QueueItem: ...

    def edit(self, item_id: str, text: str) -> QueueItem: ...

    def delete(self, item_id: str) -> QueueItem: ...

    def move(self, item_id: str, delta: int) -> QueueItem: ...

    def move_to_agent(self, item_id: str, agent: str) -> QueueItem: ...

    def requeue(self, item_id: str) -> QueueItem: ...

    def mark_sending(self, item_id: str) -> QueueItem: ...

    def mark_sent(self, item_id: str, at: float | None = None) -> QueueItem: ...

    def mark_uncertain(self, item_id: str, detail: str = "") -> QueueItem: ...

    def record_sent(self, agent: str, text: str) -> None: ...


class JournalPort(Protocol):
    """The append-only journal (`services.journal.Journal`)."""

    @property
    def path(self) -> Path: ...

    def append(self, event: str, agent: str | None = None, **fields: Any) -> dict[str, Any]: ...

    def read(self, agent: str | None = None, since: float | None = None,
             events: Iterable[str] | None = None) -> list[dict[str, Any]]: ...


class AgentsRegistryPort(Protocol):
    """The agents `orchestra new` started (`services.agents_registry.AgentsRegistry`)."""

    def signature(self) -> object: ...

    def records(self) -> tuple[AgentRecord, ...]: ...

    def get(self, name: str) -> AgentRecord | None: ...

    def add(self, record: AgentRecord) -> AgentRecord: ...

    def update(self, record: AgentRecord) -> None: ...

    def remove(self, name: str) -> bool: ...


class HookLogPort(Protocol):
    """The agents' hook events, per pane (`services.hook_log.HookLog`)."""

    @property
    def data_dir(self) -> Path: ...

    def read_new(self, pane_id: str, *, tmux_socket: str | None = None
                 ) -> list[HookEvent]: ...

    def forget(self, pane_id: str) -> None: ...


# Told when a queued send failed unexpectedly (the item is already `uncertain` on disk).
SendFailed = Callable[[str, QueueItem, BaseException], None]
