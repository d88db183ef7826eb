"""QueueStore when the disk misbehaves: a newer format is never written over, a corrupt file is
kept aside and said, a read-only directory or a directory in the file's place is one line
naming the file, secrets do not stay in the record, and what it creates is private."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from orchestra_tui.cli import one_line
from orchestra_tui.models import QueueItemState
from orchestra_tui.paths import StorageError
from orchestra_tui.services.store.journal import REDACTED
from orchestra_tui.services.store.queues import (
    FILE_NAME,
    QueueError,
    QueueStore,
    StoreCorrupt,
    StoreNewerFormat,
)
from tests.storage_faults import read_only, tree

TOKEN = "ghp_" + "A1b2" * 9


def newer_file(directory: Path) -> bytes:
    directory.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"version": 99, "items": [
        {"id": "x1", "agent": "api", "text": "a prompt from the future", "state": "queued"}],
        "future": {"kept": True}}).encode()
    (directory / FILE_NAME).write_bytes(data)
    return data


def test_a_newer_format_is_never_written_over_even_after_a_snapshot(tmp_path):
    data = newer_file(tmp_path)
    store = QueueStore(tmp_path)
    snapshot = store.snapshot()  # what the fleet does first: it used to hide the refusal
    assert snapshot.items == {} and isinstance(snapshot.problem, StoreNewerFormat)
    for _ in range(2):  # and it keeps refusing
        with pytest.raises(StoreNewerFormat) as caught:
            store.add("api", "second")
        assert (tmp_path / FILE_NAME).read_bytes() == data
    error = caught.value
    assert isinstance(error, QueueError) and error.kind == "newer" and error.operation == "add"
    assert one_line(str(error)) == str(error) and FILE_NAME in str(error)
    assert "newer orchestra" in str(error) and "nothing was changed" in str(error)
    assert store.problem is error
    with pytest.raises(StoreNewerFormat):
        store.record_sent("api", "typed now")
    assert (tmp_path / FILE_NAME).read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == [FILE_NAME, "queues.lock"]


def test_a_corrupt_file_found_by_a_reader_is_kept_aside_by_the_next_change_and_said(tmp_path):
    (tmp_path / FILE_NAME).write_bytes(b"{torn")
    store = QueueStore(tmp_path)
    seen = store.snapshot().problem  # a reader without the lock moves nothing
    assert isinstance(seen, StoreCorrupt) and seen.kept is None
    assert (tmp_path / FILE_NAME).read_bytes() == b"{torn"
    with pytest.raises(StoreCorrupt) as caught:
        store.add("api", "first")
    kept = caught.value.kept
    assert kept is not None and kept.read_bytes() == b"{torn"
    assert kept.name in str(caught.value) and caught.value.operation == "add"
    # The person is told until they have seen it, also through every snapshot.
    assert store.problem is caught.value and store.snapshot().problem is caught.value
    item = store.add("api", "first")  # then the empty queues work
    assert store.items("api") == [item] and store.problem is caught.value
    store.clear_problem()
    assert store.problem is None and store.snapshot().problem is None


def test_a_directory_in_the_files_place_is_one_line_naming_it(tmp_path):
    (tmp_path / FILE_NAME).mkdir()
    store = QueueStore(tmp_path)
    assert store.snapshot().problem is not None
    with pytest.raises(StorageError) as caught:
        store.add("api", "hello")
    assert isinstance(caught.value, OSError)  # code guarding I/O with `except OSError` holds
    assert str(caught.value) == f"{tmp_path / FILE_NAME}: cannot read: is a directory, not a file"
    assert caught.value.kind == "unreadable"


def test_a_read_only_data_dir_refuses_with_one_line_and_keeps_every_prompt(tmp_path):
    store = QueueStore(tmp_path / "data")
    store.add("api", "kept one")
    before = tree(tmp_path / "data")
    with read_only(tmp_path / "data"):
        with pytest.raises(StorageError) as caught:
            store.add("api", "refused")
        assert store.snapshot().problem is caught.value
        assert [i.text for i in store.items("api")] == ["kept one"]
    error = caught.value
    assert error.kind == "unwritable" and error.operation == "add"
    assert str(error).startswith(f"{tmp_path / 'data' / FILE_NAME}: cannot write: ")
    assert "\n" not in str(error)
    assert tree(tmp_path / "data") == before
    store.add("api", "after")  # writable again: the problem goes away by itself
    assert store.problem is None
    assert [i.text for i in QueueStore(tmp_path / "data").items("api")] == ["kept one", "after"]


def test_an_uncreatable_data_dir_names_it(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StorageError) as caught:
        QueueStore(tmp_path / "file" / "data").add("api", "x")
    assert str(caught.value).startswith(f"{tmp_path / 'file' / 'data'}: cannot write: ")


def test_secrets_leave_the_record_but_the_queued_prompt_keeps_them(tmp_path):
    store = QueueStore(tmp_path)
    item = store.add("api", f"log in with {TOKEN}")
    assert store.get(item.id).text == f"log in with {TOKEN}"  # typed as written, later
    store.mark_sending(item.id)
    sent = store.mark_sent(item.id)
    store.record_sent("api", f"log in with {TOKEN}")
    assert sent.text == f"log in with {REDACTED}"
    assert store.history("api") == [f"log in with {REDACTED}"]
    assert TOKEN not in (tmp_path / FILE_NAME).read_text()
    with pytest.raises(QueueError, match="secret"):
        store.requeue(item.id)  # "[REDACTED]" is never typed to an agent
    assert store.get(item.id).state == QueueItemState.SENT


def test_a_prompt_that_is_not_utf8_is_refused_before_the_file(tmp_path):
    store = QueueStore(tmp_path)
    store.add("api", "fine")
    before = tree(tmp_path)
    text = b"\xff\xfe".decode("utf-8", "surrogateescape")  # how argv carries such bytes
    with pytest.raises(QueueError, match="not valid UTF-8"):
        store.add("api", text)
    assert tree(tmp_path) == before


def test_what_the_store_creates_is_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        store = QueueStore(tmp_path / "fresh" / "data")
        store.add("api", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "fresh" / "data").stat().st_mode) == 0o700
    for name in (FILE_NAME, "queues.lock"):
        assert stat.S_IMODE((tmp_path / "fresh" / "data" / name).stat().st_mode) == 0o600
