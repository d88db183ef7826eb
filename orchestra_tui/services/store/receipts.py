"""Receipt steps as the queue store records them (`orchestra_tui/receipt.py` is the record,
`core/receipts.py` the rules that decide each step).

The `typed` step is written when an item is claimed for sending, before its first byte reaches
the pane: it carries the pane and process typed into and the text's digest, what the evidence
found after a crash is checked against (the text itself is redacted once sent).

>>> from orchestra_tui.models import QueueItem
>>> item = QueueItem(id="a1", agent="api", text="run the tests")
>>> step = typed_step(item, pane="%3@99", at=5.0)
>>> (step.state, step.pane, step.digest == prompt_digest("run the tests"))
(<ReceiptState.TYPED: 'typed'>, '%3@99', True)
>>> decode_receipt(encode_receipt((step,))) == (step,)
True
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from orchestra_tui.agents.inert import inert_prompt
from orchestra_tui.models import QueueItem, QueueItemState
from orchestra_tui.receipt import ReceiptState, ReceiptStep
from orchestra_tui.services.hooks.log import prompt_digest

# Steps kept per item: a prompt refused a hundred times keeps its latest refusals only.
STEPS_KEPT = 12
_RELEASING = frozenset({ReceiptState.TYPED, ReceiptState.SUBMITTED, ReceiptState.ANSWERED})


def typed_step(item: QueueItem, *, pane: str, at: float) -> ReceiptStep:
    return ReceiptStep(ReceiptState.TYPED, at, pane=pane,
                       digest=prompt_digest(inert_prompt(item.text)))


def with_step(item: QueueItem, step: ReceiptStep,
              state: QueueItemState | None = None) -> QueueItem:
    """`item` with `step` added, in `state` when given. A step that shows the text left the
    composer (submitted, answered, or typed again with Enter) releases an `uncertain` item:
    it is `sent`, and the items behind it may go."""
    steps = (*item.receipt, step)[-STEPS_KEPT:]
    if state is None and item.state is QueueItemState.UNCERTAIN and step.state in _RELEASING:
        return replace(item, receipt=steps, state=QueueItemState.SENT, sent_at=step.at)
    return replace(item, receipt=steps, state=item.state if state is None else state)


def encode_receipt(steps: tuple[ReceiptStep, ...]) -> list[dict[str, Any]]:
    return [step.record() for step in steps]


def decode_receipt(records: Any) -> tuple[ReceiptStep, ...]:
    """The steps of an item's `receipt` (a file from before receipts has none: empty)."""
    if records is None:
        return ()
    if not isinstance(records, list):
        raise TypeError("receipt is not a list")
    return tuple(ReceiptStep.from_record(record) for record in records
                 if isinstance(record, dict))
