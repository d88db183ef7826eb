"""`orchestra watch`: the app's away watch without the app, as a real process over a real tmux
server with the simulated agent and an ntfy stand-in on loopback. One process acts at a time
(the data dir's away lock): beside the app, one push, not two; the watch killed, the app takes
over; signals end it cleanly; a lock it cannot use is one line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from orchestra_tui.agents import classify
from orchestra_tui.services.store.app_lock import AWAY_LOCK_NAME, AppLock
from orchestra_tui.services.store.journal import Journal
from tests.helpers import async_wait_until
from tests.ntfy_standin import NtfyStandIn
from tests.tmux_fixtures import REPO, fake_agent_argv, logged_prompts, wait_for_screen
from tests.watch_process import WatchProcess, watch_config

pytestmark = pytest.mark.slow

AGENT = 'name = "api"\ntool = "claude"\ntarget = "api"\n'


async def _agent(tmux, tmp_path: Path):
    log = tmp_path / "agent.jsonl"
    argv = fake_agent_argv("claude", log, work=0.3, extra=("--bold-prompt",))
    pane = await tmux.start(argv, cwd=str(REPO), session="api", width=110, height=32,
                            env={"PYTHONPATH": str(REPO)})
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    return pane, log


def _journal(data: Path, *events: str) -> list[dict]:
    return Journal(data / "journal.jsonl").read(events=events or None)


async def test_watch_pushes_a_usage_limit_and_resumes_it_at_its_reset(tmux, tmp_path):
    pane, log = await _agent(tmux, tmp_path)
    data, clock = tmp_path / "data", tmp_path / "clock"
    clock.write_text("0")
    with NtfyStandIn() as ntfy:
        config = watch_config(tmp_path / "config.toml", port=ntfy.port,
                              agents=f"[[agent]]\n{AGENT}resume_after_limit = true\n")
        watch = WatchProcess(config, data, tmux.runner.socket_name, clock_file=clock)
        try:
            await watch.said("acting while you are away")
            await tmux.send_text(pane.pane_id, "migrate [limit]")
            await wait_for_screen(tmux, pane.pane_id,
                                  lambda s: classify(s, "claude").limit == "usage limit")
            # The watch saw the limit: its push reached the phone (ntfy), with the reset.
            await async_wait_until(lambda: _now(len(ntfy.messages) == 1), timeout=10)
            pushed = ntfy.messages[0]
            assert pushed.topic == "orchestra-away" and "resets" in pushed.message
            assert logged_prompts(log) == ["migrate [limit]"]  # not before the reset

            clock.write_text(str(86400 + 120))  # a day on: the reset and its jitter passed
            await async_wait_until(lambda: _now(len(logged_prompts(log)) == 2), timeout=15)
            assert logged_prompts(log) == ["migrate [limit]", "continue"]
            await watch.said("resumed after its usage limit")
        finally:
            code, stderr = watch.stop(signal.SIGTERM)
    assert code == 0, stderr
    assert watch.lines[-1].endswith("stopped")
    resumes = _journal(data, "limit_resume")
    assert [(e["agent"], e["by"]) for e in resumes] == [("api", f"watch:{watch.pid}")]
    assert [e["by"] for e in _journal(data, "notify")] == [f"watch:{watch.pid}"]
    assert ntfy.rejected == [] and len(ntfy.messages) == 1
    assert AppLock(data, AWAY_LOCK_NAME).acquire()  # let go at its exit


async def _now(value):
    return value


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
async def test_watch_ends_cleanly_on_each_signal(tmp_path, number):
    data = tmp_path / "data"
    config = watch_config(tmp_path / "config.toml", agents=f"[[agent]]\n{AGENT}")
    watch = WatchProcess(config, data, f"watch-{uuid.uuid4().hex[:8]}")
    await watch.said("acting while you are away")
    await async_wait_until(lambda: _now(_journal(data, "away_duty")))
    started = time.monotonic()
    code, stderr = watch.stop(number)
    assert code == 0 and stderr == "", stderr
    assert time.monotonic() - started < 10
    assert watch.lines[-1].endswith("stopped")
    assert AppLock(data, AWAY_LOCK_NAME).acquire()
    assert _journal(data, "away_duty")[0]["by"] == f"watch:{watch.pid}"


def test_a_lock_file_that_cannot_be_used_is_one_line(tmp_path):
    data = tmp_path / "data"
    (data / AWAY_LOCK_NAME).mkdir(parents=True)  # a directory where the lock file goes
    config = watch_config(tmp_path / "config.toml")
    done = subprocess.run([sys.executable, "-m", "orchestra_tui", "watch", "--config",
                           str(config), "--data-dir", str(data), "-L",
                           f"watch-{uuid.uuid4().hex[:8]}"],
                          capture_output=True, text=True, cwd=str(REPO), timeout=60)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "away.lock: cannot open the lock file" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


async def test_a_garbled_lock_file_is_taken_over(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / AWAY_LOCK_NAME).write_bytes(b"\xff\xfe garbage \x00\n-7 ../../etc\n")
    config = watch_config(tmp_path / "config.toml")
    watch = WatchProcess(config, data, f"watch-{uuid.uuid4().hex[:8]}")
    try:
        await watch.said("acting while you are away")
        assert AppLock(data, AWAY_LOCK_NAME).holder_info() == (watch.pid, "watch")
    finally:
        code, stderr = watch.stop()
    assert code == 0, stderr


def test_a_stale_holder_pid_in_the_lock_file_is_no_holder(tmp_path):
    """A file naming a process long gone (its lock went with it) keeps nobody out."""
    data = tmp_path / "data"
    data.mkdir()
    (data / AWAY_LOCK_NAME).write_text("999999 watch\n")
    lock = AppLock(data, AWAY_LOCK_NAME, role="app")
    assert lock.acquire()
    assert json.dumps(lock.holder_info()) == json.dumps([__import__("os").getpid(), "app"])
    lock.release()


# -- the app and `orchestra watch` together ----------------------------------------------------


def _looking(data: Path) -> str:
    told = data / "looking" / str(__import__("os").getpid())
    return told.read_text() if told.exists() else ""


def _app(tmux, tmp_path: Path, port: int):
    from orchestra_tui.bootstrap import Boot, build_app
    from orchestra_tui.config import parse_config

    config = watch_config(tmp_path / "config.toml", port=port,
                          agents=f'[ui]\npoll_seconds = 0.2\n\n[[agent]]\n{AGENT}')
    booted = Boot(parse_config(config.read_text(), config), data_dir=tmp_path / "data",
                  socket_name=tmux.runner.socket_name, long_lived=True)
    return booted, build_app(booted), config


async def _state(data: Path, state: str, after: float = 0.0) -> bool:
    return any(e.get("state") == state and e["at"] >= after for e in _journal(data, "state"))


async def test_app_and_watch_together_push_once_and_none_while_the_app_is_focused(
        tmux, tmp_path):
    from textual import events

    from tests.helpers import pilot_wait_until

    pane, _log = await _agent(tmux, tmp_path)
    data = tmp_path / "data"
    with NtfyStandIn() as ntfy:
        booted, app, config = None, None, watch_config(
            tmp_path / "config.toml", port=ntfy.port, agents=f"[[agent]]\n{AGENT}")
        watch = WatchProcess(config, data, tmux.runner.socket_name)
        try:
            await watch.said("acting while you are away")
            booted, app, _ = _app(tmux, tmp_path, ntfy.port)
            assert any(f"`orchestra watch` (pid {watch.pid}) acts while you are away" in n
                       for n in app.startup_notices), app.startup_notices
            async with app.run_test(size=(120, 40)) as pilot:
                app.post_message(events.AppFocus())
                await pilot_wait_until(pilot, lambda: _looking(data) == "1")
                await tmux.send_text(pane.pane_id, "clean up [approve terraform destroy]")
                await async_wait_until(lambda: _state(data, "approval"), timeout=15)
                await pilot.pause(3.0)  # longer than a push takes (2 s): none came
                assert ntfy.messages == []  # the person looks at the app

                await booted.fleet.answer("api", True)
                app.post_message(events.AppBlur())
                await pilot_wait_until(pilot, lambda: _looking(data) == "0")
                await async_wait_until(lambda: _state(data, "idle", time.time() - 1), 15)
                asked = time.time()
                await tmux.send_text(pane.pane_id, "tidy [approve rm -rf build]")
                await async_wait_until(lambda: _state(data, "approval", asked), timeout=15)
                await pilot_wait_until(pilot, lambda: len(ntfy.messages) == 1, timeout=2.0)
                await pilot.pause(3.0)  # both processes ticked many times since: still one
            assert len(ntfy.messages) == 1, ntfy.messages
            assert "rm -rf build" in ntfy.messages[0].message
        finally:
            code, stderr = watch.stop()
            if booted is not None:
                await booted.aclose()
    assert code == 0, stderr
    told = _journal(data, "notify")
    assert [(e["by"], e["ok"]) for e in told] == [(f"watch:{watch.pid}", True)]
    assert ntfy.rejected == []


async def test_the_watch_killed_the_app_takes_over(tmux, tmp_path):
    from textual import events

    from tests.helpers import pilot_wait_until

    pane, _log = await _agent(tmux, tmp_path)
    data = tmp_path / "data"
    me = __import__("os").getpid()
    with NtfyStandIn() as ntfy:
        config = watch_config(tmp_path / "config.toml", port=ntfy.port,
                              agents=f"[[agent]]\n{AGENT}")
        watch = WatchProcess(config, data, tmux.runner.socket_name)
        booted = None
        try:
            await watch.said("acting while you are away")
            booted, app, _ = _app(tmux, tmp_path, ntfy.port)
            async with app.run_test(size=(120, 40)) as pilot:
                app.post_message(events.AppBlur())
                await pilot_wait_until(pilot, lambda: _looking(data) == "0")
                watch.kill()  # SIGKILL: nothing of its own clean-up runs
                await pilot_wait_until(pilot, lambda: [
                    e for e in _journal(data, "away_duty") if e["by"] == f"app:{me}"],
                    timeout=10)
                asked = time.time()
                await tmux.send_text(pane.pane_id, "tidy [approve rm -rf build]")
                await async_wait_until(lambda: _state(data, "approval", asked), timeout=15)
                await pilot_wait_until(pilot, lambda: len(ntfy.messages) == 1, timeout=2.0)
                await pilot.pause(1.0)
        finally:
            if watch.process.poll() is None:
                watch.kill()
            if booted is not None:
                await booted.aclose()
    assert watch.process.returncode == -signal.SIGKILL
    duty = _journal(data, "away_duty")
    assert [(e["by"], e["took_over"]) for e in duty] == [
        (f"watch:{watch.pid}", False), (f"app:{me}", True)]
    assert [e["by"] for e in _journal(data, "notify")] == [f"app:{me}"]
    assert len(ntfy.messages) == 1 and "rm -rf build" in ntfy.messages[0].message


async def test_the_app_gone_the_watch_takes_over(tmp_path):
    from orchestra_tui.bootstrap import Boot
    from orchestra_tui.config import parse_config

    data = tmp_path / "data"
    config = watch_config(tmp_path / "config.toml")
    socket = f"watch-{uuid.uuid4().hex[:8]}"
    booted = Boot(parse_config("", config), data_dir=data, socket_name=socket, long_lived=True)
    assert booted.away_duty.take()  # the app acts
    watch = WatchProcess(config, data, socket)
    try:
        await watch.said(f"standing by: the app (pid {__import__('os').getpid()}) acts")
        await booted.aclose()  # the app exits: its lock goes with it
        await watch.said("took over: acting for you while you are away")
    finally:
        code, stderr = watch.stop()
    assert code == 0, stderr
    assert [e["took_over"] for e in _journal(data, "away_duty")] == [True]


async def test_the_app_says_when_the_away_lock_cannot_be_used(tmp_path):
    from orchestra_tui.bootstrap import Boot, build_app
    from orchestra_tui.config import parse_config

    data = tmp_path / "data"
    (data / AWAY_LOCK_NAME).mkdir(parents=True)
    config = watch_config(tmp_path / "config.toml")
    booted = Boot(parse_config("", config), data_dir=data,
                  socket_name=f"watch-{uuid.uuid4().hex[:8]}", long_lived=True)
    notices = build_app(booted).startup_notices
    await booted.aclose()
    said = [n for n in notices if "away.lock" in n]
    assert len(said) == 1 and "\n" not in said[0]
    assert said[0].startswith("Nothing is done for you while you are away: ")
    assert "cannot open the lock file" in said[0]
