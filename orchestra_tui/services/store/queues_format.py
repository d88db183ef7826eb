"""The on-disk form of the queue store (`queues.json`), and the snapshot readers get.

One JSON object: `version`, `items` (each queued prompt with its state, times, source and, for
an uncertain one, why), `paused` (agents whose dispatch is paused) and `history` (the prompts
sent to each agent). A file written by a newer orchestra is refused, never half read.

>>> from orchestra_tui.models import QueueItem
>>> item = QueueItem(id="a1", agent="api", text="run the tests")
>>> decode(encode([item], {}, {"api"}, {"api": ["hello"]}))[0] == [item]
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestra_tui.errors import ConfigError, OrchestraError
from orchestra_tui.models import QueueItem, QueueItemState
from orchestra_tui.paths import StorageError
from orchestra_tui.services.store.receipts import decode_receipt, encode_receipt

FORMAT_VERSION = 1

Decoded = tuple[list[QueueItem], dict[str, str], set[str], dict[str, list[str]]]


@dataclass(frozen=True)
class QueueSnapshot:
    """Every queue and pause at one moment: what a tick reads once instead of asking per agent.
    `problem`: why the queue file could not be used (`QueueStore.problem`), None when fine."""

    items: dict[str, tuple[QueueItem, ...]]
    paused: frozenset[str]
    problem: StorageError | None = None

    def of(self, agent: str) -> tuple[QueueItem, ...]:
        return self.items.get(agent, ())

    def next_ready(self, agent: str) -> QueueItem | None:
        return next_ready(self.of(agent))


EMPTY = QueueSnapshot(items={}, paused=frozenset())


def next_ready(queue: Iterable[QueueItem]) -> QueueItem | None:
    """The item to send next from one agent's queue: its first `queued` one, or None when it
    has none or one is `sending` or `uncertain` (one at a time; an uncertain one waits for the
    person). Pause is not applied here."""
    waiting = None
    for item in queue:
        if item.state in (QueueItemState.SENDING, QueueItemState.UNCERTAIN):
            return None
        if waiting is None and item.state == QueueItemState.QUEUED:
            waiting = item
    return waiting


class NewerFormat(Exception):
    """The file was written by a newer orchestra."""


class QueueError(OrchestraError):
    """A queue operation that the item's state does not allow (editing one being sent, ...)."""


class QueueItemNotFound(QueueError, LookupError):
    """No queued item has this id (sent, deleted, or never existed)."""


class StoreCorrupt(StorageError, ConfigError):
    """`queues.json` could not be read; it was kept aside (`kept`) and the store starts empty.
    Raised once, by the locked operation that kept it aside; `QueueStore.problem` keeps it
    (`kept` None: a reader without the lock found it, the next change keeps it aside)."""

    def __init__(self, message: str, *, path: Path, kept: Path | None) -> None:
        super().__init__(message, path=path, kind="corrupt")
        self.kept = kept


class StoreNewerFormat(StorageError, QueueError):
    """`queues.json` was written by a newer orchestra: never written over, every operation
    refuses until orchestra is upgraded (or the file moved away)."""


def encode(items: list[QueueItem], details: dict[str, str], paused: set[str],
           history: dict[str, list[str]]) -> bytes:
    document: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "items": [
            {"id": item.id, "agent": item.agent, "text": item.text, "state": str(item.state),
             "created_at": item.created_at, "sent_at": item.sent_at, "source": item.source,
             **({"receipt": encode_receipt(item.receipt)} if item.receipt else {}),
             **({"detail": details[item.id]} if item.id in details else {})}
            for item in items
        ],
        "paused": sorted(paused),
        "history": history,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def decode(raw: bytes) -> Decoded:
    """(items, details, paused, history). Raises NewerFormat, or ValueError / TypeError /
    KeyError / AttributeError for a file that is not a queue store."""
    document = json.loads(raw.decode("utf-8"))
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    version = document["version"]
    if not isinstance(version, int):
        raise ValueError("version is not an integer")
    if version > FORMAT_VERSION:
        raise NewerFormat(f"written by a newer orchestra (format {version}); upgrade orchestra")
    items: list[QueueItem] = []
    details: dict[str, str] = {}
    for entry in _typed(document["items"], list):
        item = QueueItem(
            id=_typed(entry["id"], str), agent=_typed(entry["agent"], str),
            text=_typed(entry["text"], str), state=QueueItemState(entry["state"]),
            created_at=float(entry.get("created_at", 0.0)),
            sent_at=None if entry.get("sent_at") is None else float(entry["sent_at"]),
            source=_typed(entry.get("source", ""), str),
            receipt=decode_receipt(entry.get("receipt")),
        )
        items.append(item)
        if entry.get("detail"):
            details[item.id] = _typed(entry["detail"], str)
    paused = {_typed(agent, str) for agent in _typed(document.get("paused", []), list)}
    history = {_typed(agent, str): [_typed(text, str) for text in _typed(texts, list)]
               for agent, texts in _typed(document.get("history", {}), dict).items()}
    return items, details, paused, history


def check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise QueueError(f"the prompt is not valid UTF-8 text (a byte that is no character at "
                         f"position {error.start}); nothing queued") from None


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value
