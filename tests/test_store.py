"""QueueStore: every mutation is on disk when the method returns; crash recovery; ordering."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from orchestra_tui.errors import ConfigError
from orchestra_tui.models import QueueItemState
from orchestra_tui.services.store.queues import (
    FILE_NAME,
    QueueError,
    QueueItemNotFound,
    QueueStore,
    StoreCorrupt,
)

QUEUED, SENDING, SENT, UNCERTAIN = (QueueItemState.QUEUED, QueueItemState.SENDING,
                                    QueueItemState.SENT, QueueItemState.UNCERTAIN)


@pytest.fixture
def store(tmp_path: Path) -> QueueStore:
    store = QueueStore(tmp_path)
    store.load()
    return store


def reopened(store: QueueStore) -> QueueStore:
    """A second store on the same directory: sees only what reached the disk."""
    return QueueStore(store.directory)


def texts(store: QueueStore, agent: str) -> list[str]:
    return [item.text for item in store.items(agent)]


def test_add_persists_in_order(store):
    first = store.add("api", "one")
    store.add("api", "two", source="inbox:T1")
    store.add("web", "other")
    again = reopened(store)
    assert texts(again, "api") == ["one", "two"]
    assert again.items("api")[0] == first
    assert again.items("api")[1].source == "inbox:T1"
    assert first.state == QUEUED and first.created_at > 0 and len(first.id) >= 8
    assert again.agents() == ["api", "web"]


def test_every_mutation_persists(store):
    a = store.add("api", "one")
    b = store.add("api", "two")
    c = store.add("api", "three")

    store.edit(a.id, "one!")
    assert texts(reopened(store), "api") == ["one!", "two", "three"]

    store.move(c.id, -1)
    assert texts(reopened(store), "api") == ["one!", "three", "two"]

    store.delete(b.id)
    assert texts(reopened(store), "api") == ["one!", "three"]

    store.move_to_agent(c.id, "web")
    assert texts(reopened(store), "web") == ["three"]

    store.mark_sending(a.id)
    assert reopened(store).get(a.id).state == SENDING

    store.mark_uncertain(a.id, "composer not cleared")
    again = reopened(store)
    assert again.get(a.id).state == UNCERTAIN
    assert again.detail(a.id) == "composer not cleared"

    store.requeue(a.id)
    assert reopened(store).get(a.id).state == QUEUED
    assert reopened(store).detail(a.id) == ""

    store.mark_sending(a.id)
    sent = store.mark_sent(a.id, 1234.5)
    assert sent.state == SENT and sent.sent_at == 1234.5
    assert reopened(store).get(a.id) == sent

    store.set_paused("api", True)
    assert reopened(store).paused("api")
    store.set_paused("api", False)
    assert not reopened(store).paused("api")

    store.record_sent("api", "typed now")
    assert reopened(store).history("api") == ["typed now"]


def test_load_turns_sending_into_uncertain_and_saves_it(store):
    a = store.add("api", "one")
    store.add("api", "two")
    store.mark_sending(a.id)

    after_crash = reopened(store)
    found = after_crash.load()
    assert [item.id for item in found] == [a.id]
    assert found[0].state == UNCERTAIN
    assert after_crash.get(a.id).state == UNCERTAIN
    assert "send it again" in after_crash.detail(a.id)
    assert reopened(store).get(a.id).state == UNCERTAIN  # saved, not just in memory
    assert after_crash.next_ready("api") is None  # never sent twice unasked
    assert after_crash.load() == []


def test_methods_without_load_do_not_recover(store):
    """Another process (`orchestra send`) must not steal an in-flight send from the app."""
    a = store.add("api", "one")
    store.mark_sending(a.id)
    other = reopened(store)
    other.add("api", "two")
    assert store.get(a.id).state == SENDING
    store.mark_sent(a.id)
    assert texts(other, "api") == ["one", "two"]


def test_next_ready_is_one_at_a_time_and_waits_for_uncertain(store):
    assert store.next_ready("api") is None
    a = store.add("api", "one")
    b = store.add("api", "two")
    assert store.next_ready("api") == a
    store.mark_sending(a.id)
    assert store.next_ready("api") is None
    with pytest.raises(QueueError, match="one at a time"):
        store.mark_sending(b.id)
    store.mark_uncertain(a.id, "not confirmed")
    assert store.next_ready("api") is None
    assert store.next_ready("web") is None
    store.requeue(a.id)
    assert store.next_ready("api") == store.get(a.id)
    store.mark_sending(a.id)
    store.mark_sent(a.id)
    assert store.next_ready("api") == b
    store.mark_sending(b.id)
    store.mark_uncertain(b.id, "?")
    store.delete(b.id)
    assert store.next_ready("api") is None and texts(store, "api") == ["one"]


def test_next_ready_ignores_pause(store):
    a = store.add("api", "one")
    store.set_paused("api", True)
    assert store.next_ready("api") == a and store.paused("api")


def test_move_within_an_agent_skips_other_agents_and_clamps(store):
    a = store.add("api", "a")
    store.add("web", "w1")
    b = store.add("api", "b")
    store.add("web", "w2")
    c = store.add("api", "c")
    store.move(a.id, 1)
    assert texts(store, "api") == ["b", "a", "c"]
    store.move(a.id, 5)
    assert texts(store, "api") == ["b", "c", "a"]
    store.move(a.id, -2)
    assert texts(store, "api") == ["a", "b", "c"]
    store.move(a.id, -1)
    assert texts(store, "api") == ["a", "b", "c"]
    store.move(c.id, -1)
    store.move(b.id, 1)
    assert texts(store, "api") == ["a", "c", "b"]
    assert texts(store, "web") == ["w1", "w2"]
    assert texts(reopened(store), "api") == ["a", "c", "b"]


def test_move_to_agent_appends_as_queued(store):
    store.add("web", "w1")
    a = store.add("api", "a")
    store.mark_sending(a.id)
    with pytest.raises(QueueError, match="being sent"):
        store.move_to_agent(a.id, "web")
    store.mark_uncertain(a.id, "?")
    moved = store.move_to_agent(a.id, "web")
    assert moved.agent == "web" and moved.state == QUEUED and moved.id == a.id
    assert texts(store, "web") == ["w1", "a"] and texts(store, "api") == []
    assert store.detail(a.id) == ""


def test_sending_items_cannot_be_edited_or_deleted(store):
    a = store.add("api", "a")
    store.mark_sending(a.id)
    with pytest.raises(QueueError):
        store.edit(a.id, "b")
    with pytest.raises(QueueError):
        store.delete(a.id)
    with pytest.raises(QueueError):
        store.requeue(a.id)
    with pytest.raises(QueueError, match="not queued"):
        store.mark_sending(a.id)


def test_sent_items_stay_a_while_and_can_be_sent_again(tmp_path):
    store = QueueStore(tmp_path, sent_limit=2)
    ids = []
    for n in range(4):
        item = store.add("api", f"p{n}")
        store.mark_sending(item.id)
        store.mark_sent(item.id)
        ids.append(item.id)
    assert texts(store, "api") == ["p2", "p3"]
    with pytest.raises(QueueError, match="sent already"):
        store.edit(ids[3], "x")
    again = store.requeue(ids[3])
    assert again.state == QUEUED and again.sent_at is None
    assert store.next_ready("api") == again


def test_unknown_ids_and_empty_prompts(store):
    with pytest.raises(QueueItemNotFound):
        store.edit("nope", "x")
    with pytest.raises(LookupError):
        store.delete("nope")
    with pytest.raises(QueueError):
        store.add("api", "  \n")
    a = store.add("api", "x")
    with pytest.raises(QueueError):
        store.edit(a.id, "")


def test_history_is_bounded_and_oldest_first(tmp_path):
    store = QueueStore(tmp_path, history_limit=3)
    for n in range(5):
        store.record_sent("api", f"p{n}")
    assert store.history("api") == ["p2", "p3", "p4"]
    assert store.history("api", limit=2) == ["p3", "p4"]
    assert store.history("api", limit=0) == []
    assert store.history("web") == []


def test_two_stores_in_step(tmp_path):
    first, second = QueueStore(tmp_path), QueueStore(tmp_path)
    a = first.add("api", "one")
    b = second.add("api", "two")
    first.move(b.id, -1)
    assert texts(second, "api") == ["two", "one"]
    second.delete(a.id)
    assert texts(first, "api") == ["two"]


def test_threads_share_a_store(store):
    def worker(n: int) -> None:
        for i in range(25):
            store.add(f"agent{n % 2}", f"{n}-{i}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    again = reopened(store)
    assert len(again.items("agent0")) + len(again.items("agent1")) == 150
    assert len({item.id for item in again.all_items()}) == 150


def test_file_format(store):
    store.add("api", "one")
    store.set_paused("api", True)
    document = json.loads((store.directory / FILE_NAME).read_text())
    assert document["version"] == 1
    assert document["items"][0]["text"] == "one" and document["paused"] == ["api"]


def test_default_directory_is_the_data_dir():
    store = QueueStore()
    store.add("api", "x")
    assert store.path == Path(os.environ["XDG_DATA_HOME"]) / "orchestra" / FILE_NAME
    assert store.path.exists()


def test_no_temp_files_are_left_behind(store):
    for n in range(5):
        store.add("api", str(n))
    assert sorted(p.name for p in store.directory.iterdir()) == ["queues.json", "queues.lock"]


def test_stale_temp_files_are_removed_by_load(store):
    store.add("api", "x")
    stale = store.directory / f".{FILE_NAME}.999.abcd.tmp"
    stale.write_text("{half")
    reopened(store).load()
    assert not stale.exists()


def test_a_failed_write_keeps_the_old_file_and_memory_follows_disk(store, monkeypatch):
    store.add("api", "one")
    before = store.path.read_bytes()

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        store.add("api", "two")
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert texts(store, "api") == ["one"]
    assert not list(store.directory.glob(".*.tmp"))


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'{"version": 1, "items": 3}',
                                     b'{"version": 1, "items": [{"id": 1}]}',
                                     b'{"version": 1, "items": [], "history": {"a": "x"}}',
                                     b"\xff\xfe", b""])
def test_a_corrupt_file_is_kept_aside_with_a_clear_error(tmp_path, content):
    (tmp_path / FILE_NAME).write_bytes(content)
    store = QueueStore(tmp_path)
    with pytest.raises(StoreCorrupt) as caught:
        store.load()
    assert isinstance(caught.value, ConfigError)
    assert FILE_NAME in str(caught.value) and ".corrupt-" in str(caught.value)
    kept = list(tmp_path.glob(f"{FILE_NAME}.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert store.items("api") == []
    store.add("api", "fresh start")
    assert texts(reopened(store), "api") == ["fresh start"]


def test_a_newer_format_is_refused_and_left_alone(tmp_path):
    path = tmp_path / FILE_NAME
    path.write_text('{"version": 99, "items": []}')
    with pytest.raises(QueueError, match="newer orchestra"):
        QueueStore(tmp_path).load()
    assert path.read_text() == '{"version": 99, "items": []}'


def test_snapshot_reads_without_the_file_lock_and_sees_other_writers(tmp_path):
    import fcntl

    reader, writer = QueueStore(tmp_path), QueueStore(tmp_path)
    reader.load()
    first = writer.add("api", "first")
    assert [item.id for item in reader.snapshot().of("api")] == [first.id]
    unchanged = reader.snapshot()
    assert reader.snapshot() is unchanged  # nothing changed: no re-read, the same snapshot
    writer.set_paused("api", True)
    assert "api" in reader.snapshot().paused

    # A writer holds the lock (mid-operation in another process): a snapshot still answers.
    held = os.open(tmp_path / "queues.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        answered = threading.Event()
        thread = threading.Thread(target=lambda: (reader.snapshot(), answered.set()))
        thread.start()
        assert answered.wait(timeout=10), "snapshot waited for the file lock"
        thread.join()
    finally:
        os.close(held)
