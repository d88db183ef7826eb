"""The queue sends its next prompt only after the previous prompt's turn ended (issue 20,
item 5).

Right after a send a real agent still reads idle for a moment: the prompt is echoed, the
composer is empty, and its working row has not appeared yet. A queue that took that for "idle,
send the next one" would stack prompts into one turn. Real tmux, orchestra's own fleet and
dispatch, and `tests/programs/slow_start.py`, an agent that shows its turn a second late and
logs whether each prompt found it idle.
"""

from __future__ import annotations

import json
import pathlib
import sys
import uuid

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, QueueItemState
from orchestra_tui.services.store.queues import QueueStore
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, wait_for_screen

pytestmark = pytest.mark.slow

SLOW_START = pathlib.Path(__file__).parent / "programs" / "slow_start.py"
START_SECONDS, WORK_SECONDS = 1.0, 1.0
# Longer than the agent's delay in showing its turn: a screen still that long after a send is
# not "a reply too fast to see", so only the turn itself lets the queue go on.
IDLE_DEBOUNCE = 2.5


def _received(log: pathlib.Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text("utf-8").splitlines() if line.strip()]


async def test_the_next_queued_prompt_waits_for_the_previous_turn_to_end(tmux, tmp_path):
    log = tmp_path / "agent.jsonl"
    pane = await tmux.start([sys.executable, str(SLOW_START), str(log), str(START_SECONDS),
                             str(WORK_SECONDS)], cwd=str(REPO),
                            session=f"coder-{uuid.uuid4().hex[:6]}", width=100, height=30)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Ask Codex to do anything" in s)
    store = QueueStore(tmp_path / "data")
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="coder", tool="codex", target=pane.pane_id)],
                  store=store, settings=FleetSettings(idle_debounce=IDLE_DEBOUNCE))
    await fleet.refresh()
    texts = ["first task", "second task", "third task"]
    for text in texts:
        await fleet.enqueue("coder", text)

    async def all_sent() -> bool:
        await fleet.refresh()
        fleet.dispatch_ready()
        return len(_received(log)) >= len(texts) and all(
            item.state == QueueItemState.SENT for item in store.items("coder"))

    await async_wait_until(all_sent, timeout=60, interval=0.1,
                           message="the queued prompts delivered")
    await fleet.wait_for_sends()
    received = _received(log)
    assert [entry["prompt"] for entry in received] == texts
    assert [entry["arrived"] for entry in received] == ["idle", "idle", "idle"], (
        "a queued prompt was sent before the previous prompt's turn ended: "
        f"{[(entry['prompt'], entry['arrived']) for entry in received]}")
    for before, after in zip(received, received[1:]):
        assert after["at"] - before["at"] >= START_SECONDS + WORK_SECONDS
