"""The diff view (issue 23, items 1-2) on real things: git repositories in tmp dirs, the app
over a real fleet with a simulated agent in a real tmux pane, and GitHub's stand-in over
loopback HTTP. `d` shows the change, `]`/`[` and `}`/`{` move through it, `c` comments, and the
review reaches the agent once, through its queue; or lands on the PR as a review thread."""

from __future__ import annotations

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.review import relocate_all, review_prompt
from orchestra_tui.diff_models import FileStatus, LineComment
from orchestra_tui.models import AgentSpec, QueueItemState, State
from orchestra_tui.services.git.diff import worktree_diff
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.ui.app import AppOptions, OrchestraApp
from orchestra_tui.ui.screens.diff import DiffScreen
from orchestra_tui.ui.screens.edit_prompt import EditPromptScreen
from orchestra_tui.ui.screens.pick_agent import PickAgentScreen
from orchestra_tui.ui.widgets.diff_files import DiffFiles
from orchestra_tui.ui.widgets.diff_lines import DiffLines
from tests.diff_fixtures import HANDLERS, git, make_repo
from tests.github_fixtures import *  # noqa: F403  (the stand-in, `github`, `openapi`)
from tests.helpers import async_wait_until, pilot_wait_until
from tests.tmux_fixtures import REPO, fake_agent_argv, logged_prompts, wait_for_screen


async def test_a_worktree_diff_holds_committed_uncommitted_staged_and_untracked(tmp_path):
    repo = make_repo(tmp_path)
    diff = await worktree_diff(repo, "main")
    by_path = {f.path: f for f in diff.files}
    assert set(by_path) == {"api/handlers.py", "README.md", "api/backoff.py", "notes.txt"}
    assert by_path["api/handlers.py"].status is FileStatus.MODIFIED  # committed
    assert by_path["README.md"].status is FileStatus.MODIFIED  # uncommitted
    assert by_path["api/backoff.py"].status is FileStatus.ADDED  # staged
    assert by_path["notes.txt"].status is FileStatus.UNTRACKED
    hunk = by_path["api/handlers.py"].hunks[0]
    assert [(line.kind.value, line.text) for line in hunk.lines if line.kind.value != " "] == [
        ("-", "    for attempt in range(10):"), ("+", "    for attempt in range(3):")]
    assert hunk.section == "line 37"  # git's heading: the last line above that starts a word
    assert (diff.added, diff.removed) == (5, 1)
    # Reading it changed nothing: the untracked file is still untracked, the index as it was.
    assert git(repo, "status", "--porcelain").splitlines() == [
        " M README.md", "A  api/backoff.py", "?? notes.txt"]


async def _start(tmux, tmp_path, repo, *, work: float):
    log = tmp_path / "api.jsonl"
    pane = await tmux.start(fake_agent_argv("codex", log, work=work), cwd=str(repo),
                            session="api", env={"PYTHONPATH": str(REPO)}, width=100, height=30)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    store = QueueStore(tmp_path / "data")
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="codex", target=pane.pane_id,
                                   cwd=str(repo))],
                  store=store, settings=FleetSettings(idle_debounce=0.3))
    return log, store, fleet, pane


async def _comment(pilot, app, text: str) -> None:
    await pilot.press("c")
    await pilot_wait_until(pilot, lambda: isinstance(app.screen, EditPromptScreen),
                           message="the comment editor")
    await pilot.press(*text, "ctrl+s")
    await pilot_wait_until(pilot, lambda: isinstance(app.screen, DiffScreen),
                           message="back on the diff")


async def _queue_review(pilot, app) -> None:
    await pilot.press("s")
    await pilot_wait_until(pilot, lambda: isinstance(app.screen, PickAgentScreen),
                           message="the choice of where the review goes")
    await pilot.press("enter")  # the first: queue for the agent


@pytest.mark.slow
async def test_d_navigates_c_comments_and_two_reviews_queued_while_busy_arrive_once(
        tmux, tmp_path):
    repo = make_repo(tmp_path)
    log, store, fleet, pane = await _start(tmux, tmp_path, repo, work=15.0)
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1, bell=False))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot_wait_until(pilot, lambda: (view := app.snapshot.get("api")) is not None
                               and view.status.state is State.IDLE, message="api idle")
        await pilot.press("d")
        screen = await pilot_wait_until(
            pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.diff is not None
            and app.screen, message="the diff read")
        files = screen.query_one(DiffFiles)
        lines = screen.query_one(DiffLines)
        assert [f.path for f in files.files] == [
            "README.md", "api/backoff.py", "api/handlers.py", "notes.txt"]
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert lines.file.path == "api/handlers.py"
        await pilot.press("left_square_bracket")
        assert lines.file.path == "api/backoff.py"
        await pilot.press("right_curly_bracket")  # past backoff.py's one hunk: the next file's
        assert (lines.file.path, lines.place) == ("api/handlers.py", (0, None))
        await pilot.press("left_curly_bracket")  # back to backoff.py's last hunk
        assert (lines.file.path, lines.place) == ("api/backoff.py", (0, None))
        await pilot.press("right_curly_bracket")
        await pilot.press("down", "down", "down", "down", "down")  # the hunk's `+` line
        assert lines.file.hunks[0].lines[lines.place[1]].text == "    for attempt in range(3):"
        await _comment(pilot, app, "three is too few for the provider")
        await fleet.send_now("api", "make the retries configurable")  # busy for 15 s
        await pilot_wait_until(pilot, lambda: app.snapshot.get("api").status.state
                               is State.WORKING, message="api working")
        await _queue_review(pilot, app)
        await pilot_wait_until(pilot, lambda: len(store.items("api")) == 1,
                               message="the review queued")
        await pilot.press("up", "up", "up", "up", "up")  # the hunk's heading: the whole hunk
        await _comment(pilot, app, "log each attempt")
        await _queue_review(pilot, app)
        first = "In api/handlers.py line 41 (line 37): three is too few for the provider"
        second = "In api/handlers.py lines 38-44 (line 37): log each attempt"
        expected = f"Review of your change (api's change):\n{first}\n{second}"
        await pilot_wait_until(pilot, lambda: [i.text for i in store.items("api")] == [expected],
                               message="the second review joined the first, unsent")
        assert store.items("api")[0].state is QueueItemState.QUEUED  # still busy

        async def delivered() -> bool:
            await pilot.pause()
            return store.items("api")[0].state is QueueItemState.SENT

        await async_wait_until(delivered, timeout=30, message="the review delivered")
    prompts = logged_prompts(log)
    assert prompts == ["make the retries configurable", expected]  # one prompt, once


@pytest.mark.slow
async def test_a_comment_whose_lines_changed_after_the_diff_was_drawn_is_not_sent(
        tmux, tmp_path):
    repo = make_repo(tmp_path)
    log, store, fleet, pane = await _start(tmux, tmp_path, repo, work=0.2)
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1, bell=False))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot_wait_until(pilot, lambda: app.snapshot.get("api") is not None,
                               message="api seen")
        await pilot.press("d")
        screen = await pilot_wait_until(
            pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.diff is not None
            and app.screen, message="the diff read")
        await pilot.press("right_square_bracket", "right_square_bracket", *["down"] * 5)
        await _comment(pilot, app, "three is too few")  # on the `+` line
        await pilot.press("up", "up")
        await _comment(pilot, app, "name it for what it retries")  # on `def retry_loop():`
        # The agent changes the worktree after the diff was drawn: the commented `+` line goes,
        # and a line added at the top moves `def retry_loop():` down by one.
        (repo / "api" / "handlers.py").write_text(
            "import time\n" + HANDLERS.replace("range(10)", "range(5)"))
        await _queue_review(pilot, app)
        await pilot_wait_until(pilot, lambda: any(
            line.text.endswith("range(5):") for h in screen.diff.file("api/handlers.py").hunks
            for line in h.lines), message="the diff drawn again")
        assert store.items("api") == []  # nothing queued: one comment's line is gone
        assert [(c.text, c.start) for c in screen.comments] == [
            ("name it for what it retries", 41)]  # kept, at its line's new number
    assert logged_prompts(log) == []


def test_relocate_follows_moved_lines_and_drops_gone_ones():
    from orchestra_tui.diff_models import Diff
    from orchestra_tui.services.diff_parse import parse_unified

    before = Diff("x", parse_unified(
        "--- a/f.py\n+++ b/f.py\n@@ -1,2 +1,2 @@\n keep\n-old\n+new\n"))
    after = Diff("x", parse_unified(
        "--- a/f.py\n+++ b/f.py\n@@ -1,2 +1,4 @@\n+a\n+b\n keep\n-old\n+new\n"))
    on_new = LineComment("f.py", 2, 2, "why new?", lines=("new",))
    on_gone = LineComment("f.py", 2, 2, "why?", lines=("newer",))
    assert relocate_all([on_new], before).kept == (on_new,)
    moved = relocate_all([on_new, on_gone], after)
    assert [(c.start, c.end) for c in moved.kept] == [(4, 4)]
    assert moved.lost == (on_gone,) and moved.moved == 1
    assert review_prompt(moved.kept, "x") == "Review of your change (x):\nIn f.py line 4: why new?"


# -- a pull request's diff from GitHub (the stand-in over loopback) -----------------------------


async def test_a_pr_diff_comes_from_github_and_a_comment_on_its_line_becomes_an_inbox_thread(
        standin, github, openapi, tmp_path):
    from orchestra_tui.core.desk.desk import Desk
    from orchestra_tui.core.review import hunk_comment, line_comment
    from orchestra_tui.services.store.desk import DeskStore
    from tests.github_fixtures import rest_problems

    desk = Desk(github, [AgentSpec("api", repo="acme/shop", branch="api/*")],
                store=DeskStore(tmp_path / "desk.json"))
    pr = next(p for p in await github.list_pull_requests("acme/shop") if p.number == 101)
    diff = await desk.pull_diff(pr)
    assert [(f.path, f.status.value, f.added, f.removed) for f in diff.files] == [
        ("app/webhooks.py", "modified", 17, 3), ("app/queue.py", "modified", 2, 0),
        ("docs/retries.md", "added", 2, 0)]
    assert diff.head == pr.head_sha
    webhooks = diff.files[0]
    hunk = webhooks.hunks[0]
    signature = next(line for line in hunk.lines if "X-Signature" in line.text)
    posted = await desk.post_review_comments(pr, diff.head, [
        line_comment(webhooks, hunk, signature, "use .get(): a missing header is a 401"),
        hunk_comment(diff.files[1], diff.files[1].hunks[0], "pending() needs a test")])
    assert len(posted) == 2 and all("#discussion_r" in url for url in posted)
    again = next(p for p in await github.list_pull_requests("acme/shop") if p.number == 101)
    # Newest first (`parse.py`): the two posts fall in one second or in two, so no order.
    mine = sorted((t.path, t.line, t.body) for t in again.threads if t.author == "octo-person")
    assert mine == [("app/queue.py", 13, "pending() needs a test"),
                    ("app/webhooks.py", signature.new, "use .get(): a missing header is a 401")]
    # A line outside the diff is refused as GitHub refuses it: 422, nothing posted.
    from dataclasses import replace

    from orchestra_tui.errors import GitHubError
    with pytest.raises(GitHubError):
        await desk.post_review_comments(pr, diff.head, [
            replace(line_comment(webhooks, hunk, signature, "x"), start=500, end=500)])
    rest = [(m, p, s, b) for m, p, s, b in standin.responses if "/pulls/101/" in p]
    assert {(m, s) for m, _, s, _ in rest} == {("GET", 200), ("POST", 201), ("POST", 422)}
    assert [problem for m, p, s, b in rest for problem in rest_problems(openapi, m, p, s, b)] == []


async def test_a_hostile_file_name_and_hunk_are_shown_inert_and_prompted_inert(tmp_path):
    from orchestra_tui.core.review import line_comment
    from tests.ui_data import FixedFleet

    repo = make_repo(tmp_path)
    evil = "ev\x1b[2J\x1b]0;pwned\x07il.py"
    (repo / evil).write_text("ok = 1\nprint('\x1b[31mred\x1b[0m\x1b]52;c;Y3VybA==\x07')\n")
    diff = await worktree_diff(repo, "main")
    hostile = diff.file(evil)
    assert hostile is not None and hostile.status is FileStatus.UNTRACKED
    app = OrchestraApp(FixedFleet(tmp_path / "store"), AppOptions(poll=False))
    async with app.run_test(size=(120, 30)) as pilot:
        from orchestra_tui.core.review import ReviewTarget

        app.push_screen(DiffScreen(ReviewTarget("api"), diff))
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, DiffScreen),
                               message="the diff screen")
        screen = app.screen
        files = screen.query_one(DiffFiles)
        while files.selected is not hostile:
            await pilot.press("right_square_bracket")
        lines = screen.query_one(DiffLines)
        cells = [str(cell) for table in (files, lines) for row in range(table.row_count)
                 for cell in table.get_row_at(row)]
        shown = "\n".join(cells)
        assert "\x1b" not in shown and "\x07" not in shown
        assert "ev␛[2J␛]0;pwned␇il.py" in shown
        assert "print('␛[31mred␛[0m␛]52;c;Y3VybA==␇')" in shown
    comment = line_comment(hostile, hostile.hunks[0], hostile.hunks[0].lines[1], "why?")
    prompt = review_prompt([comment], diff.title)
    assert "\x1b" not in prompt and "In ev␛[2J␛]0;pwned␇il.py line 2: why?" in prompt
