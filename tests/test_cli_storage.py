"""The command line on a data dir that misbehaves: a queue file from a newer orchestra, a corrupt
one, a read-only dir, a directory where a file belongs, a full disk, a journal line whose time
is NaN, a prompt that is not UTF-8. Each is one line naming the file, a non-zero exit when
nothing was done, and never a prompt lost or typed twice. Real processes, a real tmux agent."""

from __future__ import annotations

import json
import os
import pathlib
import resource
import signal
import stat
import subprocess
import sys

from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import FILE_NAME
from tests.storage_faults import read_only, tree
from tests.tmux_fixtures import REPO, logged_prompts, start_fake_agent, wait_for_prompts

CONFIG = '[[agent]]\nname = "api"\ntool = "codex"\ntarget = "api"\n'


def orchestra(tmux, tmp_path: pathlib.Path, data: pathlib.Path, *args: str | bytes,
              preexec=None) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    return subprocess.run(
        [sys.executable, "-m", "orchestra_tui", "--config", str(config),
         "-L", tmux.runner.socket_name if tmux else "orch-test-none",
         "--data-dir", str(data), *args],
        capture_output=True, text=True, errors="replace", cwd=REPO, timeout=60,
        preexec_fn=preexec,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"})


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    return done.stderr.strip()


async def agent(tmux, tmp_path: pathlib.Path) -> pathlib.Path:
    log = tmp_path / "agent.log"
    await start_fake_agent(tmux, "codex", log, session="api")
    return log


def newer_queue_file(data: pathlib.Path) -> bytes:
    data.mkdir(parents=True, exist_ok=True)
    raw = json.dumps({"version": 99, "items": [
        {"id": "f1", "agent": "api", "text": "from the future", "state": "queued"}]}).encode()
    (data / FILE_NAME).write_bytes(raw)
    return raw


def test_send_queue_on_a_newer_queue_file_refuses_and_changes_nothing(tmp_path):
    data = tmp_path / "data"
    newer_queue_file(data)
    before = tree(data)
    done = orchestra(None, tmp_path, data, "send", "api", "second", "--queue")
    line = one_line(done)
    assert done.returncode == 1 and done.stdout == ""
    assert line == (f"orchestra: {data / FILE_NAME}: written by a newer orchestra (format 99); "
                    "upgrade orchestra; nothing was changed; nothing queued")
    assert tree(data) == before


async def test_send_now_on_a_newer_queue_file_types_nothing(tmux, tmp_path):
    log = await agent(tmux, tmp_path)
    data = tmp_path / "data"
    newer_queue_file(data)
    before = tree(data)
    done = orchestra(tmux, tmp_path, data, "send", "api", "hello")
    assert done.returncode == 1 and "newer orchestra" in one_line(done)
    assert "nothing sent" in done.stderr
    assert tree(data) == before and logged_prompts(log) == []


def test_a_corrupt_queue_file_is_kept_aside_and_the_command_says_so(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / FILE_NAME).write_bytes(b'{"version": 1, "items": [tor')
    done = orchestra(None, tmp_path, data, "send", "api", "first", "--queue")
    assert done.returncode == 1 and done.stdout == ""
    line = one_line(done)
    kept = list(data.glob(f"{FILE_NAME}.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b'{"version": 1, "items": [tor'
    assert kept[0].name in line and "nothing queued" in line
    assert not (data / FILE_NAME).exists()


async def test_a_read_only_data_dir_types_nothing_and_says_which_file(tmux, tmp_path):
    log = await agent(tmux, tmp_path)
    data = tmp_path / "data"
    Journal(data / "journal.jsonl").append("state", "api", state="idle")
    before = tree(data)
    with read_only(data):
        sent = orchestra(tmux, tmp_path, data, "send", "api", "hello")
        queued = orchestra(tmux, tmp_path, data, "send", "api", "later", "--queue")
        status = orchestra(tmux, tmp_path, data, "status")
        log_shown = orchestra(tmux, tmp_path, data, "log")
    for done, what in ((sent, "sent"), (queued, "queued")):
        line = one_line(done)
        assert done.returncode == 1 and line.startswith(f"orchestra: {data}/")
        assert "cannot write" in line and line.endswith(f"nothing {what}")
    assert status.returncode == 0 and "api" in status.stdout and status.stderr == ""
    assert log_shown.returncode == 0 and "state" in log_shown.stdout
    assert logged_prompts(log) == [] and tree(data) == before


def test_an_uncreatable_data_dir_is_one_line(tmp_path):
    (tmp_path / "plain").write_text("a file, not a directory")
    for args in (("status",), ("log",), ("send", "api", "x", "--queue")):
        done = orchestra(None, tmp_path, tmp_path / "plain" / "data", *args)
        assert done.returncode == 1, args
        assert f"{tmp_path / 'plain' / 'data'}" in one_line(done)


async def test_a_directory_in_place_of_the_journal_or_queue_file(tmux, tmp_path):
    log = await agent(tmux, tmp_path)
    data = tmp_path / "data"
    (data / "journal.jsonl").mkdir(parents=True)
    shown = orchestra(tmux, tmp_path, data, "log")
    assert shown.returncode == 1
    assert one_line(shown) == (f"orchestra: {data}/journal.jsonl: cannot read: is a directory, "
                               "not a file")
    sent = orchestra(tmux, tmp_path, data, "send", "api", "hello")
    assert sent.returncode == 1
    assert one_line(sent) == (f"orchestra: {data}/journal.jsonl: cannot write: is a directory, "
                              "not a file; nothing sent")
    (data / "journal.jsonl").rmdir()
    (data / FILE_NAME).mkdir()
    queued = orchestra(tmux, tmp_path, data, "send", "api", "later", "--queue")
    assert queued.returncode == 1
    assert one_line(queued) == (f"orchestra: {data}/{FILE_NAME}: cannot read: is a directory, "
                                "not a file; nothing queued")
    assert logged_prompts(log) == []


async def test_a_full_disk_refuses_before_typing(tmux, tmp_path):
    log = await agent(tmux, tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "journal.jsonl").symlink_to("/dev/full")  # every write: ENOSPC
    done = orchestra(tmux, tmp_path, data, "send", "api", "hello")
    assert done.returncode == 1
    assert one_line(done) == (f"orchestra: {data}/journal.jsonl: cannot write: no space left "
                              "on the device; nothing sent")
    assert logged_prompts(log) == []


async def test_a_delivered_prompt_whose_record_fails_exits_0_and_is_not_sent_twice(tmux,
                                                                                    tmp_path):
    """The disk fills between the intent and the outcome: the file size limit lets the intent
    line in and refuses the next one (EFBIG), as a full disk would."""
    log = await agent(tmux, tmp_path)
    data = tmp_path / "data"
    journal = Journal(data / "journal.jsonl")
    for n in range(40):  # a journal bigger than the queue file will ever be in this test
        journal.append("state", "other", state="idle", reason="x" * 200, at=float(n))
    limit = (data / "journal.jsonl").stat().st_size + 150  # room for the intent line only

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails, not kills
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = orchestra(tmux, tmp_path, data, "send", "api", "run the tests", preexec=small_disk)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "sent to api\n"
    # (The fleet's own background "state" records fail too and, until core/fleet/fleet.py keeps
    # them quiet, print asyncio's "Task exception was never retrieved": not asserted here.)
    warning = [line for line in done.stderr.splitlines() if "could not record" in line]
    assert len(warning) == 1 and warning[0].startswith("orchestra: sent to api; could not "
                                                       f"record it: {data}/journal.jsonl")
    assert warning[0].endswith("do not send it again")
    assert await wait_for_prompts(log, 1) == ["run the tests"]
    events = [entry["event"] for entry in journal.read(agent="api")]
    assert events == ["send_intent"]  # what was meant is on record, before the first byte


async def test_a_prompt_that_is_not_utf8_is_one_line_and_types_nothing(tmux, tmp_path):
    log = await agent(tmux, tmp_path)
    data = tmp_path / "data"
    argv = os.fsdecode(b"\xff\xfe")  # what a shell's $'\xff\xfe' becomes in argv
    done = orchestra(tmux, tmp_path, data, "send", "api", argv)
    assert done.returncode == 1
    assert one_line(done) == ("orchestra: the prompt (argument) is not valid UTF-8 text (a "
                              "byte that is no character at position 1); nothing sent")
    queued = orchestra(tmux, tmp_path, data, "send", "api", argv, "--queue")
    assert queued.returncode == 1 and "not valid UTF-8" in one_line(queued)
    assert logged_prompts(log) == []
    assert not (data / FILE_NAME).exists() or json.loads(
        (data / FILE_NAME).read_text())["items"] == []


def test_a_nan_time_in_the_journal_is_skipped_not_a_traceback(tmp_path):
    data = tmp_path / "data"
    journal = Journal(data / "journal.jsonl")
    journal.append("prompt_sent", "api", text="kept", source="person", at=1_700_000_000.0)
    with open(data / "journal.jsonl", "a") as handle:
        handle.write('{"at": NaN, "event": "prompt_sent", "agent": "api", "text": "x"}\n')
        handle.write('{"at": 1e400, "event": "kill", "agent": "api"}\n')
    before = tree(data)
    for command in ("log", "report"):
        done = orchestra(None, tmp_path, data, command)
        assert done.returncode == 0, done.stderr
        assert one_line(done) == (f"orchestra: skipped 2 unreadable line(s) in "
                                  f"{data}/journal.jsonl")
        assert "api" in done.stdout
    assert tree(data) == before  # nothing lost: the lines stay for a person to read


def test_a_data_dir_made_by_data_dir_is_private(tmp_path):
    data = tmp_path / "made" / "here"
    done = orchestra(None, tmp_path, data, "send", "api", "later", "--queue",
                     preexec=lambda: os.umask(0))
    # No tmux server: queued all the same (a running orchestra sends it later).
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


async def test_status_says_a_queue_file_it_cannot_use_and_exits_non_zero(tmux, tmp_path):
    await agent(tmux, tmp_path)
    data = tmp_path / "data"
    newer_queue_file(data)
    before = tree(data)
    done = orchestra(tmux, tmp_path, data, "status")
    assert done.returncode == 1 and "api" in done.stdout  # what it knows, then why not all
    assert "written by a newer orchestra" in one_line(done)
    assert tree(data) == before


def test_a_journal_that_is_a_device_is_one_line_not_a_hang(tmp_path):
    """A journal linked to /dev/zero never ends a line: read line by line it would grow
    until memory ran out. It is refused as not a regular file."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "journal.jsonl").symlink_to("/dev/zero")
    done = orchestra(None, tmp_path, data, "log")
    assert done.returncode == 1
    assert one_line(done) == f"orchestra: {data / 'journal.jsonl'}: cannot read: not a regular file"
