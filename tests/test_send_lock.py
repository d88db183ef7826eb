"""One writer per pane: concurrent `orchestra send` processes to one agent each arrive once, as
their own prompt, none joined with another; the lock is bounded (a clear refusal, never a hang),
and tmux's wait-for channel (the lock of panes on a host) serialises holders the same way.

A short prompt equal to a piece of the composer's placeholder ("do", "Codex") is confirmed by
the agent's turn starting, after one Enter, not reported failed after four.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.sending.send_gate import SendBusy, SendGate
from orchestra_tui.models import AgentSpec
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.pane_lock import ChannelLock, FileLock, PaneBusy
from tests.tmux_fixtures import REPO, logged_prompts, start_fake_agent, wait_for_prompts

pytestmark = pytest.mark.slow


def _sender(tmux, tmp_path, session: str, text: str) -> subprocess.Popen:
    config = tmp_path / "config.toml"
    config.write_text(f'[[agent]]\nname = "api"\ntool = "codex"\ntarget = "{session}"\n')
    return subprocess.Popen(
        [sys.executable, "-m", "orchestra_tui", "--config", str(config),
         "-L", tmux.runner.socket_name, "send", "api", text],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
             "XDG_DATA_HOME": str(tmp_path / "xdg")})


@pytest.mark.parametrize("senders", [2, 5])
async def test_concurrent_orchestra_sends_each_arrive_once_on_their_own(tmux, tmp_path,
                                                                        senders):
    log = tmp_path / "agent.jsonl"
    session = f"api-{uuid.uuid4().hex[:6]}"
    await start_fake_agent(tmux, "codex", log, session=session, work=0.2)
    texts = [f"prompt number {n} of {senders}, sent at the same time as the others"
             for n in range(senders)]
    processes = [_sender(tmux, tmp_path, session, text) for text in texts]
    outcomes = await asyncio.gather(*(asyncio.to_thread(p.communicate, timeout=90)
                                      for p in processes))
    for process, (out, err) in zip(processes, outcomes):
        assert process.returncode == 0 and out.startswith("sent to api"), err
    prompts = await wait_for_prompts(log, senders, timeout=30)
    assert sorted(prompts) == sorted(texts)  # each once, whole, none joined with another


async def test_a_pane_held_too_long_is_a_clear_refusal(tmux, tmp_path):
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "codex", log, work=0.2)
    held = FileLock(tmp_path / "locks", tmux._server_name)  # another process's holder
    tmux.pane_lock = FileLock(tmp_path / "locks", tmux._server_name, timeout=0.5)
    async with held.hold(pane.pane_id):
        with pytest.raises(SendBusy) as busy:
            await SendGate(tmux).send("api", pane.pane_id, "wait your turn", "codex")
    assert str(busy.value).startswith("api: not sent, another send to pane")
    assert logged_prompts(log) == []
    result = await SendGate(tmux).send("api", pane.pane_id, "now it is free", "codex")
    assert result.delivered and logged_prompts(log) == ["now it is free"]
    assert (tmp_path / "locks").stat().st_mode & 0o777 == 0o700  # private, as the data dir


async def test_the_wait_for_channel_serialises_holders_and_gives_up_cleanly(tmux):
    await tmux.start(["sleep", "60"], session="keep")
    lock = ChannelLock(tmux.runner, timeout=0.5)
    order: list[str] = []

    async def holder(name: str) -> None:
        async with ChannelLock(tmux.runner).hold("%7"):
            order.append(f"{name} in")
            await asyncio.sleep(0.2)
            order.append(f"{name} out")

    await asyncio.gather(holder("a"), holder("b"), holder("c"))
    assert [entry.split()[1] for entry in order] == ["in", "out"] * 3
    async with ChannelLock(tmux.runner).hold("%7"):
        with pytest.raises(PaneBusy):
            async with lock.hold("%7"):
                pass
    # The waiter that gave up let go as soon as it got the lock: the channel is free again.
    async with ChannelLock(tmux.runner, timeout=5).hold("%7"):
        pass


@pytest.mark.parametrize("prompt", ["do", "Codex"])
async def test_a_prompt_inside_the_placeholder_is_confirmed_by_the_turn(tmux, tmp_path, prompt):
    # The codex fake's empty composer reads "Ask Codex to do anything".
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "codex", log, work=1.0)
    store = QueueStore(tmp_path / "data")
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="codex", target=pane.pane_id)],
                  store=store, settings=FleetSettings(idle_debounce=0.3))
    await fleet.refresh()
    result = await fleet.send_now("api", prompt)
    assert (result.delivered, result.uncertain, result.enter_presses) == (True, False, 1)
    assert await wait_for_prompts(log, 1) == [prompt]
