"""Journal: whole lines only, torn lines skipped, filters, and never a GitHub token."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from orchestra_tui.services.store import journal as journal_module
from orchestra_tui.services.store.journal import FILE_NAME, REDACTED, Journal, redact

TOKENS = [
    "ghp_" + "A1b2C3d4E5" * 3 + "abcdef",
    "gho_" + "x" * 36,
    "ghs_" + "Zz09" * 9,
    "ghu_" + "k" * 36,
    "github_pat_11ABCDEFG0" + "_abcdefghij" * 7,
]


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / FILE_NAME)


def raw_lines(journal: Journal) -> list[str]:
    return journal.path.read_text(encoding="utf-8").split("\n")


def test_append_writes_one_whole_line_per_event(journal):
    entry = journal.append("prompt_sent", "api", text="run the tests\nthen lint", source="person")
    journal.append("merge", repo="acme/api", number=7, sha="abc", method="squash",
                   gate="ready", reason="")
    lines = raw_lines(journal)
    assert lines[-1] == "" and len(lines) == 3
    first = json.loads(lines[0])
    assert first == entry
    assert first["event"] == "prompt_sent" and first["agent"] == "api"
    assert isinstance(first["at"], float)
    assert "agent" not in json.loads(lines[1])


def test_append_is_one_write_then_fsync(journal, monkeypatch):
    journal.append("kill", "api")
    calls: list[str] = []
    real_write, real_fsync = os.write, os.fsync
    monkeypatch.setattr(os, "write", lambda fd, data: calls.append("write") or
                        real_write(fd, data))
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append("fsync") or real_fsync(fd))
    journal.append("restart", "api", text="x" * 10_000)
    assert calls == ["write", "fsync"]


def test_read_filters(journal):
    journal.append("prompt_sent", "api", text="a", source="person", at=100.0)
    journal.append("approval", "web", at=200.0)
    journal.append("alert", "api", kind="forbid", text="kubectl apply", at=300.0)
    journal.append("merge", repo="acme/api", number=1, at=400.0)
    assert [e["event"] for e in journal.read()] == ["prompt_sent", "approval", "alert", "merge"]
    assert [e["event"] for e in journal.read(agent="api")] == ["prompt_sent", "alert"]
    assert [e["at"] for e in journal.read(since=200.0)] == [200.0, 300.0, 400.0]
    assert [e["event"] for e in journal.read(events=["merge", "approval"])] == \
        ["approval", "merge"]
    assert journal.read(agent="api", since=250, events={"alert"})[0]["kind"] == "forbid"


def test_a_missing_journal_reads_empty(journal):
    assert journal.read() == [] and journal.skipped == 0


def test_a_torn_last_line_is_skipped_and_closed_off(journal):
    journal.append("kill", "api", at=1.0)
    with open(journal.path, "ab") as handle:
        handle.write(b'{"at": 2.0, "event": "resta')  # a crash mid-line
    assert [e["event"] for e in journal.read()] == ["kill"]
    assert journal.skipped == 1
    journal.append("restart", "api", at=3.0)
    assert [e["event"] for e in journal.read()] == ["kill", "restart"]
    assert journal.skipped == 1
    assert raw_lines(journal)[-2] == json.dumps({"at": 3.0, "event": "restart", "agent": "api"})


def test_lines_that_are_not_events_are_skipped(journal):
    journal.path.write_text('[1, 2]\n{"event": "no time"}\n\n{"at": 5, "event": "kill"}\n')
    assert journal.read() == [{"at": 5, "event": "kill"}]
    assert journal.skipped == 2


@pytest.mark.parametrize("token", TOKENS)
def test_tokens_never_reach_the_file(journal, token):
    journal.append("prompt_sent", "api", text=f"use {token} to push", source="person",
                   nested={"headers": [f"Authorization: token {token}"]},
                   **{"k": token})
    content = journal.path.read_text()
    assert token not in content
    assert token[:12] not in content
    entry = journal.read()[0]
    assert entry["text"] == f"use {REDACTED} to push"
    assert entry["nested"] == {"headers": [f"Authorization: token {REDACTED}"]}
    assert entry["k"] == REDACTED


def test_the_environment_token_is_redacted_whatever_its_form(journal, monkeypatch):
    legacy = "0123456789abcdef0123456789abcdef01234567"  # an Enterprise token of another form
    monkeypatch.setenv("GH_TOKEN", legacy)
    journal.append("alert", "api", kind="loop", text=f"git push https://{legacy}@ghe/x")
    assert legacy not in journal.path.read_text()


def test_redact_leaves_other_values_alone():
    value = {"n": 3, "ok": True, "none": None, "text": "ghp_ short", "list": ("a", 1.5)}
    assert redact(value) == {"n": 3, "ok": True, "none": None, "text": "ghp_ short",
                             "list": ["a", 1.5]}


def test_concurrent_appends_stay_whole(journal):
    def worker(n: int) -> None:
        other = Journal(journal.path)  # like another process: its own descriptor each time
        for i in range(40):
            other.append("queue_added", f"agent{n}", text=f"{n}-{i} " + "x" * 3000)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = journal.read()
    assert len(entries) == 200 and journal.skipped == 0


def test_default_path_is_in_the_data_dir():
    journal = Journal()
    journal.append("kill", "api")
    assert journal.path == Path(os.environ["XDG_DATA_HOME"]) / "orchestra" / FILE_NAME
    assert journal_module.Journal().read()[0]["event"] == "kill"


def test_file_is_private(journal):
    journal.append("kill", "api")
    assert journal.path.stat().st_mode & 0o077 == 0


def test_values_that_are_not_json_are_written_as_text(journal):
    journal.append("merge", repo="acme/api", path=Path("/x"), items=(1, 2))
    entry = journal.read()[0]
    assert entry["path"] == "/x" and entry["items"] == [1, 2]
