"""What orchestra does after each tick while the person may be away: tell the channels of new
states (`Notifier`), resume an agent whose usage limit reset (opt-in, `limit_resume`), and fire
the `[[rule]]`s whose stall has lasted (`rule`). Each act goes through the fleet (the send gate,
its queue, its restart) and is journaled; budgets are counted from the journal, so a restart of
orchestra refills none.

The fleet's clock decides when (a test moves it); the journal's own times (wall clock) decide
whether the person touched an agent after its limit appeared.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from orchestra_tui.agents.draft import composer_draft
from orchestra_tui.agents.profiles import PROFILES
from orchestra_tui.core.away.auto_approve import asked_command, judge
from orchestra_tui.core.away.limit_resume import (
    LimitWait,
    decide_resume,
    new_wait,
    resumes_today,
)
from orchestra_tui.core.away.notifier import Notifier
from orchestra_tui.core.away.stall_rules import RuleAction, StallRule, due, fired_today
from orchestra_tui.core.away.summary import ON_BEHALF_EVENTS, behalf_words, start_of_day
from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.core.fleet.state import AgentView, FleetSnapshot
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import State
from orchestra_tui.services.notify.event import NotifyEvent, NotifyKind

log = logging.getLogger(__name__)

# Journal events that are the person's hand on an agent (through orchestra).
TOUCHES = frozenset({"send_intent", "prompt_sent", "approval", "denial", "interrupt", "kill",
                     "restart"})
OWN_SOURCES = frozenset({"limit_resume", "rule", "queue", "auto_approve"})


def continue_text(tool: str) -> str:
    profile = PROFILES.get(tool)
    return profile.continue_text if profile is not None else "continue"


def touched(entries: Sequence[Mapping[str, Any]], agent: str, since_wall: float) -> bool:
    """Whether the person acted on `agent` through orchestra at or after `since_wall`."""
    return any(entry.get("agent") == agent and entry.get("event") in TOUCHES
               and str(entry.get("source", "")).split(":")[0] not in OWN_SOURCES
               and float(entry.get("at", 0.0)) >= since_wall for entry in entries)


@dataclass
class _Wait:
    wait: LimitWait
    began_wall: float  # the journal's clock when orchestra first saw the limit
    done: bool = False  # resumed, or left to the person: once per occurrence
    why: str = ""


@dataclass
class AwayWatch:
    fleet: Fleet
    notifier: Notifier | None = None
    rules: Sequence[StallRule] = ()
    rng: random.Random = field(default_factory=random.Random)
    wall: Callable[[], float] = time.time
    observed: FleetSnapshot | None = None  # the last snapshot fully acted on
    _waits: dict[str, _Wait] = field(default_factory=dict)
    _fired: set[tuple[str, str, str]] = field(default_factory=set)
    _judged: dict[str, object] = field(default_factory=dict)  # agent -> the dialog judged
    _approved: dict[str, object] = field(default_factory=dict)  # agent -> the dialog it approved
    _recalled: bool = False  # today's acts read back from the journal into the fleet (`why`)

    def why(self, agent: str) -> str:
        """What the watch will do (or did) about `agent`'s limit, in words: for `why`."""
        entry = self._waits.get(agent)
        return entry.why if entry is not None else ""

    async def after_tick(self, snapshot: FleetSnapshot, *, focused: bool) -> list[str]:
        """Notify, resume, fire rules; returns what was done, in words."""
        done: list[str] = []
        if not self._recalled:
            self._recalled = True
            await self._recall()
        for view in snapshot.agents:
            done += await self._auto_approve(view)
        if self.notifier is not None:  # a dialog orchestra answered itself is no news
            await self.notifier.observe(replace(snapshot, agents=tuple(
                view for view in snapshot.agents if not self._approved_here(view))),
                focused=focused)
        now = self.fleet.context.clock()
        for view in snapshot.agents:
            done += await self._resume(view, now)
        if self.rules:
            done += await self._rules(snapshot, now, focused)
        self.observed = snapshot
        return done

    # -- a lane's auto_approve ----------------------------------------------------------------

    @staticmethod
    def _dialog(view: AgentView) -> tuple[str, object] | None:
        """(the command asked about, the dialog's identity) of an open dialog a lane's
        `auto_approve` may answer, else None. One dialog is its PermissionRequest event
        (drawn or not yet), else the dialog drawn; a command told later is judged anew."""
        status = view.status
        if status.state is not State.APPROVAL or status.spec is None \
                or not status.spec.auto_approve or status.dialog_key is None:
            return None
        command, hook_at = asked_command(view)
        return command, (status.since, status.dialog_key if hook_at is None else hook_at,
                         command)

    def _approved_here(self, view: AgentView) -> bool:
        found = self._dialog(view)
        return found is not None and self._approved.get(view.name) == found[1]

    async def _auto_approve(self, view: AgentView) -> list[str]:
        """Answer yes to a dialog about a command the lane's `auto_approve` lists, once per
        dialog (a refused one is the person's; it is not judged again)."""
        name, status = view.name, view.status
        found = self._dialog(view)
        if found is None:
            self._judged.pop(name, None)
            return []
        command, identity = found
        if not command or self._judged.get(name) == identity:
            return []
        self._judged[name] = identity
        assert status.spec is not None and status.dialog_key is not None  # `_dialog` said
        verdict = judge(command, status.spec.auto_approve, status.spec.cwd)
        if not verdict.approve:
            log.info("%s: dialog left to the person (%s)", name, verdict.why)
            return []
        try:
            await self.fleet.answer(name, True, seen=status.dialog_key, source="auto_approve")
        except OrchestraError as refused:
            log.info("%s: auto_approve not sent: %s", name, refused)
            return []
        self._approved[name] = identity
        await self._journal("auto_approve", name, command=command)
        return [f"{name}: approved {command} (auto_approve)"]

    # -- usage limits -------------------------------------------------------------------------

    async def _resume(self, view: AgentView, now: float) -> list[str]:
        status, name = view.status, view.name
        limit = status.limit
        spec = status.spec
        if (status.state is not State.BLOCKED or limit is None or limit.resets_at is None
                or spec is None or not spec.resume_after_limit):
            self._waits.pop(name, None)
            return []
        entry = self._waits.get(name)
        if entry is None or entry.wait.began != status.since \
                or entry.wait.resets_at != limit.resets_at:
            entry = _Wait(new_wait(name, status.since, limit.resets_at, self.rng), self.wall())
            self._waits[name] = entry
        if entry.done:
            return []
        if now < entry.wait.resume_at:
            entry.why = f"resumes {int(entry.wait.resume_at - now)} s from now (limit reset)"
            return []
        journal = self.fleet.journal
        entries = await asyncio.to_thread(journal.read, name) if journal is not None else []
        draft = composer_draft(view.screen) if view.screen else ""
        hand = touched(entries, name, entry.began_wall) or bool(draft.strip())
        decision = decide_resume(entry.wait, now=now,
                                 resumed_today=resumes_today(entries, name, self.wall()),
                                 per_day=spec.resume_per_day,
                                 touched_at=entry.wait.began if hand else None)
        entry.why = decision.why
        if not decision.due:
            entry.done = hand  # the person's: never later either
            return []
        entry.done = True
        ok, detail = await self._send(name, continue_text(status.tool), "limit_resume")
        await self._journal("limit_resume", name, resets=limit.words, ok=ok, detail=detail)
        entry.why = "resumed after its limit reset" if ok else f"resume failed: {detail}"
        return [f"{name}: resumed after its usage limit ({detail or 'sent'})"]

    async def _send(self, name: str, text: str, source: str) -> tuple[bool, str]:
        try:
            result = await self.fleet.send_now(name, text, source=source, allow_blocked=True)
        except OrchestraError as refused:
            return False, str(refused)
        return result.delivered, result.detail

    async def _recall(self) -> None:
        """What an earlier run did for each agent today, for `why`."""
        journal = self.fleet.journal
        if journal is None:
            return
        entries = await asyncio.to_thread(journal.read, None, start_of_day(self.wall()),
                                          ON_BEHALF_EVENTS)
        for entry in entries:
            if (words := behalf_words(entry)) and entry.get("agent"):
                self.fleet.note_on_behalf(str(entry["agent"]), float(entry["at"]), words)

    async def _journal(self, event: str, agent: str, **fields: Any) -> None:
        at = self.wall()  # one moment for the note and the journal: a later recall is the same
        if (words := behalf_words({"event": event, **fields})) is not None:
            self.fleet.note_on_behalf(agent, at, words)
        journal = self.fleet.journal
        if journal is None or self.fleet.read_only:
            return
        try:
            await asyncio.to_thread(journal.append, event, agent, at=at, **fields)
        except OSError:
            log.warning("journal %s for %s not written", event, agent)

    # -- rules ----------------------------------------------------------------------------------

    async def _rules(self, snapshot: FleetSnapshot, now: float, focused: bool) -> list[str]:
        held = [view for view in snapshot.agents
                if any(rule.state is view.status.state and now - view.status.since >= rule.after
                       for rule in self.rules)]
        if not held:
            return []
        journal = self.fleet.journal
        entries = (await asyncio.to_thread(journal.read, None, None, ("rule",))
                   if journal is not None else [])
        counts, occurrences = fired_today(entries, self.wall())
        occurrences |= self._fired
        done = []
        for view in held:
            status = view.status
            for firing in due(self.rules, agent=view.name, state=status.state,
                              reason=status.reason, since=status.since, now=now, counts=counts,
                              occurrences=occurrences):
                self._fired.add((firing.rule.name, view.name, firing.occurrence))
                counts[(firing.rule.name, view.name)] = counts.get(
                    (firing.rule.name, view.name), 0) + 1
                ok, detail = await self._act(firing.rule, view, focused)
                await self._journal("rule", view.name, rule=firing.rule.name,
                                    action=firing.rule.action.value,
                                    occurrence=firing.occurrence, ok=ok, detail=detail)
                done.append(f"{view.name}: rule {firing.rule.name} did "
                            f"{firing.rule.action.value}")
        return done

    async def _act(self, rule: StallRule, view: AgentView, focused: bool) -> tuple[bool, str]:
        name, status = view.name, view.status
        if rule.action is RuleAction.NOTIFY:
            if self.notifier is None:
                return False, "no [notify] channel"
            event = NotifyEvent(NotifyKind.RULE, name, status.state.value,
                                f"rule {rule.name}: {status.reason}",
                                key=f"rule:{rule.name}:{name}:{status.since:.0f}")
            told = await self.notifier.send([event], focused=focused)
            return any(d.ok for d in told), "; ".join(d.error for d in told if d.error)
        if rule.action is RuleAction.QUEUE:
            await self.fleet.enqueue(name, rule.prompt, source=f"rule:{rule.name}")
            return True, "queued"
        if rule.action is RuleAction.CONTINUE:
            return await self._send(name, continue_text(status.tool), f"rule:{rule.name}")
        try:
            handoff = await self.fleet.compose_handoff(
                name, f"Restarted by orchestra's rule {rule.name}: {status.reason}")
            outcome = await self.fleet.restart(name, handoff)
        except OrchestraError as error:
            return False, str(error)
        return outcome.state is not State.EXITED, f"restarted: {outcome.reason}"
