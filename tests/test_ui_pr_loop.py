"""Pilot tests for the PR loop's inbox items (issue 23, items 3, 4 and 6), against the real
stand-in over loopback HTTP: a failed check's step and log tail on screen, `s` queues it for
the PR's owner and marks it sent; a conflict and a blocking review are listed beside it."""

from __future__ import annotations

from orchestra_tui.pr_facts import LoopKind
from orchestra_tui.ui.screens.inbox import InboxScreen
from orchestra_tui.ui.widgets.markdown_detail import MarkdownDetail
from orchestra_tui.ui.widgets.thread_tree import ThreadTree
from tests.github_pilot import *  # noqa: F403
from tests.github_pilot import open_screen, settle, status_text, tree_labels


async def cursor_to_loop_item(pilot, kind: LoopKind, number: int):
    tree = pilot.app.screen.query_one(ThreadTree)
    for _ in range(40):
        loop = tree.selected_loop_entry
        if loop is not None and loop.item.kind is kind and loop.item.pr.number == number:
            return loop
        await pilot.press("j")
    raise AssertionError(f"no {kind} item on #{number}")


async def test_a_failed_check_shows_its_step_and_log_and_s_queues_it_for_the_owner(
        pilot, fleet):
    app = pilot.app
    await open_screen(pilot, "i", InboxScreen)
    labels = tree_labels(app.screen, ThreadTree)
    assert any(label.startswith("CI") and "at step 'Run pytest'" in label for label in labels)
    assert any(label.startswith("CONFLICT") and "conflicts with main" in label
               for label in labels)
    assert any(label.startswith("REVIEW") and "lee still requests changes" in label
               for label in labels)
    assert "CI, conflict and review items" in status_text(app.screen)
    loop = await cursor_to_loop_item(pilot, LoopKind.CI, 101)
    shown = app.screen.query_one(MarkdownDetail)
    assert "assert 41 == 5" in (shown._markdown or "")
    await pilot.press("s")
    await settle(pilot)
    [queued] = fleet.store.items("api")
    assert queued.text == loop.item.prompt and queued.source.startswith("loop:ci:")
    assert app.desk.routed[loop.item.fingerprint] == "api"
    assert any(label.startswith("CI") and label.endswith("→ api")
               for label in tree_labels(app.screen, ThreadTree))
