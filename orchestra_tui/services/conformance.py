"""Each implementation held to its declared interface (`ports.py`) by the type checker: a
function per pair that returns the implementation as the port, so mypy fails here when they
drift apart. Nothing imports this module; it exists to be type-checked."""

from __future__ import annotations

from orchestra_tui.services.github.service import GitHubService
from orchestra_tui.services.ports import (
    AgentsRegistryPort,
    GitHubPort,
    JournalPort,
    QueueStorePort,
)
from orchestra_tui.services.store.agents_registry import AgentsRegistry
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.hosts import HostRouter
from orchestra_tui.services.tmux.port import TmuxPort
from orchestra_tui.services.tmux.service import TmuxService


def _local_tmux_conforms(service: TmuxService) -> TmuxPort:
    return service


def _host_router_conforms(router: HostRouter) -> TmuxPort:
    return router


def _github_conforms(service: GitHubService) -> GitHubPort:
    return service


def _queue_store_conforms(store: QueueStore) -> QueueStorePort:
    return store


def _journal_conforms(journal: Journal) -> JournalPort:
    return journal


def _agents_registry_conforms(registry: AgentsRegistry) -> AgentsRegistryPort:
    return registry
