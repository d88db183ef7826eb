"""The detector reads the simulated agent of `orchestra demo` like the real CLI it imitates:
the demo only works if every state it draws is recognised."""

from __future__ import annotations

import re

import pytest

from orchestra_tui.agents import classify, draft_pending
from orchestra_tui.models import State

fake = pytest.importorskip("orchestra_tui.demo.fake_agent")
screens = pytest.importorskip("orchestra_tui.demo.fake_screens")
if not (hasattr(fake, "Agent") and hasattr(screens, "screen_rows")):
    pytest.skip("the fake agent has no Agent/screen_rows to drive", allow_module_level=True)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def capture(agent, now: float, height: int = 30) -> str:
    """What `tmux capture-pane -p` gives: the bottom rows, colours stripped."""
    return ANSI.sub("", "\n".join(screens.screen_rows(agent, agent.width, now)[-height:]))


@pytest.mark.parametrize("flavor", ["codex", "claude"])
def test_every_demo_state_is_recognised(flavor: str) -> None:
    agent = fake.Agent(flavor=flavor, name="demo", log=None, work_seconds=10, context=40)

    def state(now: float) -> State:
        detection = classify(capture(agent, now))
        assert detection.tool == flavor, detection.reason
        return detection.state

    assert state(0) == State.IDLE
    for key in "hello":
        agent.on_key(key, 0)
    assert draft_pending(capture(agent, 0), "hello")
    agent.on_key("enter", 0)
    assert state(1) == State.WORKING
    assert classify(capture(agent, 1)).elapsed_seconds == 1
    agent.tick(30)
    assert state(30) == State.IDLE
    assert classify(capture(agent, 30)).context_left == 35
    agent.submit("run it [approve ls -la]", 31)
    agent.tick(37)
    assert state(37) == State.APPROVAL
    agent.on_key("enter", 38)
    agent.tick(50)
    assert state(50) == State.IDLE
    agent.submit("fail [error]", 51)
    agent.tick(70)
    assert state(70) == State.BLOCKED
    agent.submit("again", 71)
    assert state(72) == State.WORKING
