"""Snapshots of the diff view at the smallest supported terminal (80x24) and a large one
(160x45): the demo's PR #101 (three files, one added), read from fixed GitHub patches (no
network, no git), with the cursor moved by keys onto a hunk's line and a comment written there
with `c`, so the comment mark, the counts and the footer all show."""

from __future__ import annotations

from orchestra_tui.core.review import ReviewTarget
from orchestra_tui.demo.standin.seed import QUEUE_PATCH, WEBHOOKS_PATCH
from orchestra_tui.diff_models import Diff
from orchestra_tui.models import PullRequest
from orchestra_tui.services.diff_parse import github_files_to_unified, parse_unified
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.diff import DiffScreen
from tests.helpers import pilot_wait_until
from tests.ui_data import FixedFleet

PR = PullRequest("acme/shop", 101, "Retry payment webhook on 5xx",
                 "https://github.com/acme/shop/pull/101", "api/webhook-retry",
                 "101c0ffee" + "0" * 31, "main", author="octo-agent", agent="api")
FILES = [{"filename": "app/webhooks.py", "status": "modified", "patch": WEBHOOKS_PATCH},
         {"filename": "app/queue.py", "status": "modified", "patch": QUEUE_PATCH},
         {"filename": "docs/retries.md", "status": "added",
          "patch": "@@ -0,0 +1,2 @@\n+# Retries\n+Five attempts, then give up."}]
DIFF = Diff(title=f"{PR.repo}#{PR.number} {PR.title}",
            files=parse_unified(github_files_to_unified(FILES)), base="main", head=PR.head_sha)


def make_app(tmp_path) -> OrchestraApp:
    return OrchestraApp(FixedFleet(tmp_path / "store"), AppOptions(poll=False))


async def comment_on_a_line(pilot) -> None:
    """Open the diff, go to the first hunk's fourth line, and comment on it."""
    app = pilot.app
    app.push_screen(DiffScreen(ReviewTarget("api", PR), DIFF))
    await pilot_wait_until(pilot, lambda: isinstance(app.screen, DiffScreen),
                           message="the diff screen")
    await pilot.press("right_curly_bracket", "down", "down", "down", "c")
    await pilot.press(*"Bound the attempts: five, then give_up().", "ctrl+s")
    await pilot_wait_until(pilot, lambda: isinstance(app.screen, DiffScreen)
                           and len(app.screen.comments) == 1, message="the comment kept")


def test_diff_view_80x24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=comment_on_a_line)


def test_diff_view_160x45(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(160, 45),
                        run_before=comment_on_a_line)
