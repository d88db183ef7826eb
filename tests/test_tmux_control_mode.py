"""ControlModeRunner against a real tmux server: the poll loop's reads through one `tmux -C`
client give the same answers as a tmux process each, and anything else still runs as a process."""

from __future__ import annotations

import asyncio
import pathlib

import pytest

from orchestra_tui.errors import TmuxCommandError, TmuxUnavailable
from orchestra_tui.services.tmux.args import control_line, is_poll_only
from orchestra_tui.services.tmux.service import ControlModeRunner, TmuxService
from tests.helpers import async_wait_until
from tests.tmux_fixtures import CountingRunner, wait_for_screen


@pytest.fixture
async def control(tmux: TmuxService):
    service = TmuxService(ControlModeRunner(tmux.runner))
    yield service
    await service.aclose()


def test_only_reads_go_through_control_mode():
    assert is_poll_only(["list-panes", "-a", "-F", "#{pane_id}"])
    assert is_poll_only(["capture-pane", "-p", "-t", "%1", ";", "display-message", "-p", "x"])
    assert not is_poll_only(["display-message", "hello"])  # shows on "the current client"
    assert not is_poll_only(["capture-pane", "-p", ";", "send-keys", "-t", "%1", "y"])
    assert not is_poll_only(["switch-client", "-t", "%1"])
    assert control_line(["display-message", "-p", "it's", ";", "x\\;"]) == (
        "'display-message' '-p' 'it'\\''s' ; 'x;'")


async def test_same_answers_as_a_process_and_far_fewer_processes(
        tmux: TmuxService, control: TmuxService, tmp_path: pathlib.Path):
    panes = [await tmux.start(f"printf 'pane {n}\\n\\033[1mbold\\033[0m it'\\''s; $HOME #{{x}}"
                              f"\\n'; exec cat", session="ctl", cwd=str(tmp_path))
             for n in range(3)]
    await wait_for_screen(tmux, panes[-1].pane_id, lambda s: "bold" in s)
    ids = [p.pane_id for p in panes]
    assert isinstance(tmux.runner, CountingRunner)
    for options in ({}, {"ansi": True}, {"history": 10}):
        expected = await tmux.capture(ids, **options)
        tmux.runner.calls.clear()
        assert await control.capture(ids + ["%999"], **options) == expected
        assert await control.capture(ids, **options) == expected
        assert all(call[0] != "capture-pane" for call in tmux.runner.calls)
    assert await control.list_panes() == await tmux.list_panes()
    tmux.runner.calls.clear()
    for _ in range(5):
        await asyncio.gather(control.list_panes(), control.capture(ids))
    assert tmux.runner.calls == []  # ten reads, no tmux process
    assert control.runner.control_commands >= 10

    await control.send_keys(ids[0], "x", "Enter")  # a write: a tmux process, as before
    assert tmux.runner.calls[-1][0] == "send-keys"
    await wait_for_screen(control, ids[0], lambda s: s.count("x") >= 2)
    with pytest.raises(TmuxCommandError, match="can't find"):
        await control.run("capture-pane", "-p", "-t", "%999")


async def test_falls_back_when_its_session_or_server_goes(
        tmux: TmuxService, control: TmuxService, tmp_path: pathlib.Path):
    first = await tmux.start("cat", session="first", cwd=str(tmp_path))
    second = await tmux.start("cat", session="second", cwd=str(tmp_path))
    assert len(await control.list_panes()) == 2
    await tmux.kill_pane(first.pane_id)  # the session the control client attached to
    assert [p.pane_id for p in await control.list_panes()] == [second.pane_id]
    control.runner._next_try = 0.0  # retry at once instead of after retry_after
    assert [p.pane_id for p in await control.list_panes()] == [second.pane_id]

    await tmux.kill_server()
    with pytest.raises(TmuxUnavailable):
        await control.list_panes()
    with pytest.raises(TmuxUnavailable):
        await control.capture([second.pane_id])


async def test_no_session_means_plain_processes(control: TmuxService):
    with pytest.raises(TmuxUnavailable):
        await control.list_panes()
    pane = await control.start("cat", session="late")
    control.runner._next_try = 0.0
    assert [p.pane_id for p in await control.list_panes()] == [pane.pane_id]
    assert control.runner.control_commands >= 1


async def test_both_runners_say_the_same_about_the_same_failure(tmux: TmuxService,
                                                                control: TmuxService):
    """One error mapping (`raise_for_result`): a process and the control client name the
    command and tmux's reason alike."""
    await tmux.start("cat", session="one")
    await control.list_panes()  # the control client is up
    messages = []
    for service in (tmux, control):
        with pytest.raises(TmuxCommandError) as caught:
            await service.run("capture-pane", "-p", "-t", "%999")
        messages.append(str(caught.value))
    assert control.runner.control_commands >= 2
    assert messages[0] == messages[1] and messages[0].startswith("tmux capture-pane: can't find")


@pytest.mark.parametrize("name", ["orchestra_tui.services.tmux.args",
                                  "orchestra_tui.services.tmux.runner"])
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted and result.failed == 0


async def test_the_fleet_says_once_that_its_control_client_died_and_loses_nothing(
        tmux: TmuxService, control: TmuxService, tmp_path: pathlib.Path):
    import os
    import signal

    from orchestra_tui.core.fleet.fleet import Fleet
    from orchestra_tui.models import AgentSpec, State
    from tests.tmux_fixtures import start_fake_agent

    pane = await start_fake_agent(tmux, "codex", tmp_path / "agent.jsonl", session="api")
    fleet = Fleet(control, [AgentSpec(name="api", tool="codex", target=pane.pane_id)])
    first = await fleet.refresh()
    assert first.get("api").status.state is State.IDLE and first.tmux_notice is None
    assert control.runner.client_pid is not None
    os.kill(control.runner.client_pid, signal.SIGKILL)

    async def fell_back():
        return (await fleet.refresh()).tmux_notice

    notice = await async_wait_until(fell_back, message="the fallback said")
    assert "tmux control client lost" in notice
    assert fleet.snapshot.get("api").status.state is State.IDLE  # read through processes
    control.runner._next_try = 0.0  # reconnect now instead of after retry_after
    await fleet.refresh()
    again = await fleet.refresh()
    assert again.tmux_notice is None and control.runner.client_pid is not None
