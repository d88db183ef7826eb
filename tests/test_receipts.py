"""Delivery receipts (issue 20, item 2) with real parts: the simulated agent in a real tmux pane
(told to swallow Enter presses, as a real CLI sometimes does), the real hook program writing
`UserPromptSubmit` events, the store on disk, the fleet's own dispatch.

A queued prompt moves queued -> typed -> submitted -> answered; one whose Enter was swallowed is
`unsubmitted` and holds its queue until Enter is pressed again (never retyped); after a crash an
item found `sending` is settled by a hook event carrying its digest, or by its text still in the
composer, and only without evidence stays `uncertain`. The attacks: two sends racing while one
is unsubmitted, a prompt of newlines and control bytes, and an agent restarted since typing.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import subprocess
import sys

import pytest

from orchestra_tui.agents.hook_events import HookEvent
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.report import session_report
from orchestra_tui.core.sending.receipts import (
    STILL_IN_COMPOSER,
    Look,
    SubmitRefused,
    evidence,
    pane_identity,
    receipt_of,
)
from orchestra_tui.core.sending.send_gate import SendRefused
from orchestra_tui.models import AgentSpec, PaneInfo, QueueItem, QueueItemState, State
from orchestra_tui.receipt import ReceiptState, ReceiptStep
from orchestra_tui.services.hooks.log import HookLog, prompt_digest
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.helpers import async_wait_until
from tests.tmux_fixtures import (
    REPO,
    fake_agent_argv,
    logged_prompts,
    screen,
    wait_for_screen,
)

pytestmark = pytest.mark.slow

R = ReceiptState
RECIPE_PRESSES = 4  # the send recipe's Enter and its three retries


def hook_command(data) -> str:
    return shlex.join([sys.executable, "-m", "orchestra_tui.commands.hook", "--tool", "claude",
                       "--data-dir", str(data)])


async def start_agent(tmux, tmp_path, name: str, flavor: str = "codex", *, work: float = 1.5,
                      swallow: int = 0, hooks=None):
    extra: tuple[str, ...] = ("--swallow-enters", str(swallow)) if swallow else ()
    if hooks is not None:
        extra += ("--hook", hook_command(hooks))
    log = tmp_path / f"{name}.jsonl"
    pane = await tmux.start(fake_agent_argv(flavor, log, work=work, extra=extra), cwd=str(REPO),
                            session=name, env={"PYTHONPATH": str(REPO)}, width=100, height=30)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s,
                          message=f"{name} ready")
    return pane, log


def build_fleet(tmux, tmp_path, panes: dict, *, hooks: bool = False) -> Fleet:
    data = tmp_path / "data"
    store = QueueStore(data)
    store.load()
    return Fleet(tmux, [AgentSpec(name=name, tool=tool, target=pane.pane_id)
                        for name, (pane, tool) in panes.items()],
                 store=store, journal=Journal(data / "journal.jsonl"),
                 settings=FleetSettings(idle_debounce=0.3),
                 hooks=HookLog(data) if hooks else None)


async def receipt_becomes(fleet: Fleet, item_id: str, state: ReceiptState, *,
                          dispatch: bool = True, timeout: float = 40.0):
    async def reached():
        await fleet.refresh()
        if dispatch:
            fleet.dispatch_ready()
        item = fleet.store.get(item_id)
        return item if receipt_of(item, fleet.clock()).state is state else None

    return await async_wait_until(reached, timeout=timeout, interval=0.1,
                                  message=f"{item_id} {state}")


async def test_swallowed_enter_is_unsubmitted_holds_the_queue_and_one_enter_submits_it(
        tmux, tmp_path):
    pane, log = await start_agent(tmux, tmp_path, "api", swallow=RECIPE_PRESSES)
    fleet = build_fleet(tmux, tmp_path, {"api": (pane, "codex")})
    await fleet.refresh()
    first = await fleet.enqueue("api", "run the tests")
    second = await fleet.enqueue("api", "then fix what fails")

    item = await receipt_becomes(fleet, first.id, R.UNSUBMITTED)
    assert item.state is QueueItemState.UNCERTAIN  # it holds the queue behind it
    assert receipt_of(item, fleet.clock()).why == STILL_IN_COMPOSER
    assert [step.state for step in item.receipt] == [R.TYPED, R.UNSUBMITTED]
    assert logged_prompts(log) == []
    for _ in range(5):  # ticks with the agent idle: the second prompt is not typed after it
        await fleet.refresh()
        fleet.dispatch_ready()
        await fleet.wait_for_sends()
    assert fleet.store.get(second.id).state is QueueItemState.QUEUED
    assert "run the tests" in await screen(tmux, pane.pane_id)

    pressed = await fleet.submit_again("api", first.id)
    assert pressed.state is R.TYPED
    answered = await receipt_becomes(fleet, first.id, R.ANSWERED, dispatch=False)
    states = [step.state for step in answered.receipt]
    assert states == [R.TYPED, R.UNSUBMITTED, R.TYPED, R.SUBMITTED, R.ANSWERED]
    assert answered.receipt[2].at <= answered.receipt[3].at <= answered.receipt[4].at
    assert logged_prompts(log) == ["run the tests"]  # Enter only: never typed twice
    await receipt_becomes(fleet, second.id, R.TYPED, timeout=30)
    await fleet.wait_for_sends()
    assert fleet.store.get(second.id).state is QueueItemState.SENT

    # Every step is journaled for `orchestra report`.
    entries = [json.loads(line) for line in
               (tmp_path / "data" / "journal.jsonl").read_text().splitlines()]
    told = [(e["item"], e["state"]) for e in entries if e["event"] == "receipt"]
    assert (first.id, "unsubmitted") in told and (first.id, "answered") in told


async def test_the_hook_program_s_user_prompt_submit_is_the_submission_proof(tmux, tmp_path):
    data = tmp_path / "data"
    pane, log = await start_agent(tmux, tmp_path, "rev", "claude", work=2, hooks=data)
    fleet = build_fleet(tmux, tmp_path, {"rev": (pane, "claude")}, hooks=True)
    await fleet.refresh()
    item = await fleet.enqueue("rev", "review the diff")
    submitted = await receipt_becomes(fleet, item.id, R.SUBMITTED)
    # Whichever the tick read first, the hook's event or the working screen, proves it.
    assert submitted.receipt[-1].why in ("hook: UserPromptSubmit", "screen: working")
    # The event carries the prompt's digest, never its words.
    events = HookLog(data).read_new(pane.pane_id)
    submits = [event for event in events if event.event == "UserPromptSubmit"]
    assert submits and submits[-1].prompt == submitted.receipt[0].digest
    assert "review the diff" not in (data / "hooks").joinpath(
        f"pane-{pane.pane_id.lstrip('%')}.jsonl").read_text()
    await receipt_becomes(fleet, item.id, R.ANSWERED, dispatch=False)


async def test_after_a_crash_sending_items_are_settled_by_evidence_only(tmux, tmp_path):
    data = tmp_path / "data"
    hooked, hooked_log = await start_agent(tmux, tmp_path, "hooked", "claude", work=1,
                                           hooks=data)
    typed_only, _ = await start_agent(tmux, tmp_path, "typed", "codex")
    silent, _ = await start_agent(tmux, tmp_path, "silent", "codex")
    before = QueueStore(data)
    before.load()
    claimed = {}
    for name, pane, text in (("hooked", hooked, "write the changelog"),
                             ("typed", typed_only, "bump the version"),
                             ("silent", silent, "tag the release")):
        item = before.add(name, text)
        before.add(name, f"after {text}")
        claimed[name] = before.mark_sending(item.id, pane_identity(pane))
    # The crash came after the text went in: Enter landed in one pane, not in the other.
    await tmux.send_text(hooked.pane_id, "write the changelog")
    await tmux.send_text(typed_only.pane_id, "bump the version", submit=False)
    await wait_for_screen(tmux, typed_only.pane_id, lambda s: "bump the version" in s)
    assert logged_prompts(hooked_log) == ["write the changelog"]

    fleet = build_fleet(tmux, tmp_path, {"hooked": (hooked, "claude"),
                                         "typed": (typed_only, "codex"),
                                         "silent": (silent, "codex")}, hooks=True)
    assert all(fleet.store.get(item.id).state is QueueItemState.UNCERTAIN
               for item in claimed.values())
    await receipt_becomes(fleet, claimed["hooked"].id, R.SUBMITTED, dispatch=False)
    await receipt_becomes(fleet, claimed["typed"].id, R.UNSUBMITTED, dispatch=False)
    settled = fleet.store.get(claimed["hooked"].id)
    assert settled.state is QueueItemState.SENT  # the items behind it may go
    assert fleet.store.get(claimed["typed"].id).state is QueueItemState.UNCERTAIN
    for _ in range(5):
        await fleet.refresh()
    silent_item = fleet.store.get(claimed["silent"].id)
    assert receipt_of(silent_item, fleet.clock()).state is R.UNCERTAIN
    assert fleet.store.next_ready("silent") is None  # no evidence: it holds the rest
    assert fleet.store.next_ready("typed") is None
    assert fleet.store.next_ready("hooked") is not None


async def test_two_sends_racing_while_one_is_unsubmitted_never_join(tmux, tmp_path):
    pane, log = await start_agent(tmux, tmp_path, "api", swallow=RECIPE_PRESSES)
    fleet = build_fleet(tmux, tmp_path, {"api": (pane, "codex")})
    await fleet.refresh()
    first = await fleet.enqueue("api", "first prompt alone")
    await receipt_becomes(fleet, first.id, R.UNSUBMITTED)
    # The fake agent draws a draft without colours, so only the receipt tells the gate that the
    # composer holds orchestra's own unsubmitted text: typed after it, the two would join.
    with pytest.raises(SendRefused, match="prompt box holds unsent text"):
        await fleet.send_now("api", "second prompt")
    assert logged_prompts(log) == []

    enter, send = await asyncio.gather(fleet.submit_again("api", first.id),
                                       fleet.send_now("api", "second prompt"),
                                       return_exceptions=True)
    assert not isinstance(enter, BaseException), enter
    # Whoever held the pane first, the second prompt was never typed into the first's text.
    assert isinstance(send, SendRefused) or logged_prompts(log)[1:] == ["second prompt"]
    await async_wait_until(lambda: asyncio.sleep(0, logged_prompts(log)), timeout=10,
                           message="the first prompt submitted")
    assert logged_prompts(log)[0] == "first prompt alone"


async def test_a_prompt_of_newlines_and_control_bytes_is_recognised_in_the_composer(
        tmux, tmp_path):
    pane, log = await start_agent(tmux, tmp_path, "api", swallow=RECIPE_PRESSES)
    fleet = build_fleet(tmux, tmp_path, {"api": (pane, "codex")})
    await fleet.refresh()
    hostile = "first line\x1b[2J\nsecond\x07 line\r\n\x1b]0;owned\x07third line"
    item = await fleet.enqueue("api", hostile)
    await receipt_becomes(fleet, item.id, R.UNSUBMITTED)
    await fleet.submit_again("api", item.id)
    prompts = await async_wait_until(lambda: asyncio.sleep(0, logged_prompts(log)),
                                     timeout=10, message="submitted")
    assert prompts == ["first line\nsecond line\nthird line"]


async def test_a_receipt_whose_agent_restarted_gets_no_enter(tmux, tmp_path):
    pane, log = await start_agent(tmux, tmp_path, "api", swallow=RECIPE_PRESSES)
    fleet = build_fleet(tmux, tmp_path, {"api": (pane, "codex")})
    await fleet.refresh()
    item = await fleet.enqueue("api", "deploy the docs")
    await receipt_becomes(fleet, item.id, R.UNSUBMITTED)
    # The agent restarts; the same words sit in the new process's composer (the person typed
    # them): still not the prompt that was typed, so no Enter.
    log2 = tmp_path / "api-again.jsonl"
    await tmux.respawn(pane.pane_id, fake_agent_argv("codex", log2, extra=(
        "--swallow-enters", "0")), cwd=str(REPO))
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s)
    await tmux.send_text(pane.pane_id, "deploy the docs", submit=False)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "deploy the docs" in s)
    await fleet.refresh()
    with pytest.raises(SubmitRefused, match="restarted"):
        await fleet.submit_again("api", item.id)
    assert logged_prompts(log2) == [] and logged_prompts(log) == []
    assert "deploy the docs" in await screen(tmux, pane.pane_id)


async def test_enter_is_not_pressed_when_the_composer_lost_the_text(tmux, tmp_path):
    pane, log = await start_agent(tmux, tmp_path, "api", swallow=RECIPE_PRESSES)
    fleet = build_fleet(tmux, tmp_path, {"api": (pane, "codex")})
    await fleet.refresh()
    item = await fleet.enqueue("api", "multi\nline\x1b[31m prompt\x07")
    await receipt_becomes(fleet, item.id, R.UNSUBMITTED)
    await tmux.send_keys(pane.pane_id, "C-u")  # the person cleared the composer
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Pasted" not in s)
    with pytest.raises(SubmitRefused, match="no longer holds"):
        await fleet.submit_again("api", item.id)
    assert logged_prompts(log) == []


def test_a_queue_file_from_before_receipts_still_loads(tmp_path):
    old = {"version": 1, "paused": [], "history": {"api": ["hello"]}, "items": [
        {"id": "a1", "agent": "api", "text": "run the tests", "state": "sent",
         "created_at": 10.0, "sent_at": 20.0, "source": "person"},
        {"id": "a2", "agent": "api", "text": "then lint", "state": "queued",
         "created_at": 11.0, "sent_at": None, "source": "person"},
        {"id": "a3", "agent": "api", "text": "deploy", "state": "sending",
         "created_at": 12.0, "sent_at": None, "source": "person"}]}
    (tmp_path / "queues.json").write_text(json.dumps(old))
    store = QueueStore(tmp_path)
    assert [item.id for item in store.load()] == ["a3"]
    items = {item.id: item for item in store.items("api")}
    assert {key: receipt_of(item, 100.0).state for key, item in items.items()} == {
        "a1": R.SENT, "a2": R.QUEUED, "a3": R.UNCERTAIN}
    # New steps go on and come back from disk.
    store.note("a1", ReceiptStep(R.ANSWERED, 30.0))
    again = QueueStore(tmp_path).get("a1")
    assert again.receipt == (ReceiptStep(R.ANSWERED, 30.0),)
    assert json.loads((tmp_path / "queues.json").read_text())["version"] == 1


def test_a_turn_start_is_the_prompt_s_own_only_by_its_digest_after_typing():
    typed = ReceiptStep(R.TYPED, 100.0, pane="%3@42", digest=prompt_digest("ship it"))
    crashed = QueueItem(id="c", agent="api", text="ship it", state=QueueItemState.UNCERTAIN,
                        receipt=(typed,))
    pane = PaneInfo(pane_id="%3", pid=42, session_name="s", window_index=0, pane_index=0,
                    current_command="python", current_path="/", title="", dead=False,
                    activity=0, width=80, height=24)

    def look(*events: HookEvent) -> Look:
        return Look(State.IDLE, 90.0, "› \n", pane, events)

    def submit(at: float, prompt: str) -> HookEvent:
        return HookEvent(at=at, event="UserPromptSubmit", pane_id="%3", prompt=prompt)

    mine = evidence(crashed, look(submit(100.5, typed.digest)), now=101.0)
    assert mine is not None and mine.step.state is R.SUBMITTED and mine.step.at == 100.5
    # Another prompt's turn, one from before the typing, one that names no prompt: no proof
    # after a crash (live, a nameless one would do).
    assert evidence(crashed, look(submit(101.0, prompt_digest("other"))), now=102.0) is None
    assert evidence(crashed, look(submit(50.0, typed.digest)), now=102.0) is None
    assert evidence(crashed, look(submit(101.0, "")), now=102.0) is None
    live = QueueItem(id="l", agent="api", text="ship it", state=QueueItemState.SENT,
                     receipt=(typed,))
    assert evidence(live, look(submit(101.0, "")), now=102.0) is not None


def test_report_counts_each_prompt_once_by_its_latest_receipt():
    entries = [{"at": 1.0, "event": "receipt", "agent": "api", "item": item, "state": state}
               for item, state in (("a", "typed"), ("a", "submitted"), ("a", "answered"),
                                   ("b", "refused"), ("b", "typed"), ("b", "unsubmitted"),
                                   ("c", "refused"), ("d", "typed"), ("d", "uncertain"))]
    report = session_report(entries, now=2.0)
    assert report["api"].receipts == {"sent": 3, "submitted": 0, "answered": 1, "refused": 1,
                                      "unsubmitted": 1, "uncertain": 1}
    assert report["api"].to_dict()["receipts"]["answered"] == 1


def orchestra(tmux, tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orchestra_tui", *args, "--config", str(tmp_path / "config.toml"),
         "-L", tmux.runner.socket_name, "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, cwd=REPO, timeout=60, stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"})


async def test_queue_status_and_submit_from_the_command_line(tmux, tmp_path):
    pane, log = await start_agent(tmux, tmp_path, "api", swallow=RECIPE_PRESSES)
    (tmp_path / "config.toml").write_text(
        f'[[agent]]\nname = "api"\ntool = "codex"\ntarget = "{pane.pane_id}"\n')
    fleet = build_fleet(tmux, tmp_path, {"api": (pane, "codex")})
    await fleet.refresh()
    item = await fleet.enqueue("api", "rebase on main")
    await receipt_becomes(fleet, item.id, R.UNSUBMITTED)

    listed = await asyncio.to_thread(orchestra, tmux, tmp_path, "queue", "api", "--json")
    rows = json.loads(listed.stdout)
    assert rows[0]["items"][0]["receipt"]["state"] == "unsubmitted"
    shown = await asyncio.to_thread(orchestra, tmux, tmp_path, "queue")
    assert "unsubmitted" in shown.stdout and "rebase on main" in shown.stdout
    status = await asyncio.to_thread(orchestra, tmux, tmp_path, "status", "--json")
    receipts = json.loads(status.stdout)[0]["receipts"]
    assert [(r["id"], r["state"]) for r in receipts] == [(item.id, "unsubmitted")]

    wrong = await asyncio.to_thread(orchestra, tmux, tmp_path, "queue", "api", "--submit", "nope")
    assert wrong.returncode != 0 and logged_prompts(log) == []
    pressed = await asyncio.to_thread(orchestra, tmux, tmp_path, "queue", "api", "--submit",
                                      item.id)
    assert pressed.returncode == 0, pressed.stderr
    assert "Enter pressed again" in pressed.stdout
    await async_wait_until(lambda: asyncio.sleep(0, logged_prompts(log) == ["rebase on main"]),
                           timeout=10, message="submitted from the command line")
    again = await asyncio.to_thread(orchestra, tmux, tmp_path, "queue", "api", "--submit",
                                    item.id)
    assert again.returncode != 0 and "not unsubmitted" in again.stderr
    assert logged_prompts(log) == ["rebase on main"]
