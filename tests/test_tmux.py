"""TmuxService against a real tmux server on an isolated socket, real programs in its panes."""

from __future__ import annotations

import asyncio
import pathlib
import shlex
import subprocess

import pytest

from orchestra_tui.agents import draft_pending
from orchestra_tui.errors import TmuxCommandError, TmuxUnavailable
from orchestra_tui.services.tmux.service import LocalTmuxRunner, TmuxService, escape_arg
from tests.helpers import async_wait_until
from tests.tmux_fixtures import CountingRunner, screen, wait_for_screen


async def test_list_panes_one_call_across_sessions(tmux: TmuxService, tmp_path: pathlib.Path):
    first = await tmux.start("cat", session="alpha", cwd=str(tmp_path), width=90, height=20)
    second = await tmux.start("cat", session="alpha", window_name="two", cwd=str(tmp_path))
    third = await tmux.start(["sleep", "60"], session="beta", cwd=str(tmp_path))
    tmux.runner.calls.clear()

    panes = await tmux.list_panes()

    assert len(tmux.runner.calls) == 1
    assert tmux.runner.calls[0][:2] == ["list-panes", "-a"]
    by_id = {pane.pane_id: pane for pane in panes}
    assert set(by_id) == {first.pane_id, second.pane_id, third.pane_id}
    alpha0, alpha1, beta = by_id[first.pane_id], by_id[second.pane_id], by_id[third.pane_id]
    assert (alpha0.session_name, alpha0.window_index, alpha0.pane_index) == ("alpha", 0, 0)
    assert (alpha1.session_name, alpha1.window_index) == ("alpha", 1)
    assert (beta.session_name, beta.current_command) == ("beta", "sleep")
    assert alpha0.current_command == "cat" and alpha0.current_path == str(tmp_path)
    assert (alpha0.width, alpha0.height) == (90, 20)
    assert alpha0.pid > 0 and alpha0.activity > 1_600_000_000
    assert not alpha0.dead and not alpha0.in_mode and alpha0.dead_status is None
    assert alpha0.target == "alpha:0.0" and isinstance(alpha0.title, str)


async def test_capture_five_panes_in_one_invocation(tmux: TmuxService):
    panes = [await tmux.start(f"printf 'hello-{n}\\n\\033[31mred-{n}\\033[0m\\n'; exec cat",
                              session="cap") for n in range(5)]
    ids = [pane.pane_id for pane in panes]
    await wait_for_screen(tmux, ids[-1], lambda s: "red-4" in s)
    tmux.runner.calls.clear()

    screens = await tmux.capture(ids)

    assert len(tmux.runner.calls) == 1
    assert list(screens) == ids
    for n, pane_id in enumerate(ids):
        assert screens[pane_id].splitlines()[:2] == [f"hello-{n}", f"red-{n}"]
    coloured = await tmux.capture(ids[:2], ansi=True)
    assert "\x1b[31mred-0" in coloured[ids[0]] and "\x1b[" not in screens[ids[0]]


async def test_capture_survives_a_pane_gone_mid_batch(tmux: TmuxService):
    panes = [await tmux.start(f"echo pane-{n}; exec cat", session="gone") for n in range(5)]
    ids = [pane.pane_id for pane in panes]
    await wait_for_screen(tmux, ids[-1], lambda s: "pane-4" in s)
    await tmux.kill_pane(ids[2])
    tmux.runner.calls.clear()

    screens = await tmux.capture(ids)

    assert set(screens) == {ids[0], ids[1], ids[3], ids[4]}
    assert all(screens[ids[n]].startswith(f"pane-{n}") for n in (0, 1, 3, 4))
    assert len(tmux.runner.calls) == 2  # the batch, then the panes after the gone one
    assert await tmux.capture([ids[2]]) == {}
    assert await tmux.capture([]) == {}


async def test_capture_with_history(tmux: TmuxService):
    pane = await tmux.start("seq 1 200; exec cat", session="hist", height=10)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "200" in s)
    visible = await screen(tmux, pane.pane_id)
    longer = await screen(tmux, pane.pane_id, history=50)
    assert "150" not in visible.split() and "150" in longer.split()
    assert len(longer.splitlines()) == len(visible.splitlines()) + 50


def test_escape_arg_for_trailing_semicolon():
    assert escape_arg("a;") == "a\\;" and escape_arg(";") == "\\;"
    assert escape_arg("x\\;") == "x\\\\;" and escape_arg("a;b") == "a;b"


@pytest.mark.parametrize("text", [
    "it's a \"quoted\" line; with `ticks` and $(touch {marker}) and $HOME;",
    ";", "ends in backslash-semicolon \\;", "-n looks like an option", "ünïcødé ✓ 日本語 🚀 ",
])
async def test_send_keys_literal_is_byte_exact(tmux: TmuxService, tmp_path: pathlib.Path,
                                               text: str):
    marker = tmp_path / "pwned"
    text = text.replace("{marker}", str(marker))
    out = tmp_path / "out.txt"
    pane = await tmux.start(f"cat > {shlex.quote(str(out))}", session="cat")
    # cat shows no composer: nothing to verify, so "delivered" after the verify window
    result = await tmux.send_text(pane.pane_id, text, verify_timeout=0.3)
    assert result.delivered and result.enter_presses == 1
    await async_wait_until(lambda: _exists(out, text + "\n"), message="cat wrote the line")
    assert out.read_text("utf-8") == text + "\n"
    assert not marker.exists()


async def _exists(path: pathlib.Path, content: str) -> bool:
    return path.exists() and path.read_text("utf-8") == content


async def test_enter_is_retried_but_the_body_never_resent(tmux: TmuxService,
                                                           tmp_path: pathlib.Path):
    out = tmp_path / "out.txt"
    pane = await tmux.start(f"cat > {shlex.quote(str(out))}", session="retry")

    def pending_twice(screen_text: str, text: str) -> bool:  # as if Enters 1 and 2 were lost
        return sum(call[-1:] == ["Enter"] for call in tmux.runner.calls) < 3

    result = await tmux.send_text(pane.pane_id, "body once", pending=pending_twice,
                                  verify_timeout=0.2, enter_delay=0.05)
    assert (result.delivered, result.enter_presses, result.uncertain) == (True, 3, False)

    stuck = await tmux.send_text(pane.pane_id, "second body", pending=lambda s, t: True,
                                 verify_timeout=0.1, enter_delay=0.05, max_enter_retries=2)
    assert (stuck.delivered, stuck.uncertain, stuck.enter_presses) == (False, True, 3)
    await async_wait_until(lambda: _exists(out, "body once\n\n\nsecond body\n\n\n"),
                           message="both bodies once, Enters repeated")


def test_draft_pending_reads_the_composer():
    codex = "• Working (3s • esc to interrupt)\n\n› fix the bug please\n\n  ? for shortcuts\n"
    assert draft_pending(codex, "fix the bug please")
    queued = ("• Working (3s • esc to interrupt)\n\n• Queued follow-up inputs\n"
              "  ↳ fix the bug please\n\n› Ask Codex to do anything\n\n  ? for shortcuts\n")
    assert not draft_pending(queued, "fix the bug please")
    claude = "────\n❯\xa0[Pasted text #1 +3 lines]\n────\n  ? for shortcuts"
    assert draft_pending(claude, "a\nb\nc")
    submitted = "❯ fix the bug please\n\n✢ Pondering… (1s)\n\n────\n❯\xa0\n────\n  ? for shortcuts"
    assert not draft_pending(submitted, "fix the bug please")
    wrapped = "› aaaaaaaaaa bbbbbbbbbb cccc\n  cccccc dddddddddd\n\n  ? for shortcuts"
    assert draft_pending(wrapped, "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd")
    assert not draft_pending("$ ls\nfile\n$", "ls")


async def test_start_new_session_then_new_window(tmux: TmuxService, tmp_path: pathlib.Path):
    assert not await tmux.is_running()
    first = await tmux.start("cat", session="work", window_name="agent-a", cwd=str(tmp_path),
                             env={"ORCH_VAR": "one;"})
    assert await tmux.is_running()
    second = await tmux.start("echo $ORCH_VAR; exec cat", session="work", window_name="agent-b",
                              env={"ORCH_VAR": "two;"})
    assert first.pane_id != second.pane_id
    assert (first.session_name, first.window_index, second.window_index) == ("work", 0, 1)
    assert first.current_path == str(tmp_path)
    await wait_for_screen(tmux, second.pane_id, lambda s: s.startswith("two;"))
    names = await tmux.run("list-windows", "-t", "work", "-F", "#{window_name}")
    assert names.stdout.split() == ["agent-a", "agent-b"]
    unnamed = await tmux.start("cat")
    assert unnamed.session_name not in ("", "work")


async def test_respawn_keeps_the_pane_id(tmux: TmuxService):
    pane = await tmux.start("cat", session="re")
    await tmux.set_remain_on_exit(pane.pane_id)
    respawned = await tmux.respawn(pane.pane_id, "echo second life; exec cat")
    assert respawned.pane_id == pane.pane_id and respawned.pid != pane.pid
    await wait_for_screen(tmux, pane.pane_id, lambda s: "second life" in s)
    await tmux.respawn(pane.pane_id, ["sh", "-c", "exit 7"])

    async def dead():
        found = [p for p in await tmux.list_panes() if p.pane_id == pane.pane_id]
        return found and found[0].dead and found[0]

    gone = await async_wait_until(dead, message="pane dead")
    # tmux 3.3a sometimes leaves #{pane_dead_status} empty for a respawned pane.
    assert gone.dead_status in (7, None)


async def test_kill_pane_and_resolve_target_forms(tmux: TmuxService):
    a0 = await tmux.start("cat", session="proj")
    a1 = await tmux.start("cat", session="proj", window_name="second")
    split = await tmux.run("split-window", "-d", "-t", a1.pane_id, "-P", "-F", "#{pane_id}", "cat")
    b = split.stdout.strip()
    await tmux.select_pane(a1.pane_id)
    assert await tmux.resolve_target(a0.pane_id) == a0.pane_id
    assert await tmux.resolve_target("proj") == a1.pane_id  # the active window's active pane
    assert await tmux.resolve_target("proj:0") == a0.pane_id
    assert await tmux.resolve_target("proj:second") == a1.pane_id
    assert await tmux.resolve_target("proj:1.1") == b
    for bad in ("nosuch", "proj:7", "proj:1.5", "%999"):
        with pytest.raises(TmuxCommandError, match="no pane matches"):
            await tmux.resolve_target(bad)
    await tmux.kill_pane(b)
    assert b not in {pane.pane_id for pane in await tmux.list_panes()}
    with pytest.raises(TmuxCommandError):
        await tmux.kill_pane(b)
    assert not await tmux.switch_client(a0.pane_id)  # no client attached
    argv = tmux.attach_argv(a0.pane_id)
    assert argv[:3] == ["tmux", "-L", tmux.runner.socket_name] and argv[-1] == a0.pane_id
    assert "attach-session" in tmux.attach_command("proj:0.0")


async def test_dead_server_is_tmux_unavailable_then_recovers(tmux: TmuxService):
    pane = await tmux.start("cat", session="doomed")
    assert len(await tmux.list_panes()) == 1
    # killed from outside, in the middle of a run
    subprocess.run(tmux.runner.argv(["kill-server"]), check=False, capture_output=True)
    for call in (tmux.list_panes(), tmux.capture([pane.pane_id]),
                 tmux.send_text(pane.pane_id, "hello"), tmux.send_keys(pane.pane_id, "Enter"),
                 tmux.resolve_target("doomed"), tmux.kill_pane(pane.pane_id)):
        with pytest.raises(TmuxUnavailable) as caught:
            await call
        message = str(caught.value)
        assert "\n" not in message and tmux.runner.socket_name in message
    assert not await tmux.is_running()
    await tmux.kill_server()  # already gone: fine

    fresh = await tmux.start("cat", session="reborn")
    assert [p.pane_id for p in await tmux.list_panes()] == [fresh.pane_id]


async def test_socket_path_and_missing_binary(tmp_path: pathlib.Path):
    socket = tmp_path / "orch.sock"
    service = TmuxService(LocalTmuxRunner(socket_path=str(socket), config_file="/dev/null"))
    with pytest.raises(TmuxUnavailable, match="orch.sock"):
        await service.list_panes()
    try:
        pane = await service.start("cat", session="s")
        assert socket.exists() and (await service.list_panes())[0].pane_id == pane.pane_id
    finally:
        await service.kill_server()
    missing = TmuxService(LocalTmuxRunner(socket_name="x", tmux="/nonexistent/tmux"))
    with pytest.raises(TmuxUnavailable, match="not installed"):
        await missing.list_panes()
    assert not await missing.is_running()
    with pytest.raises(ValueError):
        LocalTmuxRunner(socket_name="a", socket_path="/b")


async def test_concurrent_calls_share_one_runner(tmux: TmuxService):
    panes = [await tmux.start(f"echo c{n}; exec cat", session="conc") for n in range(3)]
    await wait_for_screen(tmux, panes[-1].pane_id, lambda s: "c2" in s)
    results = await asyncio.gather(*(tmux.capture([p.pane_id]) for p in panes),
                                   tmux.list_panes())
    assert [r[p.pane_id].split()[0] for r, p in zip(results, panes)] == ["c0", "c1", "c2"]
    assert isinstance(tmux.runner, CountingRunner)
