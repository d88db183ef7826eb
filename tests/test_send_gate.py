"""The send gate: no byte reaches a dialog, a shell or an unknown screen, on every send path.

Real tmux, real programs in the panes: the simulated agent (which draws its tool's permission
dialog and exits to a shell), a bare shell, and `tests/programs/turncoat.py`, a composer that
becomes a permission dialog the moment a key arrives and logs every byte it reads.
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import subprocess
import sys
import uuid
from dataclasses import replace

import pytest

from orchestra_tui.agents import classify
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.lifecycle.restart import deliver_handoff
from orchestra_tui.core.sending.send_gate import Reading, SendGate, SendRefused, judge
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import AgentSpec, PaneInfo, QueueItemState, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, fake_agent_argv, logged_prompts, screen, wait_for_screen

pytestmark = pytest.mark.slow

TURNCOAT = pathlib.Path(__file__).parent / "programs" / "turncoat.py"
REPLAY = pathlib.Path(__file__).parent / "programs" / "replay.py"


def _pane(command: str = "node", *, dead: bool = False, in_mode: bool = False) -> PaneInfo:
    return PaneInfo(pane_id="%1", pid=1, session_name="s", window_index=0, pane_index=0,
                    current_command=command, current_path="/", title="", dead=dead,
                    activity=0, width=80, height=24, in_mode=in_mode)


CODEX_IDLE = "› Ask Codex to do anything\n\n  ? for shortcuts          100% context left"
CODEX_WORKING = ("• Working (12s • esc to interrupt)\n\n› Ask Codex to do anything\n\n"
                 "  ? for shortcuts          100% context left")
CODEX_DIALOG = ("  Would you like to run the following command?\n\n  $ terraform destroy\n\n"
                "› 1. Yes, proceed (y)\n  2. No, and tell Codex what to do differently (esc)\n\n"
                "  Press enter to confirm or esc to cancel")


def _verdict(screen_text: str, tool: str | None, command: str = "node", **options):
    reading = Reading(pane=_pane(command, dead=options.pop("dead", False),
                                 in_mode=options.pop("in_mode", False)),
                      detection=classify(screen_text, tool), screen=screen_text)
    return judge(reading, tool, **options)


def test_judge_types_only_into_a_ready_composer():
    assert _verdict(CODEX_IDLE, "codex") is None
    assert _verdict(CODEX_WORKING, "codex") is None  # Codex queues a prompt typed mid-turn
    assert _verdict(CODEX_DIALOG, "codex")[0] is State.APPROVAL
    assert _verdict(CODEX_WORKING, "codex", tracked=State.STUCK)[0] is State.STUCK
    assert _verdict(CODEX_IDLE, "codex", dead=True)[0] is State.EXITED
    assert _verdict(CODEX_IDLE, "codex", in_mode=True)[0] is State.UNKNOWN
    assert _verdict("random text with no composer", "codex")[0] is State.UNKNOWN


def test_judge_keeps_text_out_of_shells_unless_asked():
    exited = _verdict("bash-5.2$ ", "codex", command="bash")
    assert exited[0] is State.EXITED and "bash is in the foreground" in exited[1]
    # The person may still type into the shell an agent left behind (to start it again).
    assert _verdict("bash-5.2$ ", "codex", command="bash", to_shell=True) is None
    plain = _verdict("$ ", None, command="bash")
    assert plain[0] is State.EXITED and "--to-shell" in plain[1]
    assert _verdict("$ ", None, command="bash", to_shell=True) is None


CLAUDE_BASH_MODE = ("  /model to try Opus 4.5\n\n" + "─" * 60 + "\n! \n" + "─" * 60 +
                    "\n  ! for bash mode")
CLAUDE_IDLE = "─" * 60 + "\n❯ \n" + "─" * 60 + "\n  ? for shortcuts"


def test_judge_never_types_a_shell_command_into_an_agents_composer():
    assert _verdict(CLAUDE_IDLE, "claude") is None
    bash_mode = _verdict(CLAUDE_BASH_MODE, "claude")
    assert bash_mode is not None and "bash mode" in bash_mode[1]
    bang = _verdict(CLAUDE_IDLE, "claude", text="!rm -rf build")
    assert bang is not None and "shell command" in bang[1]
    assert _verdict(CODEX_IDLE, "codex", text="  !terraform destroy") is not None
    assert _verdict(CODEX_IDLE, "codex", text="fix it! now") is None


def test_judge_refuses_a_working_tool_that_takes_no_input():
    aider_working = "Tokens: 2k sent\n░█        Waiting for gpt-4o"
    verdict = _verdict(aider_working, "aider", command="python3")
    assert verdict is not None


# -- real panes -------------------------------------------------------------------------------


async def _start(tmux, argv: list[str], *, session: str | None = None) -> PaneInfo:
    return await tmux.start(argv, cwd=str(REPO), session=session or f"s-{uuid.uuid4().hex[:6]}",
                            env={"PYTHONPATH": str(REPO)}, width=100, height=30)


async def _agent_in_dialog(tmux, tmp_path, flavor: str = "codex") -> tuple[PaneInfo, pathlib.Path]:
    log = tmp_path / f"{flavor}.jsonl"
    pane = await _start(tmux, fake_agent_argv(flavor, log, work=0.2), session="api")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    await tmux.send_text(pane.pane_id, "clean up [approve terraform destroy]")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "terraform destroy" in s
                          and classify(s, flavor).state is State.APPROVAL,
                          message="the permission dialog")
    return pane, log


def _fleet(tmux, tmp_path, pane: PaneInfo, tool: str, **spec) -> Fleet:
    store = QueueStore(tmp_path / "data")
    store.load()
    journal = Journal(tmp_path / "data" / "journal.jsonl")
    return Fleet(tmux, [AgentSpec(name="api", tool=tool, target=pane.pane_id, **spec)],
                 store=store, journal=journal, settings=FleetSettings(idle_debounce=0.3))


def _events(fleet: Fleet, name: str) -> list[dict]:
    return fleet.journal.read(events=(name,))


async def test_send_now_and_policy_reminder_refuse_a_dialog_and_type_nothing(tmux, tmp_path):
    pane, log = await _agent_in_dialog(tmux, tmp_path)
    fleet = _fleet(tmux, tmp_path, pane, "codex",
                   policy="ArgoCD watches k8s/: every change goes through git.")
    await fleet.refresh()
    before = await screen(tmux, pane.pane_id)
    with pytest.raises(SendRefused) as refused:
        await fleet.send_now("api", "Actually, stop")
    assert refused.value.state is State.APPROVAL and not refused.value.typed
    assert str(refused.value).startswith("api needs approval: not sent")
    with pytest.raises(SendRefused):
        await fleet.remind_policy("api")
    # The dialog is still up, untouched: the fake agent would have approved on "1" or Enter.
    after = await screen(tmux, pane.pane_id)
    assert after == before
    assert logged_prompts(log) == ["clean up [approve terraform destroy]"]
    assert _events(fleet, "prompt_sent") == []
    refusals = _events(fleet, "send_refused")
    assert [(e["text"], e["state"]) for e in refusals][0] == ("Actually, stop", "approval")
    assert len(refusals) == 2


async def test_send_now_refuses_an_agent_that_exited_to_its_shell(tmux, tmp_path):
    log = tmp_path / "codex.jsonl"
    shell = await _start(tmux, ["bash", "--norc", "--noprofile"], session="api")
    argv = " ".join(fake_agent_argv("codex", log, work=0.2))
    await tmux.send_text(shell.pane_id, f"PYTHONPATH={REPO} {argv}",
                         pending=lambda s, t: False)
    await wait_for_screen(tmux, shell.pane_id, lambda s: "? for shortcuts" in s)
    await tmux.send_text(shell.pane_id, "/exit")
    await wait_for_screen(tmux, shell.pane_id, lambda s: s.rstrip()[-1:] in ("$", "#"),
                          message="the shell prompt back")
    fleet = _fleet(tmux, tmp_path, shell, "codex")
    snapshot = await fleet.refresh()
    assert snapshot.get("api").status.state is State.EXITED
    before = await screen(tmux, shell.pane_id)
    with pytest.raises(SendRefused) as refused:
        await fleet.send_now("api", "rm -rf build")
    assert refused.value.state is State.EXITED
    assert "bash is in the foreground" in str(refused.value)
    assert await screen(tmux, shell.pane_id) == before  # bash got no byte


async def test_a_dialog_opened_after_the_last_poll_is_caught_by_the_fresh_read(tmux, tmp_path):
    log = tmp_path / "codex.jsonl"
    pane = await _start(tmux, fake_agent_argv("codex", log, work=0.5), session="api")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    fleet = _fleet(tmux, tmp_path, pane, "codex")
    snapshot = await fleet.refresh()
    assert snapshot.get("api").status.state is State.IDLE
    # The agent asks for approval between two ticks: the fleet still holds "idle".
    await tmux.send_text(pane.pane_id, "deploy [approve kubectl apply -f k8s/]")
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, "codex").state is State.APPROVAL)
    assert fleet.snapshot.get("api").status.state is State.IDLE
    with pytest.raises(SendRefused) as refused:
        await fleet.send_now("api", "and then push")
    assert refused.value.state is State.APPROVAL
    assert logged_prompts(log) == ["deploy [approve kubectl apply -f k8s/]"]


async def test_queue_dispatch_refused_keeps_the_item_queued_and_untyped(tmux, tmp_path):
    log = tmp_path / "codex.jsonl"
    pane = await _start(tmux, fake_agent_argv("codex", log, work=0.5), session="api")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    fleet = _fleet(tmux, tmp_path, pane, "codex")
    item = await fleet.enqueue("api", "next task")
    await fleet.toggle_pause("api")
    await async_wait_until(lambda: _tracked_idle(fleet), message="a settled idle agent")
    # The agent asks for approval between two ticks: the fleet still holds a settled "idle".
    await tmux.send_text(pane.pane_id, "deploy [approve kubectl apply -f k8s/]")
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, "codex").state is State.APPROVAL)
    await fleet.toggle_pause("api")
    fleet.current()
    assert fleet.dispatch_ready() == ["api"]
    await fleet.wait_for_sends()
    assert fleet.store.get(item.id).state == QueueItemState.QUEUED
    assert logged_prompts(log) == ["deploy [approve kubectl apply -f k8s/]"]
    refusal = _events(fleet, "send_refused")
    assert [(e["text"], e["state"]) for e in refusal] == [("next task", "approval")]
    # Not retried against the same screen every tick.
    await fleet.refresh()
    assert fleet.dispatch_ready() == []


async def _tracked_idle(fleet: Fleet) -> bool:
    snapshot = await fleet.refresh()
    return snapshot.get("api").status.state is State.IDLE


async def test_enter_is_never_pressed_into_a_dialog_that_opened_while_typing(tmux, tmp_path):
    keys = tmp_path / "keys.bin"
    pane = await _start(tmux, [sys.executable, str(TURNCOAT), str(keys)])
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Ask Codex to do anything" in s)
    fleet = _fleet(tmux, tmp_path, pane, "codex")
    await fleet.refresh()
    with pytest.raises(SendRefused) as refused:
        await fleet.send_now("api", "fix the flaky test")
    assert refused.value.typed and refused.value.state is State.APPROVAL
    assert "Enter was not pressed" in str(refused.value)
    received = keys.read_bytes()
    assert b"fix the flaky test" in received
    assert b"\r" not in received and b"\n" not in received


async def test_restart_handoff_goes_through_the_gate(tmux, tmp_path):
    pane, log = await _agent_in_dialog(tmux, tmp_path)
    journal = Journal(tmp_path / "journal.jsonl")
    with pytest.raises(SendRefused):
        await deliver_handoff(SendGate(tmux), "api", pane.pane_id, "You are api. Carry on.",
                              tool="codex", journal=journal)
    assert journal.read() == []
    assert logged_prompts(log) == ["clean up [approve terraform destroy]"]


async def test_answer_refuses_a_dialog_other_than_the_one_shown(tmux, tmp_path):
    pane, log = await _agent_in_dialog(tmux, tmp_path)
    fleet = _fleet(tmux, tmp_path, pane, "codex")
    seen = (await fleet.refresh()).get("api").status.dialog_key
    assert seen is not None and seen.from_screen
    with pytest.raises(Exception, match="dialog changed"):
        await fleet.answer("api", True, seen=replace(seen, subject="Run ls?"))
    assert classify(await screen(tmux, pane.pane_id), "codex").state is State.APPROVAL
    await fleet.answer("api", False, seen=seen)
    await wait_for_screen(tmux, pane.pane_id,
                          lambda s: classify(s, "codex").state is not State.APPROVAL)
    with pytest.raises(Exception, match="not waiting for approval"):
        await fleet.answer("api", True, seen=seen)


async def test_yes_to_a_question_with_choices_presses_nothing(tmux, tmp_path):
    # Claude Code's AskUserQuestion, as the real 2.1.332 drew it: Enter would pick whichever
    # choice is highlighted, which is the person's to choose, not a yes.
    log = tmp_path / "keys.log"
    question = REPO / "tests" / "screens" / "claude" / "approval-63.txt"
    pane = await tmux.start([sys.executable, str(REPLAY), str(question), str(log)],
                            cwd=str(REPO), session="api", width=120, height=40)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Enter to select" in s)
    fleet = _fleet(tmux, tmp_path, pane, "claude")
    view = (await fleet.refresh()).get("api")
    assert (view.status.state, view.status.dialog) == (State.APPROVAL, "question")
    with pytest.raises(OrchestraError, match="asks a question with choices"):
        await fleet.answer("api", True, seen=view.status.dialog_key)
    assert not log.exists() or log.read_bytes() == b""
    await fleet.answer("api", False, seen=view.status.dialog_key)  # dismissing it is allowed
    await async_wait_until(lambda: asyncio.to_thread(lambda: log.exists() and log.read_bytes()),
                           timeout=15, message="the Escape")
    assert log.read_bytes() == b"\x1b"


# -- the command line -------------------------------------------------------------------------


def _orchestra(tmux, tmp_path, *args: str, stdin: str | None = None):
    config = tmp_path / "config.toml"
    if not config.exists():
        config.write_text('[[agent]]\nname = "api"\ntool = "codex"\ntarget = "api"\n')
    return subprocess.run(
        [sys.executable, "-m", "orchestra_tui", "--config", str(config),
         "-L", tmux.runner.socket_name, *args],
        capture_output=True, text=True, cwd=REPO, input=stdin, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
             "XDG_DATA_HOME": str(tmp_path / "xdg")})


async def test_orchestra_send_refuses_a_dialog_in_one_line_and_queues_on_request(tmux, tmp_path):
    pane, log = await _agent_in_dialog(tmux, tmp_path)
    before = await screen(tmux, pane.pane_id)
    done = _orchestra(tmux, tmp_path, "send", "api", "Stop.")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("orchestra: api needs approval: not sent")
    assert await screen(tmux, pane.pane_id) == before
    queued = _orchestra(tmux, tmp_path, "send", "api", "Stop.", "--queue")
    assert queued.returncode == 0 and "queued for api" in queued.stdout
    store = json.loads((tmp_path / "xdg" / "orchestra" / "queues.json").read_text())
    assert [(i["agent"], i["text"], i["state"]) for i in store["items"]] == [
        ("api", "Stop.", "queued")]
    journal = [json.loads(line) for line in
               (tmp_path / "xdg" / "orchestra" / "journal.jsonl").read_text().splitlines()]
    assert "prompt_sent" not in {entry["event"] for entry in journal}
    assert logged_prompts(log) == ["clean up [approve terraform destroy]"]


async def test_orchestra_send_to_a_plain_shell_needs_to_shell(tmux, tmp_path):
    shell = await _start(tmux, ["bash", "--norc", "--noprofile"], session="sh")
    marker = tmp_path / "ran"
    await wait_for_screen(tmux, shell.pane_id, lambda s: "$" in s or "#" in s)
    before = await screen(tmux, shell.pane_id)
    refused = _orchestra(tmux, tmp_path, "send", shell.pane_id, f"touch {marker}")
    assert refused.returncode == 1 and "--to-shell" in refused.stderr
    assert await screen(tmux, shell.pane_id) == before
    sent = _orchestra(tmux, tmp_path, "send", shell.pane_id, f"touch {marker}", "--to-shell")
    assert sent.returncode == 0, sent.stderr
    await async_wait_until(lambda: _exists(marker), message="the shell ran the command")


async def _exists(path: pathlib.Path) -> bool:
    return path.exists()


async def test_a_queued_item_claimed_elsewhere_is_left_alone_untyped(tmux, tmp_path):
    log = tmp_path / "codex.jsonl"
    pane = await _start(tmux, fake_agent_argv("codex", log, work=0.2), session="api")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    fleet = _fleet(tmux, tmp_path, pane, "codex")
    item = await fleet.enqueue("api", "only once")
    await async_wait_until(lambda: _tracked_idle(fleet), message="a settled idle agent")
    other = QueueStore(tmp_path / "data")  # another orchestra claims it first
    other.mark_sending(item.id)
    # The dispatcher saw it queued a moment before: the claim is where the race is decided.
    await fleet.directing.deliver(fleet.context.slot("api"), item)
    assert fleet.store.get(item.id).state == QueueItemState.SENDING  # still the other's
    assert logged_prompts(log) == []
