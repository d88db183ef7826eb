"""What the desk's parts share: the GitHub source, the lanes and repositories, the person's own
marks on disk, and the one immutable `DeskSnapshot` they publish. `Desk` (pull requests) and
`IssuesDesk` (issues) both work on one board, handed to each in its constructor."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from orchestra_tui.core.desk.inbox import InboxPull
from orchestra_tui.core.desk.snapshot import (
    Assignment,
    DeskSnapshot,
    GitHubSource,
    thread_fingerprint,
)
from orchestra_tui.models import AgentSpec, RateLimit
from orchestra_tui.services.ports import JournalPort

__all__ = ["DeskBoard", "DeskStorePort"]


class DeskStorePort(Protocol):
    """The person's desk marks on disk (`services.desk_store.DeskStore`)."""

    @property
    def path(self) -> Path: ...

    def section(self, name: str) -> dict[str, Any]: ...

    def save(self) -> None: ...


class DeskBoard:
    def __init__(self, github: GitHubSource, agents: Sequence[AgentSpec], repos: Sequence[str],
                 *, store: DeskStorePort, journal: JournalPort | None,
                 clock: Callable[[], float]) -> None:
        self.github = github
        self.agents = tuple(agents)
        self.repos = tuple(repos)
        self.store = store
        self.journal = journal
        self.clock = clock
        self.lock = asyncio.Lock()  # one refresh or issues load at a time
        self.snapshot = DeskSnapshot(repos=self.repos, agents=self.agents)

    async def save(self) -> None:
        await asyncio.to_thread(self.store.save)

    def spec(self, agent: str) -> AgentSpec | None:
        return next((a for a in self.agents if a.name == agent), None)

    def assignments(self) -> dict[str, Assignment]:
        out = {}
        for agent, item in self.store.section("assignments").items():
            try:
                out[agent] = Assignment(agent, str(item["repo"]), int(item["number"]),
                                        str(item.get("title") or ""), float(item.get("at") or 0))
            except (KeyError, TypeError, ValueError):
                continue
        return out

    def snoozed_ids(self, pulls: Iterable[InboxPull]) -> frozenset[str]:
        snoozed = self.store.section("snoozed")
        now = self.clock()
        hidden = set()
        for item in pulls:
            for thread in item.pr.threads:
                entry = snoozed.get(thread.id)
                if not isinstance(entry, dict):
                    continue
                until = entry.get("until")
                if entry.get("fingerprint") != thread_fingerprint(thread):
                    continue
                if until is not None and now >= float(until):
                    continue
                hidden.add(thread.id)
        return frozenset(hidden)

    def publish(self, **changes: Any) -> DeskSnapshot:
        """A new snapshot from the last one with `changes`, the person's state re-read."""
        base = replace(self.snapshot, **changes)
        routed = {key: str(mark.get("agent") or "")
                  for key, mark in self.store.section("routed").items() if isinstance(mark, dict)}
        self.snapshot = replace(base, snoozed=self.snoozed_ids(base.pulls),
                                queued=dict(self.store.section("queued")),
                                assignments=self.assignments(), routed=routed)
        return self.snapshot

    async def record(self, event: str, agent: str | None = None, **fields: Any) -> None:
        if self.journal is not None:
            await asyncio.to_thread(self.journal.append, event, agent, **fields)

    def rate_limit(self) -> RateLimit:
        return self.github.rate_limit
