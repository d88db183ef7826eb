"""A prompt whose text no agent state lets through (a leading `!` runs as a shell command in
the agents' composers) is not queued: found living in the product, such an item was offered,
queued, refused at every dispatch and held the queue behind it. Sent now, it is refused with
no offer to queue it."""

from __future__ import annotations

import pytest

from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.core.sending.send_gate import text_refusal
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import AgentSpec
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.service import TmuxService


@pytest.mark.parametrize("text", ["!touch BANG", "  !rm -rf build", "!"])
def test_a_leading_bang_is_refused_whatever_the_state(text: str) -> None:
    assert text_refusal(text) is not None


@pytest.mark.parametrize("text", ["touch BANG!", "run it: !ls", "/clear", "fix #12"])
def test_other_text_is_not_refused_for_itself(text: str) -> None:
    assert text_refusal(text) is None


async def test_it_is_neither_queued_nor_edited_in(tmux: TmuxService, tmp_path) -> None:
    store = QueueStore(tmp_path / "data")
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="w1", tool="claude", target="%99")], store=store)
    try:
        with pytest.raises(OrchestraError, match='not queued for w1: a prompt that starts '
                                                 'with "!"'):
            await fleet.enqueue("w1", "!touch BANG")
        assert store.items("w1") == []
        item = await fleet.enqueue("w1", "write the export")
        with pytest.raises(OrchestraError, match="not changed"):
            await fleet.queue_op("edit", item.id, "!touch BANG")
        assert [i.text for i in store.items("w1")] == ["write the export"]
    finally:
        fleet.close()
