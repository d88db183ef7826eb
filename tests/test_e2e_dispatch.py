"""End to end: real tmux, simulated agents, orchestra's own dispatch.

Three prompts queued to a working agent are each delivered exactly once, in order, each only
after the agent went idle; and an orchestra killed with SIGKILL mid-queue, started again,
delivers the rest with no duplicate and nothing lost.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, QueueItemState
from orchestra_tui.services.store.queues import QueueStore
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, start_fake_agent

pytestmark = pytest.mark.slow


def logged(log) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


async def test_three_queued_prompts_each_delivered_once_in_order_after_idle(tmux, tmp_path):
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "codex", log, session="coder", work=1.5)
    store = QueueStore(tmp_path / "data")
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="coder", tool="codex", target=pane.pane_id)],
                  store=store, settings=FleetSettings(idle_debounce=0.4))
    await fleet.refresh()
    await fleet.send_now("coder", "start the refactor")
    texts = ["first follow-up", "second follow-up", "third follow-up"]
    for text in texts:
        await fleet.enqueue("coder", text)

    async def all_delivered() -> bool:
        await fleet.refresh()
        fleet.dispatch_ready()
        return len(logged(log)) >= 4 and all(
            item.state == QueueItemState.SENT for item in store.items("coder"))

    await async_wait_until(all_delivered, timeout=40, interval=0.1,
                           message="three queued prompts delivered")
    await fleet.wait_for_sends()
    received = logged(log)
    assert [entry["prompt"] for entry in received] == ["start the refactor", *texts]
    # Each queued prompt reached an idle agent: none had to be queued by the agent itself.
    assert [entry["arrived"] for entry in received[1:]] == ["idle", "idle", "idle"]
    # And each after the previous turn (1.5 s of work) was over.
    for before, after in zip(received, received[1:]):
        assert after["at"] - before["at"] >= 1.5


async def _start_orchestra(tmux, tmp_path, config) -> tuple[str, int]:
    env = {"PYTHONPATH": str(REPO), "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
           "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"), "TERM": "xterm-256color"}
    argv = [sys.executable, "-m", "orchestra_tui", "--config", str(config),
            "-L", tmux.runner.socket_name]
    pane = await tmux.start(argv, cwd=str(REPO), session=f"ui-{time.monotonic_ns()}", env=env,
                            width=150, height=40)
    return pane.pane_id, pane.pid


async def test_sigkill_mid_queue_then_restart_delivers_the_rest_once(tmux, tmp_path):
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "claude", log, session="coder", work=1.5)
    config = tmp_path / "config.toml"
    config.write_text(
        '[[agent]]\nname = "coder"\ntool = "claude"\ntarget = "coder"\n'
        '[ui]\nidle_debounce_seconds = 0.4\n')
    data = tmp_path / "xdg-data" / "orchestra"
    store = QueueStore(data)
    store.load()
    texts = [f"follow-up {n}" for n in range(1, 5)]
    await tmux.send_text(pane.pane_id, "start [work 2]")
    for text in texts:
        store.add("coder", text)

    _, pid = await _start_orchestra(tmux, tmp_path, config)

    def between_items() -> bool:
        # Mid-queue, between two sends: the first is on disk as sent and the next not yet
        # claimed. (Killed while a send is in flight, the item is `uncertain` by design and the
        # queue waits for the person; that is the store's crash test, not this one.)
        states = [item.state for item in QueueStore(data).snapshot().of("coder")]
        return states[:2] == [QueueItemState.SENT, QueueItemState.QUEUED]

    async def first_delivered() -> bool:
        return len(logged(log)) >= 2 and between_items()

    await async_wait_until(first_delivered, timeout=40, interval=0.05,
                           message="orchestra delivered the first queued prompt")
    os.kill(pid, signal.SIGKILL)
    delivered_before_kill = len(logged(log))

    await _start_orchestra(tmux, tmp_path, config)

    async def rest_delivered() -> bool:
        return len(logged(log)) >= 1 + len(texts)

    await async_wait_until(rest_delivered, timeout=60, interval=0.2,
                           message="the restarted orchestra delivered the rest")
    prompts = [entry["prompt"] for entry in logged(log)]
    assert prompts == ["start [work 2]", *texts], prompts
    assert delivered_before_kill < len(prompts)

    # The agent has the last one a moment before the store says so; read without `load()`,
    # whose crash recovery would turn the running orchestra's in-flight item `uncertain`.
    def all_sent() -> bool:
        return all(item.state == QueueItemState.SENT
                   for item in QueueStore(data).snapshot().of("coder"))

    await async_wait_until(lambda: asyncio.to_thread(all_sent), timeout=30, interval=0.1,
                           message="every item sent on disk")
    assert len(QueueStore(data).snapshot().of("coder")) == len(texts)
