"""Per-agent prompt queues and prompt history, kept on disk so that nothing is lost or sent twice.

One JSON file, `queues.json` in the data dir, holds the whole state. Every mutation rewrites it
atomically before the method returns (temp file, fsync, `os.replace`, fsync of the directory), so
a SIGKILL at any moment leaves either the old or the new whole state. A lock makes the store
safe to share between the UI and workers; a `flock` on `queues.lock`, plus re-reading the file
when another process replaced it, lets `orchestra send` and the app share it too.

A queued prompt's life (its receipt, `note`d steps, is `core/receipts.py`'s): `queued` ->
`mark_sending` -> `mark_sent` (it stays in the queue as `sent`, the last `sent_limit` per agent
kept, so the person sees what went) or `mark_uncertain` (delivery unconfirmed: it blocks the
agent's queue until the person `requeue`s, `mark_sent`s or `delete`s it). An item found
`sending` by `load()` at start-up was cut off mid-send by a crash and becomes `uncertain`: never
sent twice unasked. The history (`record_sent`, `history`) is a separate list of every prompt
sent, queued or typed; `mark_sent` does not add to it.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from orchestra_tui.models import QueueItem, QueueItemState
from orchestra_tui.paths import StorageError, atomic_write, data_dir, remove_stale_temporaries
from orchestra_tui.receipt import ReceiptStep
from orchestra_tui.services.store.journal import REDACTED, redact
from orchestra_tui.services.store.queues_file import FILE_NAME, LOCK_NAME, QueueFile
from orchestra_tui.services.store.queues_format import (
    FORMAT_VERSION,
    QueueError,
    QueueItemNotFound,
    QueueSnapshot,
    StoreCorrupt,
    StoreNewerFormat,
    check_text,
    encode,
    next_ready,
)
from orchestra_tui.services.store.receipts import typed_step, with_step

__all__ = ["FORMAT_VERSION", "QueueError", "QueueItemNotFound", "QueueSnapshot", "QueueStore",
           "StorageError", "StoreCorrupt", "StoreNewerFormat", "FILE_NAME", "LOCK_NAME"]
CRASH_DETAIL = ("orchestra stopped while sending this prompt; look at the agent's pane, then "
                "send it again, mark it sent, or delete it")

_QUEUED, _SENDING, _SENT, _UNCERTAIN = (QueueItemState.QUEUED, QueueItemState.SENDING,
                                        QueueItemState.SENT, QueueItemState.UNCERTAIN)


class QueueStore:
    """Prompt queues and history of every agent, persisted in `directory` (default: data dir).

    >>> import tempfile; store = QueueStore(Path(tempfile.mkdtemp()))
    >>> item = store.add("api", "run the tests")
    >>> store.next_ready("api") == item
    True
    >>> store.mark_sending(item.id).state
    <QueueItemState.SENDING: 'sending'>
    >>> store.next_ready("api") is None  # one at a time
    True
    >>> store.mark_sent(item.id).state
    <QueueItemState.SENT: 'sent'>
    >>> store.record_sent("api", item.text); store.history("api")
    ['run the tests']
    """

    def __init__(self, directory: Path | None = None, *, history_limit: int = 500,
                 sent_limit: int = 20) -> None:
        self._file = QueueFile(Path(directory) if directory is not None else data_dir)
        self._history_limit = max(1, history_limit)
        self._sent_limit = max(0, sent_limit)
        self._lock = threading.RLock()
        self._signature: object = None  # stat of the file last read or written
        self._loaded = False
        self._items: list[QueueItem] = []
        self._details: dict[str, str] = {}
        self._paused: set[str] = set()
        self._history: dict[str, list[str]] = {}
        self._cached: QueueSnapshot | None = None  # dropped whenever memory changes
        self._suspect = False  # memory is not the file (unreadable): a locked op re-reads

    @property
    def directory(self) -> Path:
        return self._file.directory

    @property
    def path(self) -> Path:
        return self._file.path

    @property
    def problem(self) -> StorageError | None:
        """Why the queue file cannot be used as it should, for the app to show as a state:
        `kind` `newer` (written by a newer orchestra: nothing is written over it), `corrupt`
        (unreadable: kept aside as `.kept`, the queues started empty; stays until
        `clear_problem`), `unreadable` or `unwritable` (the system refused: read-only, full, a
        directory in its place). None when all is well. Also on every `snapshot()`."""
        with self._lock:
            return self._file.problem

    def clear_problem(self) -> None:
        """The person has seen the problem (a kept-aside corrupt file): stop showing it."""
        with self._lock:
            self._file.problem = None
            self._cached = None

    # -- start-up ---------------------------------------------------------------------------

    def load(self) -> list[QueueItem]:
        """Read the file (call once at the app's start-up). Items found `sending` were cut off
        by a crash: they become `uncertain`, are saved so, and are returned for the caller to
        tell the person. Raises `StoreCorrupt` (after keeping the bad file aside and starting
        empty) or `QueueError` for a file written by a newer orchestra."""
        with self._locked("load", reload=True):
            remove_stale_temporaries(self.path)
            found = [item for item in self._items if item.state == _SENDING]
            if found:
                for item in found:
                    self._details[item.id] = CRASH_DETAIL
                    self._replace(replace(item, state=_UNCERTAIN))
                self._save()
            return [replace(item, state=_UNCERTAIN) for item in found]

    # -- reading ----------------------------------------------------------------------------

    def snapshot(self) -> QueueSnapshot:
        """All queues without taking the file lock: writers replace the file atomically, so a
        reader that stats it and re-reads it when it changed always sees one whole state. Cheap
        when nothing changed (one `stat`): the poll loop calls it every tick."""
        with self._lock:
            try:
                signature = self._file.stat()
                if not self._loaded or signature != self._signature:
                    self._refresh(locked=False)
            except StorageError:
                pass  # kept in `problem`, shown with the snapshot; a locked operation raises
            if self._cached is None:
                grouped: dict[str, list[QueueItem]] = {}
                for item in self._items:
                    grouped.setdefault(item.agent, []).append(item)
                self._cached = QueueSnapshot(
                    items={agent: tuple(items) for agent, items in grouped.items()},
                    paused=frozenset(self._paused), problem=self._file.problem)
            return self._cached

    def items(self, agent: str) -> list[QueueItem]:
        """The agent's queue in order: its last few `sent` items, then the rest."""
        with self._locked():
            return [item for item in self._items if item.agent == agent]

    def all_items(self) -> list[QueueItem]:
        with self._locked():
            return list(self._items)

    def agents(self) -> list[str]:
        """Agents with items or a pause, sorted."""
        with self._locked():
            return sorted({item.agent for item in self._items} | self._paused)

    def get(self, item_id: str) -> QueueItem:
        with self._locked():
            return self._find(item_id)[1]

    def detail(self, item_id: str) -> str:
        """Why an `uncertain` item is uncertain ("" for others)."""
        with self._locked():
            self._find(item_id)
            return self._details.get(item_id, "")

    def next_ready(self, agent: str) -> QueueItem | None:
        """The agent's first `queued` item, or None when its queue is empty or an item of it is
        `sending` or `uncertain` (one at a time; an uncertain one waits for the person). Pause
        is not applied here: check `paused(agent)` as well."""
        with self._locked():
            return next_ready(item for item in self._items if item.agent == agent)

    def paused(self, agent: str) -> bool:
        with self._locked():
            return agent in self._paused

    def history(self, agent: str, limit: int = 50) -> list[str]:
        """The last `limit` prompts sent to the agent, oldest first."""
        with self._locked():
            entries = self._history.get(agent, [])
            return list(entries[-limit:]) if limit > 0 else []

    def check_writable(self) -> None:
        """Raise the `StorageError` that a change would meet now (a newer or corrupt file, a
        read-only or full directory), changing nothing: what `orchestra send` asks before a
        prompt is typed, so that recording it afterwards does not fail."""
        with self._locked("check"):
            probe = self.directory / f".{FILE_NAME}.{os.getpid()}.probe.tmp"
            try:
                atomic_write(probe, b"{}\n")
            finally:
                probe.unlink(missing_ok=True)

    # -- changing ---------------------------------------------------------------------------

    def add(self, agent: str, text: str, source: str = "person") -> QueueItem:
        """Append a prompt to the end of the agent's queue."""
        if not text.strip():
            raise QueueError("an empty prompt cannot be queued")
        check_text(text)
        item = QueueItem(id=uuid.uuid4().hex[:12], agent=agent, text=text, state=_QUEUED,
                         created_at=time.time(), source=source)
        with self._locked("add"):
            self._items.append(item)
            self._save()
        return item

    def edit(self, item_id: str, text: str) -> QueueItem:
        if not text.strip():
            raise QueueError("an empty prompt cannot be queued; delete the item instead")
        check_text(text)
        with self._locked("edit"):
            item = self._not_sending(item_id, "edited")
            if item.state == _SENT:
                raise QueueError(f"prompt {item_id} was sent already; add a new one instead")
            return self._update(replace(item, text=text))

    def delete(self, item_id: str) -> QueueItem:
        with self._locked("delete"):
            item = self._not_sending(item_id, "deleted")
            self._items.remove(item)
            self._details.pop(item_id, None)
            self._save()
            return item

    def move(self, item_id: str, delta: int) -> QueueItem:
        """Move an item `delta` places within its agent's queue (negative: up), clamped."""
        with self._locked("move"):
            index, item = self._find(item_id)
            positions = [i for i, other in enumerate(self._items) if other.agent == item.agent]
            rank = positions.index(index)
            target = max(0, min(len(positions) - 1, rank + delta))
            if target == rank:
                return item
            # Removing the item shifts later ones left by one, which makes "before the item now
            # at `target`" (moving up) and "after it" (moving down) the same list index.
            del self._items[index]
            self._items.insert(positions[target], item)
            self._save()
            return item

    def move_to_agent(self, item_id: str, agent: str) -> QueueItem:
        """Move an item to the end of another agent's queue, as a fresh `queued` item."""
        with self._locked("move_to_agent"):
            item = self._not_sending(item_id, "moved")
            if item.agent == agent:
                return item
            moved = replace(item, agent=agent, state=_QUEUED)
            self._items.remove(item)
            self._items.append(moved)
            self._details.pop(item_id, None)
            self._save()
            return moved

    def mark_sending(self, item_id: str, pane: str = "") -> QueueItem:
        """Claim a `queued` item for delivery; saved before any key reaches the pane, with its
        receipt's `typed` step (`pane`: `%3@pid`, the pane and process it goes to)."""
        with self._locked("mark_sending"):
            _, item = self._find(item_id)
            if item.state != _QUEUED:
                raise QueueError(f"prompt {item_id} is {item.state}, not queued")
            busy = [other for other in self._items if other.agent == item.agent
                    and other.state in (_SENDING, _UNCERTAIN)]
            if busy:
                raise QueueError(f"{item.agent} already has a prompt {busy[0].state}; "
                                 "one at a time")
            typed = typed_step(item, pane=pane, at=time.time())
            return self._update(with_step(item, typed, _SENDING))

    def mark_sent(self, item_id: str, at: float | None = None) -> QueueItem:
        """The prompt reached the agent: it stays in the queue as `sent` (only the agent's last
        `sent_limit` sent items are kept). Call `record_sent` for the history."""
        with self._locked("mark_sent"):
            _, item = self._find(item_id)
            self._details.pop(item_id, None)
            # A sent prompt is kept as a record: without the secrets it was typed with.
            sent = replace(item, text=redact(item.text), state=_SENT,
                           sent_at=time.time() if at is None else at)
            self._replace(sent)
            done = [other for other in self._items
                    if other.agent == item.agent and other.state == _SENT]
            for old in done[:max(0, len(done) - self._sent_limit)]:
                self._items.remove(old)
            self._save()
            return sent

    def mark_uncertain(self, item_id: str, detail: str = "") -> QueueItem:
        """Delivery could not be confirmed: the item blocks its queue until the person decides."""
        with self._locked("mark_uncertain"):
            _, item = self._find(item_id)
            self._details[item_id] = detail
            return self._update(replace(item, state=_UNCERTAIN))

    def requeue(self, item_id: str) -> QueueItem:
        """The person says "send it again": an uncertain (or sent) item becomes `queued` in
        place, and is sent when its turn comes."""
        with self._locked("requeue"):
            _, item = self._find(item_id)
            if item.state == _SENDING:
                raise QueueError(f"prompt {item_id} is being sent; wait for the outcome")
            if item.state == _SENT and REDACTED in item.text:
                raise QueueError(f"prompt {item_id} held a secret, which orchestra does not "
                                 "keep once sent; type it again instead")
            self._details.pop(item_id, None)
            return self._update(replace(item, state=_QUEUED, sent_at=None))

    def note(self, item_id: str, step: ReceiptStep) -> QueueItem:
        """Add a step to the item's receipt (`core.receipts` decides it, `with_step` adds it)."""
        with self._locked("note"):
            return self._update(with_step(self._find(item_id)[1], step))

    def set_paused(self, agent: str, paused: bool) -> None:
        with self._locked("set_paused"):
            if (agent in self._paused) == paused:
                return
            if paused:
                self._paused.add(agent)
            else:
                self._paused.discard(agent)
            self._save()

    def record_sent(self, agent: str, text: str) -> None:
        """Add a prompt sent outside the queue (typed "send now") to the agent's history,
        secrets redacted as the journal redacts them."""
        with self._locked("record_sent"):
            self._append_history(agent, redact(text))
            self._save()

    # -- internals --------------------------------------------------------------------------

    @contextmanager
    def _locked(self, operation: str = "read", reload: bool = False) -> Iterator[None]:
        """The thread lock and the file lock, with memory refreshed from the file."""
        with self._lock, self._file.lock(operation):
            if reload:
                self._signature = None
            self._cached = None  # a failure below shows its problem with the next snapshot
            self._refresh(locked=True)
            yield

    def _refresh(self, *, locked: bool) -> None:
        signature = self._file.stat()
        if self._loaded and signature == self._signature and not self._suspect:
            return
        self._cached = None
        self._loaded, self._suspect, self._signature = True, True, signature
        self._items, self._details, self._paused, self._history = [], {}, set(), {}
        # Until the file reads, memory is not the file: it is never saved over it, and every
        # locked operation reads it again (a newer format refuses each time).
        decoded = self._file.read(locked=locked)
        if decoded is not None:
            self._items, self._details, self._paused, self._history = decoded
        self._suspect = False
        self._signature = self._file.stat()  # a corrupt file kept aside is gone now

    def _save(self) -> None:
        self._cached = None
        data = encode(self._items, self._details, self._paused, self._history)
        try:
            self._file.write(data)
        except BaseException:
            self._loaded = False  # memory is ahead of disk: read the disk again next time
            raise
        self._signature = self._file.stat()

    def _find(self, item_id: str) -> tuple[int, QueueItem]:
        for index, item in enumerate(self._items):
            if item.id == item_id:
                return index, item
        raise QueueItemNotFound(f"no queued prompt {item_id} (sent or deleted meanwhile?)")

    def _not_sending(self, item_id: str, verb: str) -> QueueItem:
        _, item = self._find(item_id)
        if item.state == _SENDING:
            raise QueueError(f"prompt {item_id} is being sent and cannot be {verb} now")
        return item

    def _replace(self, item: QueueItem) -> None:
        index, _ = self._find(item.id)
        self._items[index] = item

    def _update(self, item: QueueItem) -> QueueItem:
        self._replace(item)
        self._save()
        return item

    def _append_history(self, agent: str, text: str) -> None:
        entries = self._history.setdefault(agent, [])
        entries.append(text)
        del entries[:-self._history_limit]

