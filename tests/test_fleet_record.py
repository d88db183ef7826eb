"""What the fleet writes to the journal: nothing when it only looks; each alert once per
occurrence across runs; the person's own interrupt or deny read as theirs, not as a failure.

Real tmux and the simulated agent; each "run" is a new Fleet over the same journal, as a new
orchestra process would be.
"""

from __future__ import annotations

import time

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.guard.guardrails import MERGE_SECONDS
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.helpers import async_wait_until
from tests.tmux_fixtures import is_idle, start_fake_agent, wait_for_prompts, wait_for_screen

pytestmark = pytest.mark.slow


def _fleet(tmux, tmp_path, pane, *, read_only: bool = False, flavor: str = "codex",
           clock=time.time) -> Fleet:
    store = QueueStore(tmp_path / "data")
    store.load()
    return Fleet(tmux, [AgentSpec(name="infra", tool=flavor, target=pane.pane_id)],
                 store=store, journal=Journal(tmp_path / "data" / "journal.jsonl"),
                 settings=FleetSettings(idle_debounce=0.3, context_warn=20),
                 read_only=read_only, clock=clock)


async def _settled(fleet: Fleet) -> None:
    for _ in range(3):
        await fleet.refresh()
    await _drain(fleet)


async def _drain(fleet: Fleet) -> None:
    # Journal writes run as background tasks of the tick: let them finish.
    await fleet.settle()


async def test_looking_writes_nothing(tmux, tmp_path):
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "codex", log, context=12)
    await tmux.send_text(pane.pane_id, "[print kubectl apply -f k8s/] deploy")
    await wait_for_prompts(log, 1)
    await wait_for_screen(tmux, pane.pane_id, is_idle("codex"))
    journal = tmp_path / "data" / "journal.jsonl"
    for _ in range(10):  # ten `orchestra status` calls
        fleet = _fleet(tmux, tmp_path, pane, read_only=True)
        snapshot = await fleet.refresh()
        await _drain(fleet)
        view = snapshot.get("infra")
        assert view.status.state is State.IDLE
        # It still shows what it sees: the low context and the forbidden command on screen.
        assert any(alert.startswith("context ") for alert in view.status.alerts)
        assert any("kubectl apply" in alert for alert in view.status.alerts)
    assert not journal.exists() or journal.read_text() == ""


async def test_each_alert_is_raised_once_across_runs_including_one_on_screen_at_start(
        tmux, tmp_path):
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "codex", log, context=12)
    # It ran before any orchestra was watching: on screen at start-up.
    await tmux.send_text(pane.pane_id, "[print terraform destroy] tidy up")
    await wait_for_prompts(log, 1)
    await wait_for_screen(tmux, pane.pane_id, is_idle("codex"))
    journal = Journal(tmp_path / "data" / "journal.jsonl")

    first = _fleet(tmux, tmp_path, pane)
    await _settled(first)
    alerts = journal.read(events=("alert",))
    assert sorted(entry["kind"] for entry in alerts) == ["context", "forbid"]
    assert "terraform destroy" in next(e["text"] for e in alerts if e["kind"] == "forbid")

    # Its clock can be moved on: past the merge window below.
    later = [0.0]
    for _ in range(3):  # orchestra started again, three times: nothing raised again
        again = _fleet(tmux, tmp_path, pane, clock=lambda: time.time() + later[0])
        await _settled(again)
        assert any("terraform destroy" in a for a in again.snapshot.get("infra").status.alerts)
    assert len(journal.read(events=("alert",))) == 2

    # A new occurrence of the same command, past the window in which one command drawn twice
    # (dialog, then "Ran") counts once, is a new alert, raised once.
    later[0] = 2 * MERGE_SECONDS
    await tmux.send_text(pane.pane_id, "[print terraform destroy] once more")
    await wait_for_prompts(log, 2)

    async def raised() -> bool:
        await again.refresh()
        await _drain(again)
        return len(journal.read(events=("alert",))) == 3

    await async_wait_until(raised, timeout=15, message="the second occurrence raised")
    await _settled(again)
    assert len(journal.read(events=("alert",))) == 3


async def test_the_persons_interrupt_reads_idle_and_holds_the_queue(tmux, tmp_path):
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "codex", log, work=30)
    fleet = _fleet(tmux, tmp_path, pane)
    await fleet.enqueue("infra", "the next task")
    await fleet.refresh()
    await fleet.send_now("infra", "a long job")

    async def working() -> bool:
        return (await fleet.refresh()).get("infra").status.state is State.WORKING

    await async_wait_until(working, timeout=15, message="working")
    await fleet.interrupt("infra")

    async def stopped() -> bool:
        view = (await fleet.refresh()).get("infra")
        return view.status.state is State.IDLE and "by you" in view.status.reason

    await async_wait_until(stopped, timeout=15, message="idle, interrupted by you")
    view = fleet.snapshot.get("infra")
    assert view.paused and view.held
    for _ in range(4):
        await fleet.refresh()
        assert fleet.dispatch_ready() == []
    assert [entry["prompt"] for entry in _logged(log)] == ["a long job"]
    assert [e["event"] for e in fleet.journal.read(events=("interrupt",))] == ["interrupt"]


async def test_an_interrupt_pressed_in_the_agents_own_pane_holds_the_queue_too(tmux, tmp_path):
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "claude", log, work=30)
    fleet = _fleet(tmux, tmp_path, pane, flavor="claude")
    await fleet.enqueue("infra", "the next task")
    await fleet.refresh()
    await fleet.send_now("infra", "a long job")

    async def working() -> bool:
        return (await fleet.refresh()).get("infra").status.state is State.WORKING

    await async_wait_until(working, timeout=15, message="working")
    # The person, attached to the pane, presses Esc there: orchestra did not do it.
    await tmux.run("send-keys", "-t", pane.pane_id, "Escape")

    async def stopped() -> bool:
        view = (await fleet.refresh()).get("infra")
        return view.status.state is State.IDLE and "by you" in view.status.reason

    await async_wait_until(stopped, timeout=15, message="idle, interrupted by you")

    async def held() -> bool:
        return (await fleet.refresh()).get("infra").paused

    await async_wait_until(held, timeout=15, message="its queue held")
    for _ in range(4):
        await fleet.refresh()
        assert fleet.dispatch_ready() == []
    await fleet.wait_for_sends()
    assert [entry["prompt"] for entry in _logged(log)] == ["a long job"]
    assert [e.get("where") for e in fleet.journal.read(events=("interrupt",))] == ["pane"]


def _logged(log):
    import json

    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


async def test_orchestra_status_called_again_and_again_writes_nothing(tmux, tmp_path):
    import json
    import subprocess
    import sys

    from tests.tmux_fixtures import REPO

    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "codex", log, context=12, session="infra")
    await tmux.send_text(pane.pane_id, "[print terraform destroy] tidy up")
    await wait_for_prompts(log, 1)
    await wait_for_screen(tmux, pane.pane_id, is_idle("codex"))
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "infra"\ntool = "codex"\ntarget = "infra"\n')
    data = tmp_path / "data"
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-m", "orchestra_tui", "status", "--json", "--config", str(config),
             "-L", tmux.runner.socket_name, "--data-dir", str(data)],
            capture_output=True, text=True, cwd=REPO, timeout=60,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
        assert done.returncode == 0, done.stderr
        [row] = json.loads(done.stdout)
        assert (row["state"], row["source"]) == ("idle", "screen")
        assert any("terraform destroy" in alert for alert in row["alerts"])
    journal = data / "journal.jsonl"
    assert not journal.exists() or journal.read_text() == ""


def test_a_command_beside_the_app_leaves_a_prompt_being_sent_alone(tmp_path):
    """Crash recovery (`sending` found at start-up becomes `uncertain`) is the app's alone: a
    `status` or `send` run while the app is mid-send must not turn its item uncertain."""
    import subprocess
    import sys

    from orchestra_tui.models import QueueItemState
    from tests.tmux_fixtures import REPO

    data = tmp_path / "data"
    store = QueueStore(data)
    item = store.add("infra", "deploy the docs")
    store.mark_sending(item.id)
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "infra"\ntool = "codex"\ntarget = "infra"\n')
    for command in (["status", "--json"], ["send", "infra", "hi", "--queue"]):
        subprocess.run([sys.executable, "-m", "orchestra_tui", *command, "--config", str(config),
                        "-L", "orch-test-none", "--data-dir", str(data)],
                       capture_output=True, text=True, cwd=REPO, timeout=60,
                       env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    assert QueueStore(data).get(item.id).state == QueueItemState.SENDING


async def test_one_shot_commands_journal_a_state_only_when_it_changed(tmux, tmp_path):
    """Each `orchestra send`-like run is a new fleet that writes; one that finds the agent as
    the journal last left it records no `state` line (it wrote one per agent per call)."""
    pane = await start_fake_agent(tmux, "codex", tmp_path / "agent.jsonl")
    for _ in range(4):
        await _settled(_fleet(tmux, tmp_path, pane))
    journal = Journal(tmp_path / "data" / "journal.jsonl")
    assert [e["state"] for e in journal.read(events=("state",))] == ["idle"]
    await tmux.send_text(pane.pane_id, "take a while [work 5]")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "esc to interrupt" in s,
                          message="working")
    for _ in range(2):
        await _settled(_fleet(tmux, tmp_path, pane))
    assert [e["state"] for e in journal.read(events=("state",))] == ["idle", "working"]


async def test_for_counts_from_when_the_state_began_not_from_the_look(tmux, tmp_path):
    pane = await start_fake_agent(tmux, "codex", tmp_path / "agent.jsonl")
    first = _fleet(tmux, tmp_path, pane)
    await _settled(first)
    began = first.current().get("infra").status.since
    later = _fleet(tmux, tmp_path, pane)
    for _ in range(3):  # the first look and the ticks after it keep the journal's start
        status = (await later.refresh()).get("infra").status
        assert (status.state, status.since) == (State.IDLE, began)
