"""A phone channel end to end, as a new user would set it up: the app built by the composition
root from a config whose `[notify] urls` are apprise `ntfy://` URLs pointing at an ntfy stand-in
on loopback (tests/ntfy_standin.py checks each request against ntfy's publish API). An agent's
approval dialog, the app not focused, gives exactly one push per channel with the command it
asks about within 2 s; none while the app is focused; the URLs' secrets (a password, a token)
reach neither the journal, the screen, the logs nor an error."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual import events

from orchestra_tui.bootstrap import Boot, build_app
from orchestra_tui.config import parse_config
from orchestra_tui.services.store.journal import Journal
from tests.helpers import pilot_wait_until
from tests.ntfy_standin import NtfyStandIn
from tests.tmux_fixtures import REPO, fake_agent_argv, wait_for_screen

pytestmark = pytest.mark.slow

PASSWORD = "pw-Xq7secret-9981"
TOKEN = "tk_Zu8secrettoken4412"
WRONG = "wrong-Pw-secret-5531"
SECRETS = (PASSWORD, TOKEN, WRONG)


def _config(path: Path, port: int) -> Path:
    path.write_text(
        '[ui]\npoll_seconds = 0.2\n\n'
        '[notify]\nterminal = "off"\nurls = [\n'
        f'  "ntfy://orch:{PASSWORD}@127.0.0.1:{port}/orchestra-phone",\n'
        f'  "ntfy://127.0.0.1:{port}/orchestra-watch?token={TOKEN}",\n'
        f'  "ntfy://orch:{WRONG}@127.0.0.1:{port}/orchestra-denied",\n'
        ']\n\n[notify.kinds]\napproval = ["push"]\n\n'
        '[[lane]]\nname = "web"\n\n'
        '[[agent]]\nname = "api"\ntool = "claude"\ntarget = "api"\nlane = "web"\n',
        encoding="utf-8")
    return path


def _topics(ntfy: NtfyStandIn) -> list[str]:
    return sorted(message.topic for message in ntfy.messages)


async def test_an_approval_pushes_once_to_ntfy_with_its_command_and_no_secret(
        tmux, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    pane = await tmux.start(fake_agent_argv("claude", tmp_path / "agent.jsonl", work=0.3,
                                            extra=("--bold-prompt",)),
                            cwd=str(REPO), session="api", width=110, height=32,
                            env={"PYTHONPATH": str(REPO)})
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    data = tmp_path / "data"
    with NtfyStandIn(users={"orch": PASSWORD}, tokens={TOKEN}) as ntfy:
        config = _config(tmp_path / "config.toml", ntfy.port)
        booted = Boot(parse_config(config.read_text(), config), data_dir=data,
                      socket_name=tmux.runner.socket_name, long_lived=True)
        app = build_app(booted)
        try:
            async with app.run_test(size=(120, 40)) as pilot:
                app.post_message(events.AppFocus())
                await pilot_wait_until(pilot, lambda: app.away_actions.focus_reported)
                await tmux.send_text(pane.pane_id, "clean up [approve terraform destroy]")
                await wait_for_screen(tmux, pane.pane_id, lambda s: "terraform destroy" in s
                                      and "Do you want to proceed?" in s)
                await pilot_wait_until(pilot, lambda: any(
                    view.status.state.value == "approval" for view in app.snapshot.agents))
                await pilot.pause(3.0)  # longer than a push may take: none came
                assert ntfy.messages == [] and ntfy.rejected == []  # the person looks

                await booted.fleet.answer("api", True)
                await pilot_wait_until(pilot, lambda: all(
                    view.status.state.value == "idle" for view in app.snapshot.agents), 15)
                app.post_message(events.AppBlur())
                await pilot_wait_until(pilot, lambda: not app.away_actions.looking)
                await tmux.send_text(pane.pane_id, "tidy [approve rm -rf build]")
                await wait_for_screen(tmux, pane.pane_id, lambda s: "rm -rf build" in s
                                      and "Do you want to proceed?" in s)
                shown = time.monotonic()  # the dialog is on the screen
                await pilot_wait_until(pilot, lambda: len(ntfy.messages) == 2, timeout=2.0)
                assert time.monotonic() - shown <= 2.0
                await pilot.pause(2.0)  # ten ticks later: still one push per channel
                screen = app.export_screenshot()
                toasts = [n.message for n in app._notifications]
        finally:
            await booted.aclose()
    assert _topics(ntfy) == ["orchestra-phone", "orchestra-watch"]
    by_topic = {message.topic: message for message in ntfy.messages}
    assert by_topic["orchestra-phone"].auth == "basic:orch"
    assert by_topic["orchestra-watch"].auth == "token"
    for message in ntfy.messages:
        assert "rm -rf build" in message.message and "approval" in message.title
        assert "api" in message.title and message.message.startswith("web ")
    assert ntfy.rejected == ["POST /: unauthorized"]  # the wrong password, once
    told = Journal(data / "journal.jsonl").read(events=("notify",))
    assert sorted((e["channel"], e["ok"]) for e in told) == [
        ("ntfy #1", True), ("ntfy #2", True), ("ntfy #3", False)]
    failed = next(e for e in told if not e["ok"])
    assert failed["error"]  # the person is told why, without the URL
    journal = (data / "journal.jsonl").read_text()
    for secret in SECRETS:
        assert secret not in journal
        assert secret not in screen
        assert secret not in caplog.text
        assert not any(secret in toast for toast in toasts)
        assert secret not in failed["error"]


def test_notify_test_says_which_ntfy_channel_failed_without_its_secret(tmp_path):
    with NtfyStandIn(users={"orch": PASSWORD}, tokens={TOKEN}) as ntfy:
        config = _config(tmp_path / "config.toml", ntfy.port)
        done = subprocess.run([sys.executable, "-m", "orchestra_tui", "notify", "test",
                               "--config", str(config), "--data-dir", str(tmp_path / "data")],
                              capture_output=True, text=True, cwd=str(REPO), timeout=60)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[:2] == ["ok      ntfy #1", "ok      ntfy #2"]
    assert lines[2].startswith("FAILED  ntfy #3: ")
    assert _topics(ntfy) == ["orchestra-phone", "orchestra-watch"]
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr
        assert secret not in (tmp_path / "data" / "journal.jsonl").read_text()
