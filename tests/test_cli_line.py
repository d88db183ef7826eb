"""One command line (issue 17), as a new user met it, each a real `python -m orchestra_tui`
process against a real tmux server on a private socket: options in any order, `send --queue`
with tmux down (and the app sending it later), orchestra's queue in `status`, every name the app
shows (`devbox:r2`, `r2`, `%3`, `devbox:%3`), `no such pane`, tmux out of reach is a failure,
usage errors exit 2 in one line, and `init` naming what it skipped and reading the config's
server."""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import uuid

from orchestra_tui.bootstrap import boot
from orchestra_tui.models import QueueItemState
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, logged_prompts, start_fake_agent, wait_for_prompts

API = '[[agent]]\nname = "api"\ntool = "codex"\ntarget = "api"\n'
# A host nothing listens for (port 1 on loopback): refused at once, so its agents are
# unreachable; nothing else about hosts is needed for their names.
DEVBOX = ('[[host]]\nname = "devbox"\nssh = "nobody@127.0.0.1"\n'
          'ssh_options = ["-p", "1", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5"]\n'
          '[[agent]]\nname = "r2"\nhost = "devbox"\ntarget = "%3"\ntool = "codex"\n')


def orchestra(tmp_path: pathlib.Path, *args: str, config: str = API, socket: str | None = None,
              stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`orchestra ARGS --config C -L S --data-dir D`: the globals after the subcommand."""
    path = tmp_path / "config.toml"
    path.write_text(config)
    socket = socket or f"orch-test-none-{uuid.uuid4().hex[:8]}"
    return subprocess.run(
        [sys.executable, "-m", "orchestra_tui", *args, "--config", str(path), "-L", socket,
         "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, cwd=REPO, input=stdin, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LANG": "C.UTF-8",
             "XDG_DATA_HOME": str(tmp_path / "xdg"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")})


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    return done.stderr.strip()


def queued_texts(tmp_path: pathlib.Path, agent: str) -> list[str]:
    return [item.text for item in QueueStore(tmp_path / "data").items(agent)]


async def test_send_takes_its_options_in_any_order(tmux, tmp_path):
    log = tmp_path / "api.log"
    await start_fake_agent(tmux, "codex", log, session="api")
    socket = tmux.runner.socket_name
    for argv in (["send", "api", "--queue", "one"], ["send", "--queue", "api", "two"],
                 ["send", "api", "three", "--queue"]):
        done = orchestra(tmp_path, *argv, socket=socket)
        assert done.returncode == 0, (argv, done.stderr)
        assert done.stdout.startswith("queued for api")
    assert queued_texts(tmp_path, "api") == ["one", "two", "three"]
    # Options of the send itself and the globals, each before the agent.
    sent = orchestra(tmp_path, "send", "--to-shell", "api", "now", socket=socket)
    assert sent.returncode == 0 and sent.stdout == "sent to api\n", sent.stderr
    assert await wait_for_prompts(log, 1) == ["now"]


async def test_send_queue_with_tmux_down_is_queued_and_the_app_sends_it_later(tmux, tmp_path):
    down = orchestra(tmp_path, "send", "api", "--queue", "while tmux was down",
                     socket=tmux.runner.socket_name)  # no server started on it yet
    assert down.returncode == 0, down.stderr
    assert down.stdout.startswith("queued for api (1 waiting)") and down.stderr == ""
    assert queued_texts(tmp_path, "api") == ["while tmux was down"]
    # tmux comes up with the agent; an orchestra (the app's fleet and dispatch) sends it.
    log = tmp_path / "api.log"
    await start_fake_agent(tmux, "codex", log, session="api")
    args = argparse.Namespace(config=str(tmp_path / "config.toml"),
                              socket_name=tmux.runner.socket_name, socket_path=None,
                              data_dir=str(tmp_path / "data"))
    fleet = boot(args).fleet

    async def delivered() -> bool:
        await fleet.refresh()
        fleet.dispatch_ready()
        await fleet.wait_for_sends()
        return logged_prompts(log) == ["while tmux was down"]

    await async_wait_until(delivered, timeout=30, interval=0.2, message="sent by the app")
    [item] = QueueStore(tmp_path / "data").items("api")
    assert item.state == QueueItemState.SENT


async def test_status_queued_is_orchestras_queue_and_tool_queued_the_clis(tmux, tmp_path):
    pane = await start_fake_agent(tmux, "codex", tmp_path / "api.log", session="api")
    socket = tmux.runner.socket_name
    for text in ("first follow-up", "second follow-up"):
        assert orchestra(tmp_path, "send", "api", text, "--queue", socket=socket).returncode == 0
    # The agent works and holds one prompt in its own composer queue (Codex's ↳ row).
    await tmux.send_text(pane.pane_id, "long task [work 60]")
    await tmux.send_text(pane.pane_id, "typed into codex while it works",
                         pending=lambda screen, text: False)

    async def both() -> dict | None:
        done = orchestra(tmp_path, "status", "--json", socket=socket)
        assert done.returncode == 0, done.stderr
        [row] = json.loads(done.stdout)
        return row if row["tool_queued"] == 1 else None

    row = await async_wait_until(both, timeout=30, interval=0.3, message="the tool's queue")
    assert row["queued"] == 2 and row["state"] == "working"
    table = orchestra(tmp_path, "status", socket=socket)
    header, line = table.stdout.splitlines()
    assert "QUEUED" in header and "IN TOOL" in header
    cells = line.split()
    assert cells[cells.index("working") + 2:cells.index("working") + 4] == ["2", "1"]


async def test_every_name_the_app_shows_is_accepted_by_every_command(tmux, tmp_path):
    log = tmp_path / "api.log"
    pane = await start_fake_agent(tmux, "codex", log, session="api")
    socket, config = tmux.runner.socket_name, API + DEVBOX
    for name in ("devbox:r2", "r2", "devbox:%3"):
        done = orchestra(tmp_path, "send", name, f"for {name}", "--queue", config=config,
                         socket=socket)
        assert done.returncode == 0 and done.stdout.startswith("queued for r2"), done.stderr
    assert queued_texts(tmp_path, "r2") == ["for devbox:r2", "for r2", "for devbox:%3"]
    listed = orchestra(tmp_path, "queue", "devbox:r2", "--json", config=config, socket=socket)
    assert listed.returncode == 0, listed.stderr
    [row] = json.loads(listed.stdout)
    assert (row["agent"], row["shown_as"], row["host"]) == ("r2", "devbox:r2", "devbox")
    assert {item["waits"] for item in row["items"]} == {"unreachable"}
    logged = orchestra(tmp_path, "log", "--agent", "devbox:r2", "--json", config=config,
                       socket=socket)
    assert [(e["event"], e["agent"]) for e in json.loads(logged.stdout)] == [
        ("queue_added", "r2")] * 3
    # A local agent by its pane id; the journal names the agent.
    sent = orchestra(tmp_path, "send", pane.pane_id, "by pane id", config=config,
                     socket=socket)
    assert sent.returncode == 0, sent.stderr
    assert await wait_for_prompts(log, 1) == ["by pane id"]
    journal = Journal(tmp_path / "data" / "journal.jsonl")
    assert [e["agent"] for e in journal.read(events=("prompt_sent",))] == ["api"]
    # The verbs take the same names: the host is down, so each says so, in one line.
    for verb in ("approve", "deny", "interrupt"):
        refused = orchestra(tmp_path, verb, "devbox:r2", config=config, socket=socket)
        assert refused.returncode == 1
        assert "r2 is unreachable" in one_line(refused)
    unknown = orchestra(tmp_path, "send", "gpu:r2", "x", config=config, socket=socket)
    assert unknown.returncode == 1
    assert one_line(unknown) == ("orchestra: no agent named 'gpu:r2' (known: api, devbox:r2)")


async def test_a_pane_that_never_existed_is_no_such_pane(tmux, tmp_path):
    await start_fake_agent(tmux, "codex", tmp_path / "api.log", session="api")
    for argv in (["send", "%99", "x"], ["approve", "%99"], ["kill", "%99", "--yes"]):
        done = orchestra(tmp_path, *argv, socket=tmux.runner.socket_name)
        assert done.returncode == 1, argv
        assert one_line(done) == "orchestra: no such pane: %99"


def test_commands_that_cannot_reach_tmux_fail_in_one_line(tmp_path):
    socket = f"orch-test-none-{tmp_path.name}"
    status = orchestra(tmp_path, "status", "--json", socket=socket)
    assert status.returncode == 1
    assert socket in one_line(status)
    [row] = json.loads(status.stdout)  # what it knows is still printed
    assert (row["name"], row["state"]) == ("api", "exited")
    table = orchestra(tmp_path, "status", socket=socket)
    assert table.returncode == 1 and table.stdout.startswith("AGENT")
    assert one_line(table) == one_line(status)
    for argv in (["send", "api", "hi"], ["approve", "api"], ["interrupt", "api"],
                 ["send", "--nudge", "api", "--yes"], ["queue"]):
        done = orchestra(tmp_path, *argv, socket=socket)
        assert done.returncode == 1, argv
        assert one_line(done).startswith("orchestra: ")


def test_usage_errors_are_one_line_with_exit_2_and_no_doubled_prefix(tmp_path):
    for argv, start in ((["hooks", "install"], "orchestra hooks install: name the tool"),
                        (["send", "--nudge", "api", "text"], "orchestra send --nudge: "),
                        (["send", "api", "a", "b"], "orchestra send: unrecognized"),
                        (["approve"], "orchestra approve: the following arguments")):
        done = orchestra(tmp_path, *argv)
        assert done.returncode == 2, (argv, done.stderr)
        line = one_line(done)
        assert line.startswith(start), line
        assert "orchestra: orchestra" not in line and done.stdout == ""


async def test_init_says_which_panes_it_skipped_and_print_reads_the_configs_server(tmux,
                                                                                  tmp_path):
    await start_fake_agent(tmux, "codex", tmp_path / "api.log", session="api")
    notes = await tmux.start("cat", session="notes", cwd=str(tmp_path))
    shell = await tmux.start("bash --norc --noprofile", session="sh", cwd=str(tmp_path))
    # No -L: the config's [tmux] names the server, as for every other command.
    config = tmp_path / "config.toml"
    config.write_text(f'[tmux]\nsocket_name = "{tmux.runner.socket_name}"\n')
    done = subprocess.run(
        [sys.executable, "-m", "orchestra_tui", "init", "--print", "--config", str(config)],
        capture_output=True, text=True, cwd=REPO, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"})
    assert done.returncode == 0, done.stderr
    assert 'name = "api"' in done.stdout
    assert f'socket_name = "{tmux.runner.socket_name}"' in done.stdout
    skipped = sorted(done.stderr.splitlines())
    assert skipped == sorted([
        f"orchestra: skipped {notes.pane_id} (notes:0.0): runs cat, no agent CLI orchestra "
        "knows (codex, claude, gemini, aider, opencode, copilot, qwen)",
        f"orchestra: skipped {shell.pane_id} (sh:0.0): a plain bash shell, no agent running "
        "in it"]), done.stderr
