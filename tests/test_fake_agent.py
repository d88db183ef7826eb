"""The simulated agent in a real tmux pane: each state shows the real strings of the CLI it
imitates, and prompts sent with the send recipe arrive byte-exact, once."""

from __future__ import annotations

import asyncio
import json
import pathlib
import re
import shlex

import pytest

from orchestra_tui.demo.fake_agent import Keyboard
from orchestra_tui.services.tmux.service import TmuxService
from tests.helpers import async_wait_until
from tests.tmux_fixtures import (
    is_idle,
    logged_prompts,
    screen,
    start_fake_agent,
    wait_for_prompts,
    wait_for_screen,
)

CODEX_WORKING = re.compile(r"^• Working \((\d+)s • esc to interrupt\)$", re.M)
CLAUDE_WORKING = re.compile(
    r"^([·✢*✶✻✽]) (\w+)… \((\d+)s · ↓ [\d.]+k? tokens · esc to interrupt\)$", re.M)


def hostile_texts(marker: pathlib.Path) -> list[str]:
    lorem = "Lorem ipsum dolor sit amet, 'quoted' \"double\"; $(x) `y` — ünï 🚀. "
    return [
        "it's a \"double\" and 'single' quote test",
        "ends with a semicolon;",
        f"$(touch {marker}) and `touch {marker}` and ${{HOME}}",
        "tab\tseparated\tvalues\t",
        "unicode héllo wörld — ✓ 日本語 🚀🎉 👩‍💻",
        "-n starts like an option \\; and ends with backslash\\",
        (lorem * 200)[:10240],
        f"line one\nline two; $(touch {marker})\n\tindented line\n\nlast line;",
    ]


@pytest.mark.parametrize("flavor", ["codex", "claude"])
async def test_hostile_prompts_arrive_byte_exact(tmux: TmuxService, tmp_path: pathlib.Path,
                                                 flavor: str):
    marker = tmp_path / f"pwned-{flavor}"
    log = tmp_path / "prompts.jsonl"
    pane = await start_fake_agent(tmux, flavor, log, work=0.2)
    texts = hostile_texts(marker)
    for number, text in enumerate(texts, 1):
        result = await tmux.send_text(pane.pane_id, text)
        assert result.delivered and not result.uncertain, (text[:40], result)
        assert result.enter_presses == 1
        await wait_for_prompts(log, number)
        await wait_for_screen(tmux, pane.pane_id, is_idle(flavor), message="idle again")
    assert logged_prompts(log) == texts
    assert not marker.exists()


@pytest.mark.parametrize("flavor", ["codex", "claude"])
async def test_prompt_sent_while_working_is_queued_and_delivered_once(
        tmux: TmuxService, tmp_path: pathlib.Path, flavor: str):
    log = tmp_path / "prompts.jsonl"
    pane = await start_fake_agent(tmux, flavor, log, work=1.5)
    assert (await tmux.send_text(pane.pane_id, "first task")).delivered
    pattern = CODEX_WORKING if flavor == "codex" else CLAUDE_WORKING
    await wait_for_screen(tmux, pane.pane_id, pattern.search, message="working")

    result = await tmux.send_text(pane.pane_id, "follow-up while working")

    assert result.delivered and result.enter_presses == 1 and not result.uncertain
    text = await screen(tmux, pane.pane_id)
    if flavor == "codex":
        assert "• Queued follow-up inputs" in text and "  ↳ follow-up while working" in text
    else:
        assert "❯ follow-up while working" in text and "Press up to edit queued messages" in text
    assert logged_prompts(log) == ["first task"]
    await wait_for_prompts(log, 2)
    await wait_for_screen(tmux, pane.pane_id, is_idle(flavor), message="idle after both")
    assert logged_prompts(log) == ["first task", "follow-up while working"]


async def test_codex_screens(tmux: TmuxService, tmp_path: pathlib.Path):
    log = tmp_path / "codex.jsonl"
    pane = await start_fake_agent(tmux, "codex", log, work=1.2, context=73, name="agent-7")
    pid = pane.pane_id
    idle = await screen(tmux, pid)
    assert "› Ask Codex to do anything" in idle
    assert re.search(r"^  \? for shortcuts +73% context left$", idle, re.M)
    assert "\x1b[2mAsk Codex" in await screen(tmux, pid, ansi=True)
    assert [p.title for p in await tmux.list_panes()] == ["agent-7"]

    await tmux.send_text(pid, "draft text", submit=False)
    await wait_for_screen(tmux, pid, lambda s: "› draft text" in s)
    await tmux.send_keys(pid, "BSpace", "BSpace")
    await wait_for_screen(tmux, pid, lambda s: re.search(r"^› draft te$", s, re.M))
    await tmux.send_keys(pid, *["BSpace"] * 8)
    await wait_for_screen(tmux, pid, lambda s: "› Ask Codex to do anything" in s)

    await tmux.send_text(pid, "[work 30] [print kubectl apply -f k8s/] do a long thing")
    first = await wait_for_screen(tmux, pid, CODEX_WORKING.search)
    assert "› [work 30] [print kubectl apply -f k8s/] do a long thing" in first
    assert "\nkubectl apply -f k8s/\n" in first
    start = int(CODEX_WORKING.search(first).group(1))
    await wait_for_screen(tmux, pid, lambda s: (m := CODEX_WORKING.search(s)) and
                          int(m.group(1)) > start, message="the counter advances")
    await tmux.send_keys(pid, "Escape")
    interrupted = await wait_for_screen(tmux, pid, is_idle("codex"))
    assert "■ Conversation interrupted - tell the model what to do differently." in interrupted
    assert "68% context left" in interrupted

    await tmux.send_text(pid, "[approve git push origin feature] ship it")
    dialog = await wait_for_screen(tmux, pid, lambda s: "Press enter to confirm" in s)
    for line in ("  Would you like to run the following command?", "  $ git push origin feature",
                 "› 1. Yes, proceed (y)",
                 "  2. Yes, and don't ask again for commands that start with "
                 "`git push origin feature` (p)",
                 "  3. No, and tell Codex what to do differently (esc)",
                 "  Press enter to confirm or esc to cancel"):
        assert line in dialog.splitlines()
    assert "Ask Codex to do anything" not in dialog and "esc to interrupt" not in dialog
    await tmux.send_keys(pid, "y")
    done = await wait_for_screen(tmux, pid, is_idle("codex"))
    assert "• Ran git push origin feature" in done and re.search(r"─ Worked for \d+s ─", done)

    await tmux.send_text(pid, "[approve] [error] then fail")
    await wait_for_screen(tmux, pid, lambda s: "Press enter to confirm" in s)
    await tmux.send_keys(pid, "Enter")
    blocked = " ".join((await wait_for_screen(tmux, pid, is_idle("codex"))).split())
    assert "■ You've hit your usage limit." in blocked and "try again in 4 days" in blocked

    await tmux.send_text(pid, "[approve] deny me")
    await wait_for_screen(tmux, pid, lambda s: "Press enter to confirm" in s)
    await tmux.send_keys(pid, "Escape")
    denied = await wait_for_screen(tmux, pid, is_idle("codex"))
    assert denied.count("■ Conversation interrupted") == 2


async def test_claude_screens(tmux: TmuxService, tmp_path: pathlib.Path):
    log = tmp_path / "claude.jsonl"
    pane = await start_fake_agent(tmux, "claude", log, work=1.2, context=52, width=90)
    pid = pane.pane_id
    idle = await screen(tmux, pid)
    lines = idle.splitlines()
    composer = lines.index('❯\xa0Try "fix typecheck errors"')
    assert lines[composer - 1] == lines[composer + 1] == "─" * 90
    assert lines[composer + 2] == "  ? for shortcuts" and "Claude Code v" in idle

    await tmux.send_text(pid, "[work 30] think hard")
    seen = await wait_for_screen(tmux, pid, CLAUDE_WORKING.search)
    assert "❯ [work 30] think hard" in seen
    first = CLAUDE_WORKING.search(seen)
    later = await wait_for_screen(tmux, pid, lambda s: (m := CLAUDE_WORKING.search(s)) and
                                  int(m.group(3)) > int(first.group(3)))
    assert CLAUDE_WORKING.search(later).group(1) != first.group(1)  # the glyph cycles
    await tmux.send_keys(pid, "Escape")
    stopped = await wait_for_screen(tmux, pid, is_idle("claude"))
    assert "  ⎿  Interrupted · What should Claude do instead?" in stopped
    assert "Context left until auto-compact: 47%" in stopped  # shown once below 50%

    await tmux.send_text(pid, "[approve rm -rf build] clean")
    dialog = await wait_for_screen(tmux, pid, lambda s: "Esc to cancel · Tab to amend" in s)
    for line in (" Bash command", "   rm -rf build", " Do you want to proceed?", " ❯ 1. Yes",
                 "   3. No", " Esc to cancel · Tab to amend"):
        assert line in dialog.splitlines()
    assert "⏺ Bash(rm -rf build)" in dialog and "esc to interrupt" not in dialog
    assert '❯\xa0Try' not in dialog
    await tmux.send_keys(pid, "1")
    done = await wait_for_screen(tmux, pid, is_idle("claude"))
    assert re.search(r"^✻ Worked for \d+s$", done, re.M) and "⏺ Done" in done

    await tmux.send_text(pid, "[error] overload")
    blocked = " ".join((await wait_for_screen(tmux, pid, is_idle("claude"))).split())
    assert '⎿ API Error (529 {"type":"error","error":{"type":"overloaded_error"' in blocked
    assert "Retrying in 5 seconds… (attempt 10/10)" in blocked


@pytest.mark.parametrize("flavor", ["codex", "claude"])
async def test_freeze_never_advances_and_exit_quits(tmux: TmuxService, tmp_path: pathlib.Path,
                                                    flavor: str):
    log = tmp_path / "frozen.jsonl"
    pane = await start_fake_agent(tmux, flavor, log)
    await tmux.set_remain_on_exit(pane.pane_id)
    pattern = CODEX_WORKING if flavor == "codex" else CLAUDE_WORKING
    await tmux.send_text(pane.pane_id, "[freeze] hang")
    frozen = await wait_for_screen(tmux, pane.pane_id, pattern.search)
    await asyncio.sleep(1.3)  # not waiting for a state: proving that nothing changes
    assert await screen(tmux, pane.pane_id) == frozen
    await tmux.send_keys(pane.pane_id, "Escape")
    await wait_for_screen(tmux, pane.pane_id, is_idle(flavor))

    await tmux.send_text(pane.pane_id, "/exit")

    async def exited():
        found = [p for p in await tmux.list_panes() if p.pane_id == pane.pane_id]
        return found[0] if found and found[0].dead else None

    gone = await async_wait_until(exited, timeout=20, message="agent exited")
    assert gone.dead_status in (0, None)  # tmux may record the status a moment after "dead"
    assert logged_prompts(log) == ["[freeze] hang"]


async def test_resize_redraws_at_the_new_width(tmux: TmuxService, tmp_path: pathlib.Path):
    pane = await start_fake_agent(tmux, "claude", tmp_path / "log.jsonl", width=100)
    await tmux.run("resize-window", "-t", pane.pane_id, "-x", "64", "-y", "20")
    resized = await wait_for_screen(tmux, pane.pane_id, lambda s: "─" * 64 in s.splitlines())
    assert len(resized.split("\n")) == 20  # one string row per screen row


def test_keyboard_splits_keys_pastes_and_split_reads():
    keyboard = Keyboard()
    events = keyboard.feed(b"ab\x7f\x1b[A\r")
    assert events == [("key", "a"), ("key", "b"), ("key", "backspace"), ("key", "enter")]
    assert keyboard.feed("\x1b[200~x\ny\t\u00e9".encode()[:-1]) == []
    assert keyboard.feed("\u00e9".encode()[-1:] + b"\x1b[20") == []
    assert keyboard.feed(b"1~\r\x1b") == [("paste", "x\ny\t\u00e9"), ("key", "enter"),
                                         ("key", "escape")]


async def test_a_quoted_error_marker_is_data_not_a_directive(tmux: TmuxService,
                                                             tmp_path: pathlib.Path):
    """A CI log's `##[error]` quoted in a prompt (as orchestra hands one over) ends the turn
    idle; `[error]` outside the quote still ends it blocked."""
    import doctest

    from orchestra_tui.demo import fake_agent

    assert doctest.testmod(fake_agent).failed == 0
    log = tmp_path / "prompts.jsonl"
    pane = await start_fake_agent(tmux, "claude", log, work=0.3)
    await tmux.send_text(pane.pane_id, "Fix CI.\n> ##[error]Process completed with exit code 1.")
    await wait_for_prompts(log, 1)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Worked for" in s and is_idle("claude")(s),
                          timeout=10, message="the turn done, idle")
    assert "API Error" not in await screen(tmux, pane.pane_id)
    await tmux.send_text(pane.pane_id, "Now fail [error]")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "API Error" in s, timeout=10,
                          message="the directive outside a quote")


async def test_session_start_is_reported_only_when_asked(tmux: TmuxService,
                                                         tmp_path: pathlib.Path) -> None:
    """`--session-start`: the simulated agent reports SessionStart as it starts, as every CLI
    orchestra hooks does (the benchmarks' agents); without it, its first event is its first
    prompt's (the tests' fleets)."""
    events = tmp_path / "events.jsonl"
    hook = shlex.join(["sh", "-c", f"cat >> {shlex.quote(str(events))}; echo >> "
                                   f"{shlex.quote(str(events))}"])

    def names() -> list[str]:
        text = events.read_text() if events.exists() else ""
        return [json.loads(line)["hook_event_name"] for line in text.splitlines() if line]

    await start_fake_agent(tmux, "claude", tmp_path / "a.jsonl",
                           extra=("--hook", hook, "--session-start"))
    await async_wait_until(lambda: asyncio.sleep(0, names()), timeout=10,
                           message="SessionStart reported")
    assert names() == ["SessionStart"]
    events.unlink()
    quiet = await start_fake_agent(tmux, "claude", tmp_path / "b.jsonl", extra=("--hook", hook))
    await tmux.send_text(quiet.pane_id, "hello")
    await async_wait_until(lambda: asyncio.sleep(0, names()), timeout=10,
                           message="the prompt's event")
    assert names()[0] == "UserPromptSubmit"
