"""The one app start-up of the GitHub screen tests: `pilot` is an `OrchestraApp` on a fixed fleet
(a real QueueStore) and a desk over the loopback stand-in, refreshed and settled.

A test changes what it gets by parametrizing a fixture by name:

- `desk`: `"standin"` (default), `"unreachable"` (a loopback port where nothing listens),
  `None` (GitHub not configured), or `"missing-repo"` (one lane's repository does not exist);
- `refreshed`: False to start before the desk has read GitHub;
- `options`: other `AppOptions` (a polling app).

Import into a test module: `from tests.github_pilot import *  # noqa: F403`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from orchestra_tui.core.desk.desk import Desk
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.github.service import GitHubService
from orchestra_tui.services.store.desk import DeskStore
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.widgets.desk_status import DeskStatus
from orchestra_tui.ui.widgets.pull_table import PullTable
from orchestra_tui.ui.widgets.thread_tree import ThreadTree
from tests.github_fixtures import *  # noqa: F403
from tests.github_fixtures import TOKEN, github, refused_url, standin
from tests.ui_data import FixedFleet, _view

__all__ = ["AGENTS", "OPTIONS", "SIZE", "cursor_to_pull", "cursor_to_thread", "desk", "fleet",
           "journal", "notes", "open_screen", "options", "pilot", "refreshed", "settle",
           "status_text", "tree_labels", "tree_threads", "github", "standin", "refused_url"]

OPTIONS = AppOptions(poll=False)
SIZE = (150, 40)
AGENTS = (AgentSpec("api", repo="acme/shop", branch="api/*"),
          AgentSpec("web", repo="acme/shop", branch="web/*"),
          AgentSpec("docs", repo="acme/docs"))


@pytest.fixture
def fleet(tmp_path) -> FixedFleet:
    views = [_view(spec.name, "claude", State.IDLE, "idle: composer", since=0.0,
                   repo=spec.repo, branch=spec.branch, pane=f"%{n}")
             for n, spec in enumerate(AGENTS, 1)]
    return FixedFleet(tmp_path / "store", views)


@pytest.fixture
def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "journal.jsonl")


@pytest.fixture
async def desk(request, github, journal, tmp_path) -> AsyncIterator[Desk | None]:
    kind = getattr(request, "param", "standin")
    if kind is None:
        yield None
        return
    agents = AGENTS
    service = github
    if kind == "unreachable":
        service = GitHubService(TOKEN, api_url=request.getfixturevalue("refused_url"),
                                timeout=2.0)
    elif kind == "missing-repo":
        agents = (*AGENTS, AgentSpec("ghost", repo="acme/gone"))
    yield Desk(service, agents, journal=journal, store=DeskStore(tmp_path / "desk.json"))
    if service is not github:
        await service.aclose()


@pytest.fixture
def refreshed() -> bool:
    return True


@pytest.fixture
def options() -> AppOptions:
    return OPTIONS


@pytest.fixture
async def pilot(fleet, desk, options, refreshed) -> AsyncIterator:
    if desk is not None and refreshed:
        await desk.refresh()
    app = OrchestraApp(fleet, options, desk=desk)
    async with app.run_test(size=SIZE) as running:
        if options.poll:
            await running.pause()  # a polling app's workers never all finish
        else:
            await settle(running)
        yield running


async def settle(pilot) -> None:
    """Until no worker runs (an action's worker may start a refresh worker)."""
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        running = [w for w in app.workers if w.is_running]
        if not running:
            await pilot.pause()
            return
        await app.workers.wait_for_complete(running)
    raise AssertionError("workers never settled")


def status_text(screen) -> str:
    return str(screen.query_one(DeskStatus).content)


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def keys_settling(*keys: str):
    """A snapshot's run_before pressing each key only once what the last one started is done:
    keys pressed blind can land before a screen's rows have loaded."""
    async def press_each(pilot) -> None:
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
    return press_each


async def open_screen(pilot, key: str, kind) -> None:
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, kind)


async def cursor_to_thread(pilot, author: str) -> None:
    tree = pilot.app.screen.query_one(ThreadTree)
    for _ in range(20):
        entry = tree.selected_entry
        if entry is not None and entry.thread.author == author:
            return
        await pilot.press("j")
    raise AssertionError(f"no thread by {author}")


async def cursor_to_pull(pilot, number: int) -> None:
    """Down, then up: the merge panel lists PRs in merge order, not by number."""
    table = pilot.app.screen.query_one(PullTable)
    for key in "j" * 20 + "k" * 20:
        if table.selected is not None and table.selected.pr.number == number:
            return
        await pilot.press(key)
    raise AssertionError(f"no PR #{number}")


def tree_threads(app) -> list[str]:
    groups = app.desk.inbox()
    return [e.thread.author for _, pulls in groups for _, es in pulls for e in es]


def tree_labels(screen, tree_type) -> list[str]:
    return [str(node.label) for node in screen.query_one(tree_type)._tree_nodes.values()]
