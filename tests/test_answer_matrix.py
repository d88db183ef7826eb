"""`y` and `n` in the person's hands, in every way orchestra can know of a dialog: the real app
(Pilot) over a real fleet, a Claude-like agent in a real tmux pane that opens a permission
dialog, its state known from the screen alone, from hooks that write orchestra's hook log (as
`orchestra hooks install` sets up), or from hooks that mark the pane (as orchestra starts agents
on a host); the agent here or on a host over a real sshd.

The bug this matrix exists for: with hooks the fleet showed the hook's reason
("hook: PermissionRequest (Bash)") and the answer path compared that display text with the
screen's, so `y` never answered. The dialog is now identified by a typed key.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest

from orchestra_tui.agents import classify
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.hooks.log import HookLog, append_event
from orchestra_tui.services.hooks.tools import HookProgram
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.hosts import HostRouter
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from tests.helpers import pilot_wait_until
from tests.ssh_fixtures import SSHD, host_service
from tests.tmux_fixtures import MARK_HOOK, REPO, fake_agent_argv, screen, wait_for_screen

pytestmark = pytest.mark.slow

KNOWLEDGE = ("screen", "hook_log", "pane_mark")


def _hook_command(knowledge: str, data) -> str:
    if knowledge == "hook_log":
        return HookProgram(data_dir=data, config=data / "config.toml").shell("claude")
    return MARK_HOOK if knowledge == "pane_mark" else ""


async def _agent_in_dialog(tmux, tmp_path, knowledge: str):
    data = tmp_path / "data"
    argv = fake_agent_argv("claude", tmp_path / "agent.jsonl", work=0.3)
    if hook := _hook_command(knowledge, data):
        argv += ["--hook", hook]
    pane = await tmux.start(argv, cwd=str(REPO), session="api", width=110, height=32,
                            env={"PYTHONPATH": str(REPO)})
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    await tmux.send_text(pane.pane_id, "clean up [approve terraform destroy]")
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, "claude").state is State.APPROVAL,
                          message="the permission dialog")
    return pane, data


def _fleet(service, data, knowledge: str, host: str = "") -> Fleet:
    store = QueueStore(data)
    store.load()
    spec = AgentSpec(name="api", tool="claude", target="api", host=host)
    return Fleet(service, [spec], store=store, journal=Journal(data / "journal.jsonl"),
                 hooks=HookLog(data) if knowledge != "screen" else None,
                 settings=FleetSettings(idle_debounce=0.3))


async def _press_and_check(fleet: Fleet, agent_tmux, pane_id: str, key: str,
                           knowledge: str) -> None:
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1, bell=False))
    expected_source = "screen" if knowledge == "screen" else "hook"
    async with app.run_test(size=(120, 35)) as pilot:
        def shown() -> bool:
            view = app.snapshot.get("api")
            return (view is not None and view.status.state is State.APPROVAL
                    and view.status.source == expected_source)

        await pilot_wait_until(pilot, shown, timeout=30,
                               message=f"api in approval from its {expected_source}")
        await pilot.press(key)
        event = "approval" if key == "y" else "denial"
        await pilot_wait_until(pilot, lambda: fleet.journal.read(events=(event,)), timeout=20,
                               message=f"the {event} journaled")
    await wait_for_screen(agent_tmux, pane_id,
                          lambda s: classify(s, "claude").state is not State.APPROVAL,
                          message="the dialog answered")
    text = await screen(agent_tmux, pane_id)
    if key == "y":
        assert "(No content)" in text  # the approved command ran
    else:
        assert "(No content)" not in text
    assert fleet.journal.read(events=("approval" if key == "n" else "denial",)) == []


@pytest.mark.parametrize("key", ["y", "n"])
@pytest.mark.parametrize("knowledge", KNOWLEDGE)
async def test_y_and_n_answer_the_dialog_here(tmux, tmp_path, knowledge, key):
    pane, data = await _agent_in_dialog(tmux, tmp_path, knowledge)
    fleet = _fleet(tmux, data, knowledge)
    await _press_and_check(fleet, tmux, pane.pane_id, key, knowledge)


@pytest.mark.skipif(SSHD is None, reason="OpenSSH server (sshd) is not installed")
@pytest.mark.parametrize("key", ["y", "n"])
@pytest.mark.parametrize("knowledge", ["screen", "pane_mark"])
async def test_y_and_n_answer_the_dialog_of_an_agent_on_a_host(
        tmux, remote_tmux, ssh_host, tmp_path, knowledge, key):
    pane, data = await _agent_in_dialog(remote_tmux, tmp_path, knowledge)
    router = HostRouter(tmux, {"gpu": host_service(ssh_host, remote_tmux)}, deadline=10.0,
                        first_deadline=30.0, stale_after=30.0)
    try:
        fleet = _fleet(router, data, knowledge, host="gpu")
        await _press_and_check(fleet, remote_tmux, pane.pane_id, key, knowledge)
    finally:
        await router.aclose()


async def test_a_dialog_known_from_a_hook_alone_is_answered_until_a_newer_one_opens(
        tmux, tmp_path):
    """The hook told of the dialog before the screen drew it: the person was shown the hook's
    event. `y` answers the dialog the screen then shows, but not once a newer permission
    request came in (another dialog)."""
    data = tmp_path / "data"
    argv = fake_agent_argv("claude", tmp_path / "agent.jsonl", work=0.3)
    pane = await tmux.start(argv, cwd=str(REPO), session="api", width=110, height=32,
                            env={"PYTHONPATH": str(REPO)})
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    fleet = _fleet(tmux, data, "hook_log")
    socket = await tmux.server_socket()

    def event(name: str) -> None:
        append_event(data, pane.pane_id, {"at": time.time(), "event": name, "tool": "claude",
                                          "pane": pane.pane_id, "detail": "Bash",
                                          "tmux": socket})

    event("PermissionRequest")
    status = (await fleet.refresh()).get("api").status
    assert (status.state, status.source) == (State.APPROVAL, "hook")
    shown = status.dialog_key
    assert shown is not None and not shown.from_screen  # the screen shows no dialog yet

    await tmux.send_text(pane.pane_id, "clean up [approve terraform destroy]")
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, "claude").state is State.APPROVAL)
    await asyncio.sleep(0.01)  # a later event time than the first (the clock's resolution)
    event("PermissionRequest")
    await fleet.refresh()
    with pytest.raises(OrchestraError, match="dialog changed"):
        await fleet.answer("api", True, seen=shown)
    newer = (await fleet.refresh()).get("api").status.dialog_key
    await fleet.answer("api", True, seen=newer)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "(No content)" in s,
                          message="the approved command ran")


async def test_a_moved_highlight_is_the_same_dialog_and_another_command_is_not(tmux, tmp_path):
    pane, data = await _agent_in_dialog(tmux, tmp_path, "screen")
    fleet = _fleet(tmux, data, "screen")
    shown = (await fleet.refresh()).get("api").status.dialog_key
    assert shown is not None and shown.from_screen
    assert "terraform destroy" in shown.subject  # the command it asks about is its identity
    other = replace(shown, subject=shown.subject.replace("terraform destroy", "rm -rf build"))
    with pytest.raises(OrchestraError, match="dialog changed"):
        await fleet.answer("api", True, seen=other)
    await fleet.answer("api", True, seen=shown)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "(No content)" in s,
                          message="the approved command ran")


async def test_an_answer_waits_for_the_pane_s_writer(tmux, tmp_path):
    """One writer per pane: while a send holds the pane (here, the test holds its lock as a
    send would), `y` waits its turn instead of pressing keys into the text going in."""
    pane, data = await _agent_in_dialog(tmux, tmp_path, "screen")
    fleet = _fleet(tmux, data, "screen")
    shown = (await fleet.refresh()).get("api").status.dialog_key
    held, release = asyncio.Event(), asyncio.Event()

    async def a_send_in_progress() -> None:
        async with fleet.gate.holding("api", pane.pane_id):
            held.set()
            await release.wait()

    holder = asyncio.create_task(a_send_in_progress())
    await asyncio.wait_for(held.wait(), timeout=15)
    answer = asyncio.create_task(fleet.answer("api", True, seen=shown))
    done, _ = await asyncio.wait({answer}, timeout=1.0)
    assert not done  # still waiting for the writer
    assert classify(await screen(tmux, pane.pane_id), "claude").state is State.APPROVAL
    release.set()
    await holder
    await answer
    await wait_for_screen(tmux, pane.pane_id, lambda s: "(No content)" in s,
                          message="approved once the writer let go")


@pytest.mark.parametrize("swallowed", [0, 1])
async def test_an_enter_the_dialog_did_not_take_is_pressed_once_more(tmux, tmp_path, swallowed):
    """A CLI still binding its dialog's keys drops an Enter pressed the instant the dialog is
    drawn (seen with the real Claude Code under load): when the very same screen is still up
    after the press, orchestra presses once more; an Enter that landed is never repeated."""
    data = tmp_path / "data"
    argv = fake_agent_argv("claude", tmp_path / "agent.jsonl", work=0.3)
    argv += ["--swallow-answers", str(swallowed)]
    pane = await tmux.start(argv, cwd=str(REPO), session="api", width=110, height=32,
                            env={"PYTHONPATH": str(REPO)})
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    await tmux.send_text(pane.pane_id, "clean up [approve terraform destroy]")
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, "claude").state is State.APPROVAL,
                          message="the permission dialog")
    fleet = _fleet(tmux, data, "screen")
    await fleet.refresh()
    await fleet.answer("api", approve=True)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "(No content)" in s,
                          message="the approved command ran")
    await fleet.settle()
    [entry] = fleet.journal.read(events=("approval",))
    assert entry["keys"] == ["Enter"] * (1 + swallowed)
