"""All I/O lives here. `build_services` is the one place where services are built from config."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from orchestra_tui.config import Config
    from orchestra_tui.services.app_lock import AppLock
    from orchestra_tui.services.journal import Journal
    from orchestra_tui.services.store import QueueStore
    from orchestra_tui.services.tmux import TmuxService


class Services(NamedTuple):
    # A NamedTuple, not a dataclass: the hook program imports this package on every agent
    # event, and `dataclasses` costs it ~8 ms.
    tmux: TmuxService
    store: QueueStore
    journal: Journal
    # Held by the app that recovered the queues at start-up, for its lifetime; None for
    # commands and for an app opened beside a live one.
    app_lock: AppLock | None = None


def build_services(config: Config, *, socket_name: str | None = None,
                   socket_path: str | None = None, data_dir=None,
                   control_mode: bool = False, recover: bool = False) -> Services:
    """Command-line `-L`/`-S` win over the config's `[tmux]` table, as they do for tmux.
    `control_mode`: the app, which polls for hours, reads through one long-lived `tmux -C`
    client; a one-shot command spawns a tmux process per call instead."""
    from orchestra_tui.paths import data_dir as default_data_dir
    from orchestra_tui.services.journal import Journal
    from orchestra_tui.services.store import QueueStore
    from orchestra_tui.services.tmux import TmuxService

    if socket_name is None and socket_path is None:
        socket_name, socket_path = config.tmux.socket_name, config.tmux.socket_path
    directory = data_dir or default_data_dir()
    store = QueueStore(directory)
    app_lock = None
    if recover:
        # Crash recovery turns items found `sending` into `uncertain`: only the app that
        # sends may do it, never a command that runs beside it mid-send, nor a second app
        # while the first one lives (it holds the app lock for its lifetime).
        from orchestra_tui.services.app_lock import AppLock

        app_lock = AppLock(store.directory)
        if app_lock.acquire():
            store.load()
        else:
            app_lock = None
    # The panes' writer locks (one send at a time per pane, across processes) live beside the
    # queues, so every orchestra on this data dir queues behind the others.
    tmux = TmuxService.from_options(socket_name=socket_name, socket_path=socket_path,
                                    control_mode=control_mode, lock_dir=Path(directory) / "locks")
    if config.hosts:
        # Agents on other machines: one tmux over ssh per `[[host]]`, behind one router.
        from orchestra_tui.services.tmux_ssh import router_for

        tmux = router_for(tmux, config.hosts, control_mode=control_mode)
    journal = Journal(directory / "journal.jsonl")
    hosts = {spec.name: spec.host for spec in config.agents if spec.host}
    journal.host_of = hosts.get if hosts else None
    return Services(tmux=tmux, store=store, journal=journal, app_lock=app_lock)
