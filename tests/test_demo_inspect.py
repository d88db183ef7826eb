"""Issue 23's "Done when", tried as a new user would in `orchestra demo` (run in a terminal: a
tmux pane, keys sent, the screen read): `d` on api shows its worktree's change (pricing.py, its
hunk) against the demo's clone; `c` on the hunk and `s` queue one review prompt that reaches
api once, after the failed check's log tail that its lane sent it unasked (one copy, even when
`s` is pressed on that item again); the merge panel shows the predicted conflict and a safe
order with its reason. Quitting leaves nothing behind."""

from __future__ import annotations

import json
import sys

import pytest

from tests.demo_fixtures import (  # noqa: F401 (an autouse fixture)
    _no_world_outlives_the_test,
    demo_env,
    worlds_in,
)
from tests.helpers import async_wait_until
from tests.test_demo import nothing_left
from tests.tmux_fixtures import REPO, wait_for_screen

pytestmark = pytest.mark.slow

REVIEW = "Keep ROUND at 2: prices show cents."


def prompts_of(world, agent: str) -> list[str]:
    log = world.directory / f"{agent}.prompts.jsonl"
    if not log.exists():
        return []
    return [json.loads(line)["prompt"] for line in log.read_text("utf-8").splitlines()]


async def test_the_demo_inspects_comments_routes_ci_and_orders_the_merge(tmux, tmp_path):
    pane = await tmux.start([sys.executable, "-m", "orchestra_tui", "demo"], cwd=str(REPO),
                            session="user", env=demo_env(tmp_path), width=160, height=45)
    await tmux.set_remain_on_exit(pane.pane_id)
    screen = await wait_for_screen(
        tmux, pane.pane_id, lambda s: "4 agents" in s and "api ≠web" in s and "APPROVAL" in s,
        timeout=60, message="the demo fleet, api waiting for approval, the radar's pair")
    [(world, _owner)] = worlds_in(tmp_path)  # this test's own TMPDIR holds only this one

    # d: api (the first row, waiting for approval) has an uncommitted edit of pricing.py.
    await tmux.send_keys(pane.pane_id, "d")
    screen = await wait_for_screen(
        tmux, pane.pane_id, lambda s: "Diff · api" in s and "+ROUND = 4" in s,
        timeout=30, message="api's diff with its hunk")
    assert "1 file +1 -1" in screen and "pricing.py" in screen and "-ROUND = 2" in screen

    # c on the hunk, the comment typed, ctrl+s; s and enter: queued for api.
    await tmux.send_keys(pane.pane_id, "c")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Comment on pricing.py" in s,
                          timeout=20, message="the comment box")
    # Typed and saved at once, as a paste would be: ctrl+s must not outrun the text.
    await tmux.run("send-keys", "-t", pane.pane_id, "-l", REVIEW, ";", "send-keys", "-t",
                   pane.pane_id, "C-s")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "1 comment (s sends)" in s,
                          timeout=20, message="the comment kept")
    await tmux.send_keys(pane.pane_id, "s")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "queue for api" in s, timeout=20,
                          message="where to send the review")
    await tmux.send_keys(pane.pane_id, "Enter")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Review queued for api" in s,
                          timeout=20, message="the review queued")
    await tmux.send_keys(pane.pane_id, "Escape")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "4 agents" in s, timeout=20,
                          message="back on the fleet")

    # The inbox: the failed check with its step, already sent to api by its lane's autoroute;
    # s on it again asks first, and n sends nothing.
    await tmux.send_keys(pane.pane_id, "i")
    await wait_for_screen(
        tmux, pane.pane_id, lambda s: "failure at step 'Run" in s
        and "sent to api's queue" in s, timeout=40, message="the CI item, routed to api")
    await tmux.send_keys(pane.pane_id, "s")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Already sent to api's queue" in s,
                          timeout=20, message="the question before a second copy")
    await tmux.send_keys(pane.pane_id, "n")

    # The merge panel: the radar's pair on #101 and #102, the order and why.
    await tmux.send_keys(pane.pane_id, "m")
    screen = await wait_for_screen(
        tmux, pane.pane_id, lambda s: "Merge panel" in s and "≠ #101 before #102" in s,
        timeout=30, message="the merge panel's pair order")
    assert "api ≠web" in screen and "web ≠api" in screen and "merge in order: #103" in screen
    await tmux.send_keys(pane.pane_id, *["Down"] * 6)  # the last of 7 rows: #102
    await wait_for_screen(
        tmux, pane.pane_id, lambda s: "acme/shop#102 Cart" in s and "merge after #101" in s,
        timeout=20, message="why #102 goes after #101")
    await tmux.send_keys(pane.pane_id, "Escape")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "4 agents" in s, timeout=20,
                          message="back on the fleet")

    # y approves api's dialog; its turn ends, then the CI prompt, then the review arrive.
    await tmux.send_keys(pane.pane_id, "y")

    async def both_arrived() -> bool:
        said = prompts_of(world, "api")
        return any(REVIEW in prompt for prompt in said) and any(
            prompt.startswith("CI failed on PR #101") for prompt in said)

    await async_wait_until(both_arrived, timeout=90, message="the CI log and the review at api")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "IDLE         api" in s, timeout=40,
                          message="api idle after the review")
    said = prompts_of(world, "api")
    assert sum(REVIEW in prompt for prompt in said) == 1
    assert sum(prompt.startswith("CI failed on PR #101") for prompt in said) == 1
    [ci] = [prompt for prompt in said if prompt.startswith("CI failed")]
    assert "assert 41 == 5" in ci and "at step 'Run pytest'" in ci
    [review] = [prompt for prompt in said if REVIEW in prompt]
    assert "pricing.py" in review

    await tmux.send_keys(pane.pane_id, "q")
    screen = await wait_for_screen(tmux, pane.pane_id, lambda s: "Demo stopped" in s,
                                   timeout=30, message="the demo to stop")
    await nothing_left(world)
