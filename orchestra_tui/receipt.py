"""A queued prompt's delivery receipt: the steps it went through, each with its time.

queued -> typed (the text went into the composer and Enter was pressed) -> submitted (the
agent's turn start was seen: its `UserPromptSubmit` hook event, or its screen working with the
text in its history) -> answered (that turn ended); or refused (the send gate would not type,
`why` says so), unsubmitted (typed, yet the text still sits in the composer or no turn start
was seen in time), uncertain (no evidence either way). What each step means and the rules that
move an item between them are `core/receipts.py`'s; this module is only the record, shared by
every layer (the store keeps it with the item).

>>> step = ReceiptStep(ReceiptState.TYPED, 12.5, pane="%3@4242", digest="ab12")
>>> ReceiptStep.from_record(step.record()) == step
True
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple


class ReceiptState(StrEnum):
    QUEUED = "queued"
    TYPED = "typed"
    SUBMITTED = "submitted"
    ANSWERED = "answered"
    REFUSED = "refused"
    UNSUBMITTED = "unsubmitted"
    UNCERTAIN = "uncertain"
    SENT = "sent"  # sent before orchestra kept receipts: no finer record exists


class ReceiptStep(NamedTuple):
    """One step: `why` a refusal or an unsubmitted item; `pane` the pane and its process
    (`%3@4242`) the text was typed into, `digest` the typed text's (`prompt_digest`), both on
    the `typed` step: what later evidence is checked against."""

    state: ReceiptState
    at: float
    why: str = ""
    pane: str = ""
    digest: str = ""

    def record(self) -> dict[str, Any]:
        """The step as it is written to `queues.json` (empty fields left out)."""
        record: dict[str, Any] = {"state": str(self.state), "at": self.at}
        for key in ("why", "pane", "digest"):
            if value := getattr(self, key):
                record[key] = value
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ReceiptStep:
        """Raises ValueError / TypeError / KeyError for a record that is not a step."""
        def text(key: str) -> str:
            value = record.get(key, "")
            if not isinstance(value, str):
                raise TypeError(f"receipt {key} is not a string")
            return value

        return cls(ReceiptState(record["state"]), float(record["at"]), text("why"),
                   text("pane"), text("digest"))
