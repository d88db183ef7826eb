"""The core's typed seams: queue operations are typed calls (a wrong one is refused before the
store is touched), GitHub error kinds are an enum, and the fleet's collaborators arrive through
its constructor."""

from __future__ import annotations

import pytest

from orchestra_tui.core.fleet.directing import QueueOp
from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.core.fleet.state import count_queued
from orchestra_tui.errors import ErrorKind, GitHubError
from orchestra_tui.models import AgentSpec, QueueItemState
from orchestra_tui.services.store.agents_registry import AgentsRegistry
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.service import TmuxService


def _fleet(tmp_path, **options) -> tuple[Fleet, QueueStore]:
    store = QueueStore(tmp_path / "data")
    store.load()
    tmux = TmuxService.from_options(socket_name="orchestra-seams-never-started")
    return Fleet(tmux, [AgentSpec(name="api")], store=store, **options), store


async def test_queue_ops_are_typed_calls_and_a_wrong_one_touches_nothing(tmp_path):
    fleet, store = _fleet(tmp_path)
    first = await fleet.enqueue("api", "first")
    second = await fleet.enqueue("api", "second")
    await fleet.queue_op(QueueOp.MOVE, second.id, -1)
    assert [item.text for item in store.items("api")] == ["second", "first"]
    await fleet.queue_op("edit", first.id, "first, edited")  # the app's spelling still works
    assert [item.text for item in store.items("api")] == ["second", "first, edited"]
    with pytest.raises(ValueError):
        await fleet.queue_op("mark_sent", first.id)  # not a queue operation: no store method
    with pytest.raises(ValueError):
        await fleet.queue_op(QueueOp.MOVE, first.id, "down")  # a delta is a number
    assert count_queued(store.items("api")) == 2
    assert all(item.state is QueueItemState.QUEUED for item in store.items("api"))


def test_the_fleet_follows_the_registry_it_was_built_with(tmp_path):
    registry = AgentsRegistry(tmp_path / "data")
    fleet, _ = _fleet(tmp_path, registry=registry, follow_work=False)
    assert fleet.registry is registry and fleet.names == ["api"]


def test_github_error_kinds_are_an_enum_equal_to_their_names():
    error = GitHubError("gone", kind="not_found")
    assert error.kind is ErrorKind.NOT_FOUND and error.kind == "not_found"
    with pytest.raises(ValueError):
        GitHubError("typo", kind="not_fund")
