"""A working day in one run, as a person would have it: orchestra's app fleet polls all day
(refresh + dispatch, as the app's poll worker does) while the person types commands beside it.

Three agents are started with `orchestra new` on three lanes (two on this machine, one on a
`[[host]]` behind a real sshd on loopback), each gets two follow-ups with `send --queue`, and
the fleet dispatches them. One agent asks for approval and the person approves it
(`orchestra approve`); one is restarted with a handoff in the middle of a turn; the host goes
down while a prompt is queued for its agent and comes back (the prompt goes in once, then);
one agent with a dirty worktree is retired (`retire --force`). At the end the journal and each
agent's own prompt log agree on every prompt, the retired agent is gone, there was one
approval and no prompt was typed into a dialog.

Real tmux (isolated sockets), real git repositories in temporary folders, the simulated agent
(`orchestra_tui.demo.fake_agent`) as each lane's command.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pathlib
import shlex
import sys
import time
from collections.abc import Callable

import pytest

from orchestra_tui.bootstrap import boot
from orchestra_tui.core.fleet.fleet import Fleet, FleetSnapshot
from orchestra_tui.models import QueueItemState, State
from orchestra_tui.services.store.agents_registry import AgentsRegistry
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.service import TmuxService
from tests.helpers import async_wait_until
from tests.lifecycle_fixtures import *  # noqa: F403 (the repositories)
from tests.lifecycle_fixtures import Repos, git
from tests.ssh_fixtures import ALIAS, SshHost, needs_sshd, remote_socket
from tests.tmux_fixtures import (
    REPO,
    fake_agent_argv,
    logged_prompts,
    screen,
    start_fake_agent,
)

pytestmark = pytest.mark.slow

POLL = 0.25  # the app's poll interval here (its default)
LANES = {"w1": "shop", "w2": "notes", "w3": "gpu"}


def lane_table(name: str, path: pathlib.Path, log: pathlib.Path, *, branch: str,
               host: str = "", repo: str = "acme/shop") -> str:
    # A host's tmux server may be started over ssh, which brings no PYTHONPATH: `env` sets it.
    command = shlex.join(["env", f"PYTHONPATH={REPO}", *fake_agent_argv("codex", log, work=0.3)])
    return (f'[[lane]]\nname = "{name}"\nrepo = "{repo}"\npath = "{path}"\n'
            + (f'host = "{host}"\n' if host else "")
            + f'branch = "{branch}"\ntool = "codex"\ncommand = {command!r}\n'
            f'policy = "all changes via PRs"\n\n')


def day_config(ssh_host: SshHost, remote: TmuxService, shop: pathlib.Path,
               notes: pathlib.Path, gpu_clone: pathlib.Path,
               logs: dict[str, pathlib.Path]) -> str:
    """One lane per agent (each lane's command logs to the agent's own file)."""
    options = ", ".join(f'"{option}"' for option in ssh_host.ssh_options)
    return (f'[[host]]\nname = "gpu"\nssh = "{ALIAS}"\nssh_options = [{options}]\n'
            f'socket_path = "{remote_socket(remote)}"\n\n'
            + lane_table("shop", shop, logs["w1"], branch="codex/*")
            + lane_table("notes", notes, logs["w2"], branch="notes/*", repo="acme/notes")
            + lane_table("gpu", gpu_clone, logs["w3"], branch="gpu/*", host="gpu")
            + f"[ui]\npoll_seconds = {POLL}\nidle_debounce_seconds = 0.3\n")


class App:
    """The running orchestra: the fleet the app builds (`boot(..., long_lived=True)`: control
    mode, the host router, the app lock), polled as the app's `_poll` worker does."""

    def __init__(self, config: pathlib.Path, socket: str, data: pathlib.Path) -> None:
        self.booted = boot(argparse.Namespace(config=str(config), socket_name=socket,
                                              socket_path=None, data_dir=str(data)),
                           long_lived=True)
        self.fleet: Fleet = self.booted.fleet
        self.snapshot = FleetSnapshot(agents=(), at=0.0)
        self.ticks = 0
        self.errors: list[str] = []
        self.watchers: list[Callable[[FleetSnapshot], None]] = []
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.ensure_future(self._poll())

    async def _poll(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            snapshot = await self.fleet.refresh()
            self.fleet.dispatch_ready()
            if snapshot.tick_error:
                self.errors.append(snapshot.tick_error)
            self.snapshot = snapshot
            self.ticks += 1
            for watch in self.watchers:
                watch(snapshot)
            await self.fleet.wait_for_news(max(0.0, POLL - (loop.time() - started)))

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
        await self.fleet.wait_for_sends()
        self.fleet.close()
        await self.booted.aclose()
        lock = self.booted.services.app_lock
        if lock is not None:
            lock.release()

    def state(self, name: str) -> State | None:
        view = self.snapshot.get(name)
        return view.status.state if view is not None else None

    def items(self, name: str):
        return self.fleet.store.items(name)

    async def until(self, predicate: Callable[[], object], *, timeout: float = 30.0,
                    message: str) -> object:
        """Wait (with a deadline) for `predicate`, looked at after each new tick."""
        seen = [self.ticks]

        async def check() -> object:
            if self.task is not None and self.task.done():
                self.task.result()  # the poll loop died: say why
            if self.ticks == seen[0]:
                return None
            seen[0] = self.ticks
            return predicate()

        try:
            return await async_wait_until(check, timeout=timeout, interval=0.05,
                                          message=message)
        except AssertionError as error:
            rows = [(v.name, str(v.status.state), v.status.reason,
                     [(i.text[:30], str(i.state)) for i in v.queue])
                    for v in self.snapshot.agents]
            raise AssertionError(f"{error}; last states: {rows}; tick errors: "
                                 f"{self.errors[-3:]}") from None

    async def ticks_pass(self, count: int, check: Callable[[], None]) -> None:
        """`count` more ticks (each with its dispatch), `check` holding after each."""
        for _ in range(count):
            target = self.ticks + 1
            await self.until(lambda target=target: self.ticks >= target, timeout=20,
                             message="a tick")
            check()


class Person:
    """The person's terminal: `orchestra ...` as subprocesses (never blocking the app's loop)."""

    def __init__(self, config: pathlib.Path, socket: str, data: pathlib.Path) -> None:
        self.base = ["--config", str(config), "-L", socket, "--data-dir", str(data)]
        self.env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.typed: list[str] = []

    async def orchestra(self, *args: str, expect: int = 0) -> str:
        self.typed.append(shlex.join(["orchestra", *args]))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "orchestra_tui", *args, *self.base,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=self.env,
            cwd=str(REPO))
        out, err = await asyncio.wait_for(process.communicate(), timeout=90)
        stdout, stderr = out.decode(), err.decode()
        assert process.returncode == expect, (
            f"`orchestra {shlex.join(args)}` exited {process.returncode}, not {expect}:\n"
            f"{stdout}{stderr}")
        return stdout + stderr


def sent(items, *texts: str) -> bool:
    by_text = {item.text: item.state for item in items}
    return all(by_text.get(text) == QueueItemState.SENT for text in texts)


@needs_sshd
async def test_a_working_day(tmux: TmuxService, remote_tmux: TmuxService, ssh_host: SshHost,
                             tmp_path: pathlib.Path, repos: Repos,
                             local_repo: pathlib.Path) -> None:
    began = time.monotonic()
    # The host's clone of the shop, on "the other machine" (reached only through ssh).
    gpu_clone = tmp_path / "gpu-shop"
    git(tmp_path, "clone", "-q", str(repos.remote), str(gpu_clone))
    logs = {name: tmp_path / "logs" / f"{name}.jsonl" for name in LANES}
    (tmp_path / "logs").mkdir()
    config = tmp_path / "config.toml"
    config.write_text(day_config(ssh_host, remote_tmux, repos.clone, local_repo, gpu_clone,
                                 logs), encoding="utf-8")
    data = tmp_path / "data"
    socket = tmux.runner.socket_name

    # -- morning: orchestra is open; three agents started on their lanes ---------------------
    app = App(config, socket, data)
    app.start()
    person = Person(config, socket, data)
    try:
        await _day(app, person, ssh_host, tmux, logs, data)
    finally:
        await app.stop()
    assert time.monotonic() - began < 120, f"the day took {time.monotonic() - began:.0f}s"


async def _day(app: App, person: Person, ssh_host: SshHost, tmux: TmuxService,
               logs: dict[str, pathlib.Path], data: pathlib.Path) -> None:
    first = {
        "w1": "Read issue #11 (https://github.com/acme/shop/issues/11) and all its comments, "
              "then implement it on a branch matching codex/11; open a PR when done.\n\n"
              "[work 3] [approve git push origin codex/11] Ship the CSV export.",
        "w2": "[work 1] Sketch the notes format.",
        "w3": "Read issue #12 (https://github.com/acme/shop/issues/12) and all its comments, "
              "then implement it on a branch matching gpu/12; open a PR when done.\n\n"
              "[work 1] Train on the GPU box.",
    }
    follow_ups = {
        "w1": ["w1 follow-up 1: add the header row [work 0.5]",
               "w1 follow-up 2: quote the commas [work 0.5]"],
        # Its first follow-up is a long turn: the restart comes in the middle of it.
        "w2": ["w2 follow-up 1: rewrite the parser [work 60]",
               "w2 follow-up 2: after the restart, the tests [work 0.5]"],
        "w3": ["w3 follow-up 1: tune the batch size [work 0.5]",
               "w3 follow-up 2: plot the loss [work 0.5]"],
    }
    while_down = "w3 follow-up 3: queued while the host was down [work 0.5]"

    made = await person.orchestra("new", "w1", "--lane", "shop", "--issue", "11", "--prompt",
                                  "[work 3] [approve git push origin codex/11] Ship the CSV "
                                  "export.", "--no-github", "--timeout", "30")
    assert "its first prompt was sent" in made, made
    for text in follow_ups["w1"]:
        assert (await person.orchestra("send", "w1", text, "--queue")).startswith("queued")
    made = await person.orchestra("new", "w2", "--lane", "notes", "--prompt",
                                  first["w2"], "--no-github", "--timeout", "30")
    assert "its first prompt was sent" in made, made
    for text in follow_ups["w2"]:
        await person.orchestra("send", "w2", text, "--queue")
    made = await person.orchestra("new", "w3", "--lane", "gpu", "--issue", "12", "--prompt",
                                  "[work 1] Train on the GPU box.", "--no-github",
                                  "--timeout", "30")
    assert "on host gpu" in made and "its first prompt was sent" in made, made
    for text in follow_ups["w3"]:
        await person.orchestra("send", "w3", text, "--queue")
    await app.until(lambda: all(app.snapshot.get(name) is not None for name in LANES),
                    timeout=30, message="the app following the three new agents")
    assert app.fleet.spec("w3").host == "gpu"

    # -- w1 asks to push: its follow-ups wait behind the dialog, then the person approves ---
    await app.until(lambda: app.state("w1") is State.APPROVAL, timeout=30,
                    message="w1's permission dialog")
    view = app.snapshot.get("w1")
    assert view.status.dialog_key is not None, view.status

    def still_waiting() -> None:
        assert app.state("w1") is State.APPROVAL, app.state("w1")
        assert [str(item.state) for item in app.items("w1")] == ["queued", "queued"]

    await app.ticks_pass(4, still_waiting)  # ticks with dispatch: nothing goes in
    shown = await screen(tmux, view.pane.pane_id)
    assert "git push origin codex/11" in shown
    assert not any(text in shown for text in follow_ups["w1"]), shown
    approved = await person.orchestra("approve", "w1")
    assert "w1" in approved, approved
    await app.until(lambda: sent(app.items("w1"), *follow_ups["w1"])
                    and app.state("w1") is State.IDLE, timeout=40,
                    message="w1's follow-ups after the approval")

    # -- w2 is restarted mid-turn with a handoff; its second follow-up waits for it ---------
    await app.until(lambda: sent(app.items("w2"), follow_ups["w2"][0])
                    and app.state("w2") is State.WORKING, timeout=40,
                    message="w2 working on its long follow-up")
    composed = await app.fleet.compose_handoff("w2", note="Restarted to clear its context.")
    assert "Restarted to clear its context." in composed
    # The person edits the handoff before saving it (as in the app's editor): a short turn.
    handoff = "[work 0.5] " + " ".join(composed.split())
    outcome = await app.fleet.restart("w2", handoff)
    assert outcome.handoff_sent and outcome.respawned, outcome.summary
    await app.until(lambda: sent(app.items("w2"), *follow_ups["w2"])
                    and app.state("w2") is State.IDLE, timeout=40,
                    message="w2's queue resumed after the handoff")

    # -- the host goes down while a prompt is queued for w3; it comes back -------------------
    await app.until(lambda: sent(app.items("w3"), *follow_ups["w3"])
                    and app.state("w3") is State.IDLE, timeout=60,
                    message="w3's follow-ups done on the host")
    before_down = len(logged_prompts(logs["w3"]))
    ssh_host.stop()
    await app.until(lambda: app.state("w3") is State.UNREACHABLE, timeout=40,
                    message="w3 unreachable once the host is gone")
    queued = await person.orchestra("send", "w3", while_down, "--queue")
    assert queued.startswith("queued"), queued

    def waits_for_the_host() -> None:
        assert app.state("w3") is State.UNREACHABLE, app.state("w3")
        [item] = [item for item in app.items("w3") if item.text == while_down]
        assert item.state == QueueItemState.QUEUED, item
        assert app.state("w1") is State.IDLE and app.state("w2") is State.IDLE

    await app.ticks_pass(6, waits_for_the_host)
    assert len(logged_prompts(logs["w3"])) == before_down
    ssh_host.start()
    await app.until(lambda: sent(app.items("w3"), while_down)
                    and app.state("w3") is State.IDLE, timeout=60,
                    message="the host back and the queued prompt sent")
    await app.ticks_pass(4, lambda: None)  # a few more dispatching ticks: nothing twice

    # -- evening: w1 is retired; its worktree holds a scratch file ---------------------------
    record = AgentsRegistry(data).get("w1")
    assert record is not None
    worktree = pathlib.Path(record.worktree)
    (worktree / "scratch.txt").write_text("half an idea\n", encoding="utf-8")
    refused = await person.orchestra("retire", "w1", expect=1)
    assert "uncommitted" in refused, refused
    assert AgentsRegistry(data).get("w1") is not None and worktree.exists()
    retired = await person.orchestra("retire", "w1", "--force")
    assert retired.startswith("w1 retired"), retired
    await app.until(lambda: app.snapshot.get("w1") is None, timeout=20,
                    message="w1 gone from the fleet")
    await app.fleet.wait_for_sends()

    # -- the record of the day ---------------------------------------------------------------
    assert AgentsRegistry(data).get("w1") is None
    assert sorted(r.name for r in AgentsRegistry(data).records()) == ["w2", "w3"]
    assert not worktree.exists()
    assert "w1" not in (await tmux.run("list-sessions", "-F", "#{session_name}")).stdout.split()

    journal = Journal(data / "journal.jsonl")
    expected = {
        "w1": [first["w1"], *follow_ups["w1"]],
        "w2": [first["w2"], *follow_ups["w2"][:1], handoff, follow_ups["w2"][1]],
        "w3": [first["w3"], *follow_ups["w3"], while_down],
    }
    for name, texts in expected.items():
        events = journal.read(agent=name, events=["prompt_sent"])
        journaled = [event["text"] for event in events]
        logged = logged_prompts(logs[name])
        assert journaled == logged, (name, journaled, logged)
        assert logged == texts, (name, logged)
        assert len(set(logged)) == len(logged), name  # once each
        assert all(event["delivered"] and not event["uncertain"] for event in events), events
    # Every prompt reached an idle composer: none arrived while a turn (or a dialog) was on.
    arrivals = {name: [entry["arrived"] for entry in _entries(logs[name])] for name in logs}
    assert all(kind == "idle" for kinds in arrivals.values() for kind in kinds), arrivals

    [approval] = journal.read(events=["approval"])
    assert approval["agent"] == "w1", approval
    assert journal.read(events=["denial"]) == []
    typed_refusals = [e for e in journal.read(events=["send_refused"]) if e.get("typed")]
    assert typed_refusals == [], typed_refusals
    assert journal.read(events=["send_failed"]) == []
    store = QueueStore(data)
    assert all(item.state == QueueItemState.SENT
               for name in ("w2", "w3") for item in store.items(name))
    [restart] = journal.read(agent="w2", events=["restart"])
    assert restart["handoff"] == "sent", restart
    [retire] = journal.read(events=["retire"])
    assert retire["agent"] == "w1", retire

    status = await person.orchestra("status", "--json")
    rows = {row["name"]: row for row in json.loads(status)}
    assert sorted(rows) == ["w2", "w3"], rows
    assert rows["w3"]["host"] == "gpu" and rows["w3"]["state"] == "idle", rows["w3"]


def _entries(log: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text("utf-8").splitlines() if line.strip()]


async def test_a_queued_prompt_waits_for_the_restart_handoff(tmux: TmuxService,
                                                             tmp_path: pathlib.Path) -> None:
    """The restart's promise (core/fleet/directing.py `restart`): the handoff first, then "its queue
    stays and resumes through the normal dispatch". Here the app polls all along, as the app's
    poll worker does beside its restart worker."""
    log = tmp_path / "coder.jsonl"
    await start_fake_agent(tmux, "codex", log, session="coder")
    command = shlex.join(fake_agent_argv("codex", log, work=0.3))
    config = tmp_path / "config.toml"
    config.write_text(f'[[agent]]\nname = "coder"\ntool = "codex"\ntarget = "coder"\n'
                      f'command = {command!r}\ncwd = "{REPO}"\n\n'
                      f"[ui]\npoll_seconds = {POLL}\nidle_debounce_seconds = 0.3\n",
                      encoding="utf-8")
    app = App(config, tmux.runner.socket_name, tmp_path / "data")
    app.start()
    try:
        await app.until(lambda: app.state("coder") is State.IDLE, message="coder idle")
        await app.fleet.send_now("coder", "a long turn [work 60]")
        await app.fleet.enqueue("coder", "the queued follow-up")
        await app.until(lambda: app.state("coder") is State.WORKING, message="coder working")
        outcome = await app.fleet.restart("coder", "[work 0.5] the handoff")
        assert outcome.handoff_sent, outcome.summary
        await app.until(lambda: sent(app.items("coder"), "the queued follow-up")
                        and app.state("coder") is State.IDLE, timeout=30,
                        message="the follow-up sent after the restart")
    finally:
        await app.stop()
    assert logged_prompts(log) == ["a long turn [work 60]", "[work 0.5] the handoff",
                                   "the queued follow-up"]
