"""A prompt whose text no agent state lets through (a leading `!` runs as a shell command in
the agents' composers) is not queued: found living in the product, such an item was offered,
queued, refused at every dispatch and held the queue behind it. Sent now, it is refused with
no offer to queue it."""

from __future__ import annotations

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.sending.send_gate import text_refusal
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import AgentSpec
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.service import TmuxService
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, logged_prompts, start_fake_agent


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


async def test_a_refused_item_deleted_lets_the_next_one_go_on_the_same_screen(
        tmux: TmuxService, tmp_path) -> None:
    """A `!` item from an older queue file is refused at dispatch; the person deletes it and
    queues another. The screen has not changed (an idle composer, as after `/clear`), yet the
    new item is not the refused one: it goes. (It once waited for a screen change that never
    came, while `why` said it would go at the next tick.)"""
    log = tmp_path / "w1.jsonl"
    pane = await start_fake_agent(tmux, "claude", log, session="w1")
    store = QueueStore(tmp_path / "data")
    store.load()
    journal = Journal(tmp_path / "data" / "journal.jsonl")
    fleet = Fleet(tmux, [AgentSpec(name="w1", tool="claude", target=pane.pane_id)],
                  store=store, journal=journal, settings=FleetSettings(idle_debounce=0.3))
    stale = store.add("w1", "!touch BANG")  # written before such items were refused

    async def tick_until(done, message: str) -> None:
        async def step() -> bool:
            await fleet.refresh()
            fleet.dispatch_ready()
            await fleet.wait_for_sends()
            return bool(done())
        await async_wait_until(step, timeout=15, interval=0.1, message=message)

    try:
        await tick_until(lambda: journal.read(events=("send_refused",)), "the refusal")
        await fleet.queue_op("delete", stale.id)
        await fleet.enqueue("w1", "write the export")
        await tick_until(lambda: logged_prompts(log) == ["write the export"],
                         "the next item sent")
    finally:
        fleet.close()
    assert not (REPO / "BANG").exists()
