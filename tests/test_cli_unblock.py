"""`orchestra queue` with why each prompt waits, `approve|deny|interrupt|kill` and
`send --nudge`, from the shell: real `python -m orchestra_tui` processes against simulated
agents in a real tmux server on a private socket, through the fleet's own methods (the journal
says what the app would say)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.helpers import async_wait_until
from tests.tmux_fixtures import (
    REPO,
    fake_agent_argv,
    logged_prompts,
    start_fake_agent,
    wait_for_prompts,
    wait_for_screen,
)


def config_for(*agents: tuple[str, str]) -> str:
    return "".join(f'[[agent]]\nname = "{name}"\ntool = "{tool}"\ntarget = "{name}"\n'
                   for name, tool in agents)


def orchestra(tmux, tmp_path: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orchestra_tui", *args, "--config",
         str(tmp_path / "config.toml"), "-L", tmux.runner.socket_name,
         "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, cwd=REPO, timeout=60, stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"})


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    return done.stderr.strip()


async def state_of(tmux, tmp_path, name: str, wanted: str, timeout: float = 20) -> dict:
    async def check() -> dict | None:
        done = orchestra(tmux, tmp_path, "status", "--json")
        rows = {row["name"]: row for row in json.loads(done.stdout or "[]")}
        return rows[name] if rows.get(name, {}).get("state") == wanted else None

    return await async_wait_until(check, timeout=timeout, interval=0.3,
                                  message=f"{name} {wanted}")


def events(tmp_path: pathlib.Path, *names: str) -> list[dict]:
    return Journal(tmp_path / "data" / "journal.jsonl").read(events=names)


async def test_queue_says_why_each_prompt_waits(tmux, tmp_path):
    agents = [("held", "codex"), ("busy", "codex"), ("draft", "codex"), ("ready", "codex"),
              ("gone", "codex")]
    (tmp_path / "config.toml").write_text(config_for(*agents))
    panes = {name: await start_fake_agent(tmux, "codex", tmp_path / f"{name}.log",
                                          session=name)
             for name, _ in agents if name not in ("gone", "draft")}
    # Drawn with attributes (a bold prompt glyph), as real agents draw: a draft is then told
    # from a placeholder by its rendering.
    panes["draft"] = await tmux.start(
        [*fake_agent_argv("codex", tmp_path / "draft.log"), "--bold-prompt"], cwd=str(REPO),
        session="draft", env={"PYTHONPATH": str(REPO)}, width=100, height=30)
    await wait_for_screen(tmux, panes["draft"].pane_id, lambda s: "? for shortcuts" in s)
    store = QueueStore(tmp_path / "data")
    ids = {name: [store.add(name, f"{name} {n}", source="cli").id for n in (1, 2)]
           for name, _ in agents}
    extra = store.add("gone", "gone 3", source="cli").id
    store.set_paused("held", True)
    store.mark_sending(ids["gone"][0])
    store.mark_uncertain(ids["gone"][1], "submission not confirmed")
    await tmux.send_text(panes["busy"].pane_id, "long task [work 60]")
    await tmux.run("send-keys", "-t", panes["draft"].pane_id, "-l", "--", "half a thought")
    await wait_for_screen(tmux, panes["draft"].pane_id, lambda s: "› half a thought" in s,
                          message="the person's draft")
    await state_of(tmux, tmp_path, "busy", "working")

    done = orchestra(tmux, tmp_path, "queue", "--json")
    assert done.returncode == 0, done.stderr
    rows = {row["agent"]: row for row in json.loads(done.stdout)}
    kinds = {name: [(item["id"], item["waits"]) for item in row["items"]]
             for name, row in rows.items()}
    assert kinds == {
        "held": [(ids["held"][0], "held"), (ids["held"][1], "held")],
        "busy": [(ids["busy"][0], "busy"), (ids["busy"][1], "busy")],
        "draft": [(ids["draft"][0], "draft"), (ids["draft"][1], "draft")],
        "ready": [(ids["ready"][0], "next"), (ids["ready"][1], "behind")],
        "gone": [(ids["gone"][0], "sending"), (ids["gone"][1], "uncertain"),
                 (extra, "sending")],
    }
    assert rows["held"]["paused"] and rows["held"]["items"][0]["why"] == "paused: p resumes it"
    assert '"half a thought"' in rows["draft"]["items"][0]["why"]
    assert rows["gone"]["items"][1]["why"].endswith("r re-sends it, or delete it")
    assert rows["ready"]["items"][1]["why"] == f"after {ids['ready'][0]}"
    assert all(item["source"] == "cli" and item["age_seconds"] >= 0
               for row in rows.values() for item in row["items"])
    # One agent, as text: the same reasons, the text under each.
    shown = orchestra(tmux, tmp_path, "queue", "held")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == "held (idle, paused): 2 waiting"
    assert "held: paused: p resumes it" in shown.stdout and "      held 1" in shown.stdout


async def test_approve_and_deny_answer_only_an_approval_dialog(tmux, tmp_path):
    (tmp_path / "config.toml").write_text(config_for(("api", "codex")))
    pane = await start_fake_agent(tmux, "codex", tmp_path / "api.log", session="api")
    idle = orchestra(tmux, tmp_path, "approve", "api")
    assert idle.returncode == 1
    assert one_line(idle).startswith("orchestra: api is not waiting for approval now")
    await tmux.send_text(pane.pane_id, "check [approve git status] [work 1]")
    await state_of(tmux, tmp_path, "api", "approval")
    approved = orchestra(tmux, tmp_path, "approve", "api")
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.startswith("approved api")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Ran git status" in s,
                          message="the command ran after the approval")
    await state_of(tmux, tmp_path, "api", "idle")
    await tmux.send_text(pane.pane_id, "clean [approve rm -rf build] [work 1]")
    await state_of(tmux, tmp_path, "api", "approval")
    denied = orchestra(tmux, tmp_path, "deny", "api")
    assert denied.returncode == 0, denied.stderr
    assert "its queue is held" in denied.stdout
    await state_of(tmux, tmp_path, "api", "idle")
    assert "Ran rm -rf build" not in (await tmux.capture([pane.pane_id]))[pane.pane_id]
    assert [e["event"] for e in events(tmp_path, "approval", "denial")] == [
        "approval", "denial"]
    assert QueueStore(tmp_path / "data").paused("api")  # as n in the app: held


async def test_interrupt_and_kill(tmux, tmp_path):
    (tmp_path / "config.toml").write_text(config_for(("api", "codex")))
    pane = await start_fake_agent(tmux, "codex", tmp_path / "api.log", session="api")
    await tmux.send_text(pane.pane_id, "long task [work 60]")
    await state_of(tmux, tmp_path, "api", "working")
    stopped = orchestra(tmux, tmp_path, "interrupt", "api")
    assert stopped.returncode == 0, stopped.stderr
    await state_of(tmux, tmp_path, "api", "idle")
    assert QueueStore(tmp_path / "data").paused("api")
    # No terminal and no --yes: nothing is killed.
    asked = orchestra(tmux, tmp_path, "kill", "api")
    assert asked.returncode == 1
    assert one_line(asked) == ("orchestra: kill api needs --yes (no terminal to ask on); "
                               "nothing done")
    assert (await state_of(tmux, tmp_path, "api", "idle"))["pane_id"] == pane.pane_id
    killed = orchestra(tmux, tmp_path, "kill", "--yes", "api")
    assert killed.returncode == 0, killed.stderr
    await state_of(tmux, tmp_path, "api", "exited")
    assert [e["event"] for e in events(tmp_path, "interrupt", "kill")] == ["interrupt", "kill"]


async def test_nudge_sends_continue_to_a_blocked_agent_once_confirmed(tmux, tmp_path):
    (tmp_path / "config.toml").write_text(config_for(("api", "claude")))
    log = tmp_path / "api.log"
    pane = await start_fake_agent(tmux, "claude", log, session="api")
    calm = orchestra(tmux, tmp_path, "send", "--nudge", "api", "--yes")
    assert calm.returncode == 1 and "api is idle, not blocked" in one_line(calm)
    await tmux.send_text(pane.pane_id, "overload [error] [work 0.2]")
    await state_of(tmux, tmp_path, "api", "blocked")
    refused = orchestra(tmux, tmp_path, "send", "api", "continue")  # a prompt: refused
    assert refused.returncode == 1 and "api is blocked: not sent" in one_line(refused)
    asked = orchestra(tmux, tmp_path, "send", "--nudge", "api")
    assert asked.returncode == 1 and "needs --yes" in one_line(asked)
    assert logged_prompts(log) == ["overload [error] [work 0.2]"]
    nudged = orchestra(tmux, tmp_path, "send", "api", "--nudge", "--yes")
    assert nudged.returncode == 0, nudged.stderr
    assert nudged.stdout == "sent to api\n"
    assert await wait_for_prompts(log, 2) == ["overload [error] [work 0.2]", "continue"]
    [sent] = events(tmp_path, "prompt_sent")
    assert (sent["text"], sent["source"]) == ("continue", "nudge")
