"""Transitions become notifications: one push per occurrence through a real apprise URL to a
loopback push service, none while the person looks, none again after a restart (the journal
remembers), and a secret of the URL in no journal line."""

from __future__ import annotations

import asyncio
import json

from orchestra_tui.core.away.notifier import Notifier, new_events
from orchestra_tui.core.away.notify_policy import NotifyRules
from orchestra_tui.core.fleet.state import AgentView, FleetSnapshot
from orchestra_tui.models import AgentSpec, AgentStatus, DialogKey, State
from orchestra_tui.services.notify.push import PushChannel
from orchestra_tui.services.store.journal import Journal
from tests.notify_endpoint import PushEndpoint

SECRET = "pw-0f9e8d7c6b"


def view(name: str, state: State, since: float = 100.0, subject: str = "") -> AgentView:
    key = DialogKey("claude", "exec", subject, ("1. Yes", "2. No")) if subject else None
    status = AgentStatus(name=name, pane_id="%1", tool="claude", state=state,
                         reason=f"{state.value}: r", since=since, dialog_key=key,
                         spec=AgentSpec(name=name, target="s:0.0", host="box", lane="api"))
    return AgentView(status=status)


def snapshot(*views: AgentView) -> FleetSnapshot:
    return FleetSnapshot(agents=views, at=0.0)


def test_only_changes_into_a_state_that_needs_the_person_are_events() -> None:
    before = {"a": State.WORKING, "b": State.APPROVAL, "c": State.IDLE}
    events = new_events(before, snapshot(view("a", State.APPROVAL, subject="Bash rm -rf x"),
                                         view("b", State.APPROVAL), view("c", State.WORKING)))
    assert [(e.agent, e.kind.value, e.excerpt, e.host, e.lane) for e in events] == [
        ("a", "approval", "Bash rm -rf x", "box", "api")]


def run(coroutine):
    return asyncio.run(coroutine)


def test_one_push_per_occurrence_and_none_while_focused(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    with PushEndpoint() as endpoint:
        url = f"json://bot:{SECRET}@127.0.0.1:{endpoint.port}/hook"
        notifier = Notifier([PushChannel(url, 1)], NotifyRules(), journal)
        run(notifier.observe(snapshot(view("a", State.WORKING)), focused=False))
        run(notifier.observe(snapshot(view("a", State.APPROVAL, 200, "Bash rm -rf x")),
                             focused=False))
        run(notifier.observe(snapshot(view("a", State.APPROVAL, 200, "Bash rm -rf x")),
                             focused=False))
        assert len(endpoint.received) == 1
        assert "Bash rm -rf x" in json.loads(endpoint.received[0].body)["message"]
        # Looking at the app: a new occurrence is not pushed.
        run(notifier.observe(snapshot(view("a", State.WORKING, 300)), focused=True))
        run(notifier.observe(snapshot(view("a", State.APPROVAL, 400)), focused=True))
        assert len(endpoint.received) == 1
        # A new orchestra on the same journal does not tell the first occurrence again.
        again = Notifier([PushChannel(url, 1)], NotifyRules(), journal)
        run(again.observe(snapshot(view("a", State.APPROVAL, 200, "Bash rm -rf x")),
                          focused=False))
        assert len(endpoint.received) == 1
    lines = (tmp_path / "journal.jsonl").read_text()
    assert '"event": "notify"' in lines and SECRET not in lines


def test_a_failed_delivery_is_journaled_without_the_secret_and_retried_next_time(
        tmp_path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    with PushEndpoint() as endpoint:
        endpoint.answer = 503
        url = f"json://bot:{SECRET}@127.0.0.1:{endpoint.port}/hook"
        notifier = Notifier([PushChannel(url, 1)], NotifyRules(), journal)
        (delivery,) = run(notifier.observe(snapshot(view("a", State.BLOCKED)), focused=False))
        assert not delivery.ok
    text = (tmp_path / "journal.jsonl").read_text()
    assert SECRET not in text and '"ok": false' in text
    with PushEndpoint() as endpoint:
        url = f"json://bot:{SECRET}@127.0.0.1:{endpoint.port}/hook"
        restarted = Notifier([PushChannel(url, 1)], NotifyRules(), journal)
        run(restarted.observe(snapshot(view("a", State.BLOCKED)), focused=False))
        assert len(endpoint.received) == 1  # the failed one was not "told"
