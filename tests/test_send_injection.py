"""Text is text, on every path a prompt takes: a review body holding the end of a bracketed
paste (`ESC[201~`), ctrl-c bytes and lines of `$(touch MARK)`, sent to an agent that was
started from bash, arrives as one prompt of plain text; the agent is never quit and bash never
runs a byte of it (MARK never appears).

Sources: the person's send now, the queue's dispatch, an inbox item (the thread read from the
GitHub stand-in over loopback), an issue, the restart handoff, and `orchestra send`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import pytest

from orchestra_tui.core.desk.inbox import QUOTED_IS_DATA, build_inbox, inbox_prompt
from orchestra_tui.core.desk.snapshot import assign_prompt
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.lifecycle.restart import deliver_handoff
from orchestra_tui.core.sending.send_gate import SendGate
from orchestra_tui.demo.standin.state import SComment, SIssue, SThread
from orchestra_tui.models import AgentSpec, QueueItemState
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.github_fixtures import *  # noqa: F403
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, fake_agent_argv, wait_for_prompts, wait_for_screen

pytestmark = pytest.mark.slow

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def hostile(mark, source: str) -> str:
    return (f"Review from {source}: guard the header.\x1b[201~\x03\x03\x03\r\n"
            f"$(touch {mark})\n`touch {mark}`\n; touch {mark}\n"
            "\x1b]2;owned\x07\x1b[2J\x9b201~ done\x1b[200~")


async def _agent_from_bash(tmux, tmp_path):
    log = tmp_path / "agent.jsonl"
    shell = await tmux.start(["bash", "--norc", "--noprofile"], cwd=str(tmp_path),
                             session=f"api-{uuid.uuid4().hex[:6]}", width=120, height=40)
    await wait_for_screen(tmux, shell.pane_id, lambda s: s.rstrip()[-1:] in ("$", "#"))
    argv = " ".join(fake_agent_argv("codex", log, work=0.2))
    await tmux.send_text(shell.pane_id, f"PYTHONPATH={REPO} {argv}", pending=lambda s, t: False)
    await wait_for_screen(tmux, shell.pane_id, lambda s: "? for shortcuts" in s)
    return shell, log


def _fleet(tmux, tmp_path, pane) -> Fleet:
    store = QueueStore(tmp_path / "data")
    store.load()
    return Fleet(tmux, [AgentSpec(name="api", tool="codex", target=pane.pane_id)],
                 store=store, journal=Journal(tmp_path / "data" / "journal.jsonl"),
                 settings=FleetSettings(idle_debounce=0.3))


async def _dispatched(fleet: Fleet) -> None:
    async def sent() -> bool:
        await fleet.refresh()
        fleet.dispatch_ready()
        await fleet.wait_for_sends()
        return all(item.state == QueueItemState.SENT for item in fleet.store.items("api"))

    await async_wait_until(sent, timeout=30, interval=0.1, message="the queue delivered")


async def _still_the_agent(tmux, pane_id: str) -> bool:
    pane = await tmux.pane_info(pane_id)
    return pane.current_command.startswith("python")


def _plain(prompt: str) -> bool:
    return not _CONTROL.search(prompt) and "\x1b" not in prompt


async def test_every_source_types_a_hostile_review_as_plain_text(tmux, tmp_path, standin,
                                                                 github):
    mark = tmp_path / "MARK"
    pane, log = await _agent_from_bash(tmux, tmp_path)
    fleet = _fleet(tmux, tmp_path, pane)
    await fleet.refresh()
    count = 0

    async def arrived(expect_in: str) -> str:
        nonlocal count
        count += 1
        prompts = await wait_for_prompts(log, count, timeout=20)
        assert len(prompts) == count, prompts
        prompt = prompts[-1]
        assert _plain(prompt), repr(prompt)
        assert expect_in in prompt and f"$(touch {mark})" in prompt
        assert not mark.exists()
        assert await _still_the_agent(tmux, pane.pane_id)
        await wait_for_screen(tmux, pane.pane_id, lambda s: "Working" not in s
                              and "? for shortcuts" in s, message="the agent idle again")
        return prompt

    # The person's send now.
    result = await fleet.send_now("api", hostile(mark, "person"))
    assert result.delivered
    await arrived("Review from person")

    # The queue's dispatch.
    await fleet.enqueue("api", hostile(mark, "queue"))
    await _dispatched(fleet)
    await arrived("Review from queue")

    # An inbox item: a CodeRabbit-style thread on the stand-in, read over loopback.
    pull = standin.repo("acme/shop").pulls[101]
    pull.threads.append(SThread(path="app/webhooks.py", line=9, comments=[
        SComment(author="coderabbitai", body=hostile(mark, "coderabbit"),
                 created_at="2026-02-01T00:00:00Z")]))
    data = await build_inbox(github, ["acme/shop"], (AgentSpec("api", repo="acme/shop",
                                                               branch="api/*"),))
    item = next(p for p in data.pulls if p.pr.number == 101)
    thread = next(t for t in item.pr.threads if t.author == "coderabbitai")
    assert "\x1b" not in thread.body and "␛[201~" in thread.body  # shown, never obeyed
    await fleet.enqueue("api", inbox_prompt(thread, item.pr), source="inbox")
    await _dispatched(fleet)
    prompt = await arrived("Review from coderabbit")
    assert QUOTED_IS_DATA in prompt

    # An issue whose title carries the same.
    standin.repo("acme/shop").issues[77] = SIssue(number=77, title=hostile(mark, "issue"))
    issue = await github.issue_with_comments("acme/shop", 77)
    await fleet.enqueue("api", assign_prompt(issue, None, "Work on #{number}: {title}"),
                        source="issue:acme/shop#77")
    await _dispatched(fleet)
    await arrived("Review from issue")

    # The restart handoff.
    await deliver_handoff(SendGate(tmux), "api", pane.pane_id, hostile(mark, "handoff"),
                          tool="codex")
    await arrived("Review from handoff")

    # `orchestra send`, a process of its own.
    config = tmp_path / "config.toml"
    config.write_text(f'[[agent]]\nname = "api"\ntool = "codex"\ntarget = "{pane.session_name}"\n')

    def orchestra_send(text: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "orchestra_tui", "--config", str(config),
             "-L", tmux.runner.socket_name, "send", "api", text],
            capture_output=True, text=True, cwd=REPO, timeout=60,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
                 "XDG_DATA_HOME": str(tmp_path / "xdg")})

    # A byte of invalid UTF-8 in its argument: one line, no traceback, nothing typed.
    broken = orchestra_send(hostile(mark, "cli") + "\udcff")
    assert broken.returncode == 1 and broken.stderr.count("\n") == 1, broken.stderr
    assert "Traceback" not in broken.stderr
    done = orchestra_send(hostile(mark, "cli"))
    assert done.returncode == 0 and done.stdout.startswith("sent to api"), done.stderr
    await arrived("Review from cli")
    # One submission per send: the paste markers inside never split one in two.
    assert len(await wait_for_prompts(log, count)) == count == 6
