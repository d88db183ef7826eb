"""The orchestrator without a screen: which pane is which agent, what state it is in, and
sending its queued prompts when it is ready.

One `refresh()` is one tick: one `list-panes -a`, one batched capture of the panes whose
writes may mean something new (`reading.py`), classification only of changed screens, then
the tracker's states over time; the UI renders the `FleetSnapshot` it returns.

A fleet built `read_only` (`status`, `detect`, `inbox`, `log`, `report`) writes nothing. The
journal records changes, not looks: an alert or state it already holds is not journaled again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from orchestra_tui.core.attach import Attach, attach_to
from orchestra_tui.core.fleet.alert_record import journal_memory
from orchestra_tui.core.fleet.alerts import FleetAlerts
from orchestra_tui.core.fleet.budget_standing import BudgetStanding
from orchestra_tui.core.fleet.budgets import BudgetResumesPort, FleetBudgets
from orchestra_tui.core.fleet.directing import QUEUE_OPS, Directing, QueueOp
from orchestra_tui.core.fleet.hook_watch import HookWatch
from orchestra_tui.core.fleet.pace import TickPace
from orchestra_tui.core.fleet.reading import steady_since
from orchestra_tui.core.fleet.record import FleetRecord
from orchestra_tui.core.fleet.restart import Launch, Restarting
from orchestra_tui.core.fleet.state import (
    AgentView,
    FleetContext,
    FleetSettings,
    FleetSnapshot,
    require_pane,
)
from orchestra_tui.core.fleet.tick import FleetTick
from orchestra_tui.core.fleet.unknown_screens import UnknownWatch
from orchestra_tui.core.fleet.usage import AgentCost, FleetUsage
from orchestra_tui.core.fleet.work import WORK_EVERY, FleetWork
from orchestra_tui.core.lifecycle.restart import READY_TIMEOUT, RestartOutcome
from orchestra_tui.core.pane_binding import bind_agents
from orchestra_tui.core.ports import SendFailed
from orchestra_tui.core.sending.receipts import Receipt, ReceiptWatch
from orchestra_tui.core.sending.receipts import looks as receipt_looks
from orchestra_tui.core.sending.receipts import record as record_receipt
from orchestra_tui.core.sending.send_gate import SendGate
from orchestra_tui.diff_models import Diff
from orchestra_tui.errors import OrchestraError, TmuxUnavailable
from orchestra_tui.models import (
    AgentSpec,
    BranchFigures,
    DialogKey,
    Gate,
    PullRequest,
    QueueItem,
    SendResult,
    State,
)
from orchestra_tui.services.ports import (
    AgentsRegistryPort,
    HookLogPort,
    JournalPort,
    QueueStorePort,
    UsageReaderPort,
)
from orchestra_tui.services.store.kept_screens import ScreenKeep
from orchestra_tui.services.tmux.port import TmuxPort

__all__ = ["QUEUE_OPS", "AgentView", "Fleet", "FleetSettings", "FleetSnapshot", "QueueOp"]

log = logging.getLogger(__name__)
ON_BEHALF_KEPT = 20  # acts orchestra did for an agent unasked, kept for `why`


def _no_reset(_words: str, _seen_at: float) -> float | None:
    return None


def _said(problem: object) -> str | None:
    return str(problem) if problem is not None else None


class Fleet:
    """The fleet, composed: the tick (`FleetTick`), the verbs (`Directing`), restarts
    (`Restarting`), alerts (`FleetAlerts`) and what it learns beside its configured agents
    (`FleetWork`), all over one shared `FleetContext`. Everything it uses comes in here:
    `registry` follows the agents `orchestra new` recorded; `follow_work` reads branch figures
    on activity (the app's); `hooks` is the agents' hook log; `enforcement` names agents whose
    enforcement is off, and why; `on_send_failed` hears of queued sends that failed; `launch`
    makes the command line a restart runs (with orchestra's hooks, as `new` starts one)."""

    def __init__(self, tmux: TmuxPort, specs: Sequence[AgentSpec], *,
                 store: QueueStorePort | None = None, journal: JournalPort | None = None,
                 settings: FleetSettings | None = None, discover: bool | None = None,
                 clock: Callable[[], float] = time.time, read_only: bool = False,
                 hooks: HookLogPort | None = None, enforcement: Mapping[str, str] | None = None,
                 registry: AgentsRegistryPort | None = None, follow_work: bool = True,
                 work_every: float = WORK_EVERY, gate: SendGate | None = None,
                 on_send_failed: SendFailed | None = None, screens: ScreenKeep | None = None,
                 limit_reset: Callable[[str, float], float | None] | None = None,
                 usage: UsageReaderPort | None = None, budgets: Mapping[str, float] | None = None,
                 budget_resumes: BudgetResumesPort | None = None,
                 launch: Launch | None = None) -> None:
        self.record = FleetRecord(journal, read_only=read_only)
        self.receipts = ReceiptWatch()  # delivery receipts from each tick's evidence
        # Screens read unknown for a while, kept for the person to report (not by a look).
        self.unknown = UnknownWatch(screens) if screens is not None and not read_only else None
        self.context = FleetContext(tmux=tmux, gate=gate or SendGate(tmux), record=self.record,
                                    store=store, settings=settings or FleetSettings(),
                                    clock=clock, read_only=read_only,
                                    limit_reset=limit_reset or _no_reset)
        self.hook_watch = HookWatch(hooks) if hooks is not None else None
        self.alerts = FleetAlerts(self.context, enforcement or {})
        self.fleet_work = FleetWork(self.context, registry=registry, follow=follow_work,
                                    every=work_every)
        # Tokens and cost from the CLIs' session records (None: not counted), and the lanes'
        # daily budgets over them (`budgets`: lane -> dollars a day).
        self.usage = FleetUsage(self.context, usage) if usage is not None else None
        self.budgets = (FleetBudgets(self.context, self.usage, budgets, budget_resumes)
                        if self.usage is not None and budgets else None)
        self.directing = Directing(self.context, on_send_failed=on_send_failed,
                                   budget_holds=(self.budgets.holds if self.budgets
                                                 else frozenset[str]().__contains__))
        self.restarting = Restarting(self.context, self.directing, self.hook_watch, launch)
        self.ticker = FleetTick(self.context, self.alerts, self.fleet_work, self.usage,
                                self.budgets)
        # With no configured agents, every agent pane found on the server is one.
        self.discover = (not specs) if discover is None else discover
        for spec in specs:
            self.context.add_slot(spec)
        self._memory_read = False  # the journal's alerts and states, read on the first tick
        self._snapshot = FleetSnapshot(agents=(), at=0.0)
        self.pace = TickPace(self.context)  # the poll loop's: brisk or calm, woken by news
        self.fleet_work.sync_recorded()

    # -- what it was built with ------------------------------------------------------------

    @property
    def tmux(self) -> TmuxPort:
        return self.context.tmux

    @property
    def gate(self) -> SendGate:
        return self.context.gate

    @property
    def store(self) -> QueueStorePort | None:
        return self.context.store

    @property
    def journal(self) -> JournalPort | None:
        return self.record.journal

    @property
    def settings(self) -> FleetSettings:
        return self.context.settings

    @property
    def clock(self) -> Callable[[], float]:
        return self.context.clock

    @property
    def read_only(self) -> bool:
        return self.context.read_only

    @property
    def enforcement(self) -> Mapping[str, str]:
        return self.alerts.enforcement

    @property
    def registry(self) -> AgentsRegistryPort | None:
        return self.fleet_work.registry

    @property
    def storage_problem(self) -> str | None:
        return self.record.storage_problem

    # -- reading ---------------------------------------------------------------------------

    @property
    def snapshot(self) -> FleetSnapshot:
        return self._snapshot

    @property
    def names(self) -> list[str]:
        return list(self.context.slots)

    @property
    def work(self) -> dict[str, BranchFigures]:
        """Agent name -> its branch figures, as last read."""
        return self.fleet_work.work

    def spec(self, name: str) -> AgentSpec:
        return self.context.slot(name).spec

    def note_on_behalf(self, name: str, at: float, text: str) -> None:
        """Orchestra did `text` for `name` unasked at `at` (wall clock): `why` tells it. The
        newest few are kept; shown from the next snapshot."""
        slot = self.context.slots.get(name)
        if slot is not None and (at, text) not in slot.on_behalf:
            slot.on_behalf = tuple(sorted((*slot.on_behalf, (at, text))))[-ON_BEHALF_KEPT:]

    async def refresh(self, *, visible: Iterable[str] = (), history: str | None = None
                      ) -> FleetSnapshot:
        """One tick. `visible` names agents whose panes are on screen (always captured);
        `history` names one agent whose capture includes scrollback. An unexpected failure
        is reported in the snapshot's `tick_error`, never raised: the loop goes on."""
        now = self.context.clock()
        try:
            return await self._tick(set(visible), history, now)
        except TmuxUnavailable as error:
            self.ticker.server_down(str(error), now)
            self.context.read_queues()
            self._snapshot = FleetSnapshot(agents=self.ticker.views(), at=now,
                                           tmux_error=str(error))
            return self._snapshot
        except (OrchestraError, OSError, ValueError, RuntimeError) as error:
            log.exception("fleet tick failed")
            self._snapshot = replace(self._snapshot, at=now,
                                     tick_error=f"{type(error).__name__}: {error}")
            return self._snapshot

    async def _tick(self, wanted: set[str], history: str | None, now: float) -> FleetSnapshot:
        context, ticker = self.context, self.ticker
        self.fleet_work.sync_recorded()  # recorded agents join and leave, server gone or not
        panes = await context.tmux.list_panes()
        bind_agents(context.slots.values(), panes)  # once: discovery binds what it adds
        if self.discover:
            await self.fleet_work.discover(panes)
        self.fleet_work.note_activity()  # activity -> branch figures
        if self.hook_watch is not None:
            await self.hook_watch.read(context.slots.values(), context.tmux, now)
        if not self._memory_read:
            self.alerts.journaled, ticker.journaled_states = await asyncio.to_thread(
                journal_memory, self.record.journal)
            self._memory_read = True
        self.alerts.tell_enforcement(now)
        output = await context.tmux.output_activity(*ticker.panes(wanted, history))
        self.pace.saw(output, wanted)
        to_capture = ticker.to_capture(wanted, history, output, now)
        captures = await ticker.capture(to_capture, history) if to_capture else {}
        classified = 0
        for slot in context.slots.values():
            if slot.pane is not None and slot.pane.pane_id in captures:
                ticker.captured(slot, output, history, now, to_capture.get(slot.spec.name))
                if ticker.observe_screen(slot, captures[slot.pane.pane_id], now):
                    classified += 1
            ticker.track(slot, now, steady_since(slot, output, now))
            if self.unknown is not None and (kept := self.unknown.observe(slot, now)):
                self.record.later(asyncio.to_thread(self.unknown.keep.keep, kept.name, kept.text))
        if self.usage is not None and self.fleet_work.follow:  # a command asks when it needs
            self.usage.note(now)  # turn ends and the half-minute: records read off the loop
        if self.budgets is not None:
            await self.budgets.refresh(now)
        context.read_queues()
        if context.store is not None and not context.read_only:  # receipts move on evidence
            for change in self.receipts.observe(receipt_looks(context.slots.values()),
                                                context.queues, now):
                self.record.later(record_receipt(context.store, self.record.write, change))
        self._snapshot = FleetSnapshot(
            agents=ticker.views(), at=now, captured=len(captures), classified=classified,
            watched=len(output.watched),
            tmux_notice=context.tmux.notice, budgets=self._standings(),
            storage_problem=self.record.storage_problem or _said(context.queues.problem))
        return self._snapshot

    def current(self) -> FleetSnapshot:
        """The last tick's snapshot with queues re-read: shows a queue edit at once."""
        if self._snapshot.at == 0:
            return self._snapshot
        self.context.read_queues()
        self._snapshot = replace(self._snapshot, agents=self.ticker.views())
        return self._snapshot

    def sync_recorded(self) -> None:
        self.fleet_work.sync_recorded()

    async def refresh_usage(self) -> dict[str, AgentCost]:
        """Every agent's cost read now (a command has no next tick); {} when not counted."""
        if self.usage is None:
            return {}
        costs = await self.usage.read_now()
        if self.budgets is not None:
            await self.budgets.refresh(self.context.clock())
        self._snapshot = replace(self._snapshot, agents=self.ticker.views(),
                                 budgets=self._standings())
        return costs

    def _standings(self) -> tuple[BudgetStanding, ...]:
        return tuple(self.budgets.standings.values()) if self.budgets is not None else ()

    async def resume_budget(self, lane: str) -> BudgetStanding:
        """Let `lane`'s queues go on past its daily budget for the rest of the day."""
        if self.budgets is None:
            raise OrchestraError("no lane has a budget_per_day (or costs are not read)")
        standing = await self.budgets.resume(lane, self.context.clock())
        self.record.write_later("budget_resumed", None, lane=lane, spent=str(standing.spent))
        self._snapshot = replace(self._snapshot, agents=self.ticker.views(),
                                 budgets=self._standings())
        return standing

    async def refresh_work(self, names: Iterable[str] | None = None) -> dict[str, BranchFigures]:
        return await self.fleet_work.refresh_work(names)

    async def diff_of(self, name: str) -> Diff:
        return await self.fleet_work.diff_of(name)

    async def predict_conflicts(self) -> None:
        """The conflict radar now, over the figures as read (a one-shot command's)."""
        await self.fleet_work.radar.scan()

    def listen_for_hooks(self) -> bool:
        """Let news (a hook reporting, a pane starting or stopping writing) wake the poll
        loop; False when the hooks' nudges go to another orchestra on this data dir."""
        heard = self.hook_watch is not None and self.hook_watch.listen(self.pace.told)
        self.pace.listen(hooks_heard=heard)
        return heard

    async def wait_for_news(self, timeout: float) -> None:
        await self.pace.wait(timeout)

    def look_now(self) -> None:
        """The person looks at another agent: tick now, so its screen is read fresh."""
        self.pace.wake()

    async def settle(self) -> None:
        """Wait for the journal writes the ticks started in the background."""
        await self.record.settle()

    def close(self) -> None:
        if self.hook_watch is not None:
            self.hook_watch.close()

    # -- directing (`Directing`, `Restarting`) ---------------------------------------------

    async def send_now(self, name: str, text: str, *, source: str = "person",
                       to_shell: bool = False, allow_blocked: bool = False) -> SendResult:
        return await self.directing.send_now(name, text, source=source, to_shell=to_shell,
                                             allow_blocked=allow_blocked)

    async def send_to_pane(self, pane_id: str, text: str, *, to_shell: bool = False
                           ) -> SendResult:
        return await self.directing.send_to_pane(pane_id, text, to_shell=to_shell)

    def policy_reminder(self, name: str) -> str:
        return self.directing.policy_reminder(name)

    async def remind_policy(self, name: str) -> SendResult:
        return await self.directing.remind_policy(name)

    async def enqueue(self, name: str, text: str, *, source: str = "person") -> QueueItem:
        return await self.directing.enqueue(name, text, source=source)

    async def queue_op(self, op: QueueOp | str, *args: object) -> None:
        await self.directing.queue_op(op, *args)

    async def toggle_pause(self, name: str) -> bool:
        return await self.directing.toggle_pause(name)

    def dispatch_ready(self) -> list[str]:
        return self.directing.dispatch_ready()

    async def submit_again(self, name: str, item_id: str) -> Receipt:
        return await self.directing.submit_again(name, item_id)

    def watch_send_failures(self, listener: SendFailed) -> None:
        self.directing.watch_send_failures(listener)

    async def wait_for_sends(self) -> None:
        await self.directing.wait_for_sends()

    async def answer(self, name: str, approve: bool, *, seen: DialogKey | None = None,
                     source: str = "person") -> State:
        return await self.directing.answer(name, approve, seen=seen, source=source)

    def alerts_seen(self, name: str) -> None:
        self.directing.alerts_seen(name)

    async def interrupt(self, name: str) -> None:
        await self.directing.interrupt(name)

    async def attach(self, name: str, *, popup: bool = False) -> Attach:
        """Take the person to the agent's pane, wherever their terminal is (`core.attach`)."""
        slot = self.context.slot(name)
        return await attach_to(self.context.tmux, require_pane(slot), slot.spec.name,
                               popup=popup)

    async def compose_handoff(self, name: str, note: str = "",
                              pulls: Sequence[tuple[PullRequest, Gate]] = (), *,
                              issue: str | None = None) -> str:
        return await self.restarting.compose_handoff(name, note, pulls, issue=issue)

    async def restart(self, name: str, handoff: str, *,
                      ready_timeout: float = READY_TIMEOUT) -> RestartOutcome:
        return await self.restarting.restart(name, handoff, ready_timeout=ready_timeout)

    async def kill(self, name: str) -> None:
        await self.restarting.kill(name)
