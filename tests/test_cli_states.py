"""`orchestra status` on simulated agents in every state, `detect` on every screen in
tests/screens (the real ones in shared/ and the regression ones), and the CLI's one-line
errors — run in-process through `cli.main`, against a real tmux server."""

from __future__ import annotations

import asyncio
import io
import json
import pathlib

import pytest

from orchestra_tui.cli import main
from orchestra_tui.commands.status import STATUS_KEYS
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, State
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, fake_agent_argv, start_fake_agent

SCREENS_DIR = pathlib.Path(__file__).resolve().parent / "screens"
SCREENS = sorted([*SCREENS_DIR.glob("shared/*/*.txt"), *SCREENS_DIR.glob("*/*.txt")])


async def status_json(socket: str, capsys, *extra: str) -> dict[str, dict]:
    # main() runs its own event loop, so from an async test it runs in a thread.
    assert await asyncio.to_thread(main, ["-L", socket, *extra, "status", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(set(row) == set(STATUS_KEYS) for row in rows)
    return {row["name"]: row for row in rows}


async def test_status_shows_each_simulated_agent_in_its_true_state(tmux, tmp_path, capsys):
    socket = tmux.runner.socket_name
    idle = await start_fake_agent(tmux, "codex", tmp_path / "i.log", session="idle")
    working = await start_fake_agent(tmux, "claude", tmp_path / "w.log", session="working")
    asking = await start_fake_agent(tmux, "codex", tmp_path / "a.log", session="asking")
    failing = await start_fake_agent(tmux, "claude", tmp_path / "b.log", session="failing")
    shell = await tmux.start("bash --norc --noprofile", session="gone", cwd=str(REPO),
                             env={"PYTHONPATH": str(REPO), "PS1": "$ "})
    await tmux.send_text(working.pane_id, "refactor [work 60]")
    await tmux.send_text(asking.pane_id, "check [approve git status] [work 1]")
    await tmux.send_text(failing.pane_id, "overload [error] [work 0.2]")
    # An agent started from a shell that then quits: the shell is back in the foreground.
    argv = " ".join(fake_agent_argv("codex", tmp_path / "g.log"))
    await tmux.send_text(shell.pane_id, argv, pending=lambda screen, text: False)

    async def agent_up() -> bool:
        screen = (await tmux.capture([shell.pane_id]))[shell.pane_id]
        return "? for shortcuts" in screen

    await async_wait_until(agent_up, message="agent started from the shell")
    await tmux.send_text(shell.pane_id, "/exit")
    expected = {"idle": "idle", "working": "working", "asking": "approval",
                "failing": "blocked", "gone": "exited"}
    config = tmp_path / "config.toml"
    config.write_text("".join(
        f'[[agent]]\nname = "{name}"\ntool = "{tool}"\ntarget = "{name}"\n'
        for name, tool in [("idle", "codex"), ("working", "claude"), ("asking", "codex"),
                           ("failing", "claude"), ("gone", "codex")]))

    seen: dict[str, dict] = {}

    async def all_true() -> dict | None:
        seen.update(await status_json(socket, capsys, "--config", str(config)))
        states = {name: seen[name]["state"] for name in expected if name in seen}
        return seen if states == expected else None

    try:
        rows = await async_wait_until(all_true, timeout=20, interval=0.3,
                                      message=f"states {expected}")
    except AssertionError:
        raise AssertionError(json.dumps(seen, indent=1)) from None
    assert rows["idle"]["pane_id"] == idle.pane_id
    assert rows["idle"]["tool"] == "codex" and rows["working"]["tool"] == "claude"
    assert rows["idle"]["context_left"] == 100
    assert "esc to interrupt" in rows["working"]["reason"]


async def test_a_frozen_spinner_becomes_stuck(tmux, tmp_path):
    pane = await start_fake_agent(tmux, "claude", tmp_path / "f.log", session="frozen")
    fleet = Fleet(tmux, [AgentSpec(name="frozen", tool="claude", target=pane.pane_id)],
                  settings=FleetSettings(stuck_after=1.5))
    await tmux.send_text(pane.pane_id, "hang [freeze]")

    async def stuck() -> bool:
        snapshot = await fleet.refresh()
        return snapshot.get("frozen").status.state is State.STUCK

    await async_wait_until(stuck, timeout=15, interval=0.2, message="stuck")
    assert "frozen" in fleet.snapshot.get("frozen").status.reason


def test_status_on_a_server_that_is_not_running(capsys):
    assert main(["-L", "orchestra-test-no-such-server", "status"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("orchestra: ") and "\n" not in error
    assert "orchestra-test-no-such-server" in error


def test_broken_config_is_one_line_naming_file_line_and_key(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "a"\ncomand = "codex"\n')
    assert main(["--config", str(config), "status"]) == 1
    error = capsys.readouterr().err
    assert f"{config}:3" in error and "comand" in error and "Traceback" not in error


async def test_send_to_an_unknown_agent_is_a_clear_error(tmux, capsys):
    await tmux.start("cat", session="only")
    argv = ["-L", tmux.runner.socket_name, "send", "nobody", "hi"]
    assert await asyncio.to_thread(main, argv) == 1
    assert "nobody" in capsys.readouterr().err


def test_every_screen_is_in_the_repository():
    assert len([p for p in SCREENS if p.parent.parent.name == "shared"]) >= 35
    assert len(SCREENS) >= 120


@pytest.mark.parametrize("path", SCREENS,
                         ids=lambda p: str(p.relative_to(SCREENS_DIR).with_suffix("")))
def test_detect_classifies_every_screen(path: pathlib.Path, capsys):
    header = dict(line[2:].split(": ", 1) for line in path.read_text().splitlines()[:4])
    assert main(["detect", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"tool", "state", "context_left", "queued", "reason"}
    assert result["tool"] == path.parent.name
    assert result["state"] == header["state"].strip()
    expected_context = header["context_left"].strip()
    assert result["context_left"] == (None if expected_context == "none" else int(expected_context))
    expected_queued = header["queued"].strip()
    assert result["queued"] == (None if expected_queued == "none" else int(expected_queued))


def test_detect_reads_a_coloured_capture_from_stdin(monkeypatch, capsys):
    """`tmux capture-pane -e -p | orchestra detect -`: the colours change nothing."""
    plain = (SCREENS_DIR / "codex" / "blocked-31.txt").read_text(encoding="utf-8")
    coloured = plain.replace("■", "\x1b[31m■\x1b[0m").replace("›", "\x1b[1m›\x1b[22m")
    monkeypatch.setattr("sys.stdin", io.StringIO(coloured))
    assert main(["detect", "-", "--tool", "codex", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["state"] == "blocked"
    assert result["reason"].startswith("blocked: usage limit, resets 3:51 PM")


async def test_with_no_config_status_lists_the_agent_panes_it_finds(tmux, tmp_path, capsys):
    await start_fake_agent(tmux, "codex", tmp_path / "c.log", session="coder")
    await start_fake_agent(tmux, "claude", tmp_path / "r.log", session="reviewer")
    await tmux.start("bash --norc --noprofile", session="plain-shell")
    rows = await status_json(tmux.runner.socket_name, capsys)
    assert {name: row["tool"] for name, row in rows.items()} == {
        "coder": "codex", "reviewer": "claude"}
    assert {row["state"] for row in rows.values()} == {"idle"}


def test_status_json_keys_are_the_documented_ones():
    # `queued` is orchestra's queue; `tool_queued` the agent CLI's own on-screen one.
    assert set(STATUS_KEYS) == {
        "name", "pane_id", "tool", "state", "context_left", "queued", "tool_queued", "reason",
        "alerts",
        "source", "host", "branch", "ahead", "behind", "files_changed", "insertions",
        "deletions", "conflicts", "receipts", "usage", "usage_unknown"}
