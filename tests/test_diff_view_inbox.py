"""`d` in the review inbox against the GitHub stand-in over loopback: on a PR's CI item (the
PR loop's) and on one of its review threads, the diff screen opens on that PR's change as
GitHub serves it."""

from __future__ import annotations

from orchestra_tui.ui.screens.diff import DiffScreen
from orchestra_tui.ui.screens.inbox import InboxScreen
from orchestra_tui.ui.widgets.thread_tree import ThreadTree
from tests.github_pilot import *  # noqa: F403
from tests.github_pilot import cursor_to_thread, open_screen
from tests.helpers import pilot_wait_until


async def open_diff(pilot) -> DiffScreen:
    app = pilot.app
    await pilot.press("d")
    await pilot_wait_until(pilot, lambda: isinstance(app.screen, DiffScreen)
                           and (app.screen.diff is not None or app.screen.error),
                           message="the PR's diff read")
    screen = app.screen
    assert isinstance(screen, DiffScreen) and not screen.error
    return screen


async def test_d_on_a_ci_item_and_on_a_thread_opens_the_pr_diff(pilot):
    await open_screen(pilot, "i", InboxScreen)
    tree = pilot.app.screen.query_one(ThreadTree)
    loop = tree.selected_loop_entry
    assert loop is not None and loop.item.pr.number == 101  # the CI item comes first
    screen = await open_diff(pilot)
    assert screen.target.pr is not None and screen.target.pr.number == 101
    assert screen.target.agent == "api"
    assert [f.path for f in screen.diff.files] == ["app/webhooks.py", "app/queue.py",
                                                   "docs/retries.md"]
    await pilot.press("escape")
    await pilot_wait_until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen),
                           message="back in the inbox")
    await cursor_to_thread(pilot, "coderabbitai")
    screen = await open_diff(pilot)
    assert screen.target.key == "acme/shop#101" and screen.diff.added == 21
