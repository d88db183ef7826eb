"""Why an agent is in the state orchestra shows, and what orchestra will do next for it: one
pure function over an `AgentView` (and the evidence the fleet kept in it), for
`orchestra why NAME` and the app's `w` panel alike.

An explanation names the state's *authority* (which witness decided: the agent's own hook
events, its screen, tmux, its host over ssh, the person's own stop, a fix-retry loop) and why
that one won, the *clues* with their times (the last hook events, the screen rule that fired
and the rows it matched, the debounce and stuck clocks, the last disagreement), and the *next
step* orchestra takes by itself (`core.queue_reasons` says why each queued prompt waits).

>>> from orchestra_tui.models import AgentStatus
>>> view = AgentView(AgentStatus(name="api", pane_id=None, tool="codex", state=State.EXITED,
...                              reason="exited: no tmux pane found for this agent"))
>>> told = explain(view, now=10.0)
>>> str(told.authority), told.next_step
('tmux', 'nothing: its program ended; R starts it again with a handoff')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from orchestra_tui.agents.text import clip
from orchestra_tui.core.away.auto_approve import asked_command, judge
from orchestra_tui.core.costs import CostSummary
from orchestra_tui.core.fleet.budget_standing import BudgetStanding
from orchestra_tui.core.fleet.evidence import AgentEvidence, Disagreement
from orchestra_tui.core.fleet.queue_reasons import QueueWait, WaitKind, first_wait
from orchestra_tui.core.fleet.state import AgentView
from orchestra_tui.models import State
from orchestra_tui.usage_limit import countdown

__all__ = ["Authority", "Clue", "Explanation", "explain"]

_TEXT_WIDTH = 48  # a queued prompt's words, quoted in the next step


class Authority(StrEnum):
    """The witness whose word the state is."""

    HOOK = "hook"  # the agent's own hook event
    SCREEN = "screen"  # orchestra's reading of its pane
    TMUX = "tmux"  # tmux has no pane for it, or no server
    HOST = "host"  # its host does not answer over ssh
    PERSON = "person"  # the person stopped it through orchestra
    LOOP = "loop"  # orchestra saw it retry the same fix over and over
    NONE = "none"  # nothing was kept (a fleet that kept no evidence)


@dataclass(frozen=True)
class Clue:
    """One piece of evidence: what kind (`hook`, `screen`, `timer`, `disagreement`, `tmux`,
    `host`, `person`, `loop`, `dialog`), when (seconds since the epoch; None: no moment of its
    own) and what it says."""

    kind: str
    text: str
    at: float | None = None
    rows: bool = False  # it quotes screen rows the reader's rule matched (shown highlighted)


@dataclass(frozen=True)
class Explanation:
    agent: str
    state: State
    reason: str
    since: float
    authority: Authority
    authority_why: str
    clues: tuple[Clue, ...]
    next_step: str
    # The screen rule that fired ("" when the reader did not say) and the rows it matched
    # (row index on the pane, text), newest last: the app highlights these on the pane.
    rule: str = ""
    rows: tuple[tuple[int, str], ...] = ()
    queue_wait: QueueWait | None = None
    at: float = 0.0
    # (when, what) orchestra did for it unasked today: rules, limit resumes, auto_approve.
    done_today: tuple[tuple[float, str], ...] = ()
    # What it has cost, from its CLI's session records (None: not read; `cost_unknown` why).
    cost: CostSummary | None = None
    cost_unknown: str = ""
    budget: BudgetStanding | None = None  # its lane's daily budget, when it has one

    def as_json(self) -> dict[str, Any]:
        """The explanation as `orchestra why --json` prints it."""
        wait = self.queue_wait
        return {
            "agent": self.agent,
            "state": str(self.state),
            "reason": self.reason,
            "since": self.since or None,
            "seconds_in_state": round(self.at - self.since, 1) if self.since else None,
            "authority": str(self.authority),
            "authority_why": self.authority_why,
            "evidence": [{"kind": clue.kind, "at": clue.at, "text": clue.text}
                         for clue in self.clues],
            "screen_rule": self.rule or None,
            "screen_rows": [{"row": row, "text": text} for row, text in self.rows],
            "next": self.next_step,
            "queue": None if wait is None else {"item": wait.item.id, "waits": str(wait.kind),
                                                 "why": wait.why},
            "done_today": [{"at": at, "text": text} for at, text in self.done_today],
            "cost": None if self.cost is None else self.cost.row(),
            "cost_unknown": self.cost_unknown or None,
            "budget": None if self.budget is None else {
                "lane": self.budget.lane, "day": self.budget.day,
                "limit_usd": float(self.budget.limit), "spent_usd": float(self.budget.spent),
                "holds": self.budget.holds, "resumed": self.budget.resumed},
        }


def explain(view: AgentView, now: float, *, disagreement: Disagreement | None = None,
            on_behalf: Sequence[tuple[float, str]] = ()) -> Explanation:
    """`view` explained as of `now`. `disagreement` and `on_behalf` (what orchestra did for it
    unasked): as recorded elsewhere (the journal, for a command that looks once), used when
    the view's evidence holds none."""
    status, evidence = view.status, view.evidence
    if evidence is not None and evidence.on_behalf:
        on_behalf = evidence.on_behalf
    midnight = dt.datetime.fromtimestamp(now).astimezone().replace(
        hour=0, minute=0, second=0, microsecond=0).timestamp()
    authority, why = _authority(view)
    if evidence is not None and evidence.disagreement is not None:
        disagreement = evidence.disagreement
    paneless = status.pane_id is None  # what its old pane said is no evidence now
    clues = [*_situation(view), *_hook_clues(None if paneless else evidence),
             *_screen_clues(view),
             *_timer_clues(view, now), *_radar_clues(view)]
    if disagreement is not None:
        clues.append(Clue("disagreement", f"{disagreement.said}, the screen read "
                                          f"{disagreement.screen_state}: the screen won",
                          disagreement.at))
    screen = evidence.screen if evidence is not None else None
    wait = first_wait(view)
    return Explanation(
        agent=view.name, state=status.state, reason=status.reason, since=status.since,
        authority=authority, authority_why=why, clues=tuple(clues),
        next_step=_next_step(view, wait, now), rule=screen.rule if screen is not None else "",
        rows=screen.evidence if screen is not None else (), queue_wait=wait, at=now,
        done_today=tuple(act for act in on_behalf if act[0] >= midnight),
        cost=view.cost, cost_unknown=view.cost_unknown, budget=view.budget)


def _authority(view: AgentView) -> tuple[Authority, str]:
    status, evidence = view.status, view.evidence
    state = status.state
    if state is State.UNREACHABLE:
        return Authority.HOST, "its host does not answer over ssh: nothing else can be known"
    if status.pane_id is None:
        return Authority.TMUX, "tmux shows no pane for it"
    if evidence is None:
        return Authority(status.source) if status.source in ("hook", "screen") \
            else Authority.NONE, "orchestra kept no evidence of this reading"
    if evidence.stopped_by_person and status.reason.startswith("idle: "):
        return Authority.PERSON, (f"you {evidence.stopped_by_person} it through orchestra: "
                                  "the error or abort notice that follows is your act, not a "
                                  "failure")
    if evidence.loop_reason and state is State.BLOCKED:
        return Authority.LOOP, ("it keeps retrying the same fix; it looks busy or done, but "
                                "will not get out without you")
    if evidence.source == "hook":
        return Authority.HOOK, evidence.authority_why or "its hook event decided"
    return Authority.SCREEN, evidence.authority_why or "its screen decided"


def _situation(view: AgentView) -> list[Clue]:
    """What tmux, the host or the person said, when one of them decided."""
    status, evidence = view.status, view.evidence
    if status.state is State.UNREACHABLE:
        return [Clue("host", status.reason)]
    if status.pane_id is None:
        return [Clue("tmux", status.reason)]
    clues = []
    if evidence is not None and evidence.stopped_by_person:
        clues.append(Clue("person", f"you {evidence.stopped_by_person} it through orchestra"))
    if evidence is not None and evidence.loop_reason:
        clues.append(Clue("loop", evidence.loop_reason))
    asked, told_at = asked_command(view)  # what `y` would allow
    if asked:
        clues.append(Clue("dialog", f"it asks to run: {asked}" if told_at is not None
                          else f"it asks: {asked}", told_at))
    return clues


def _radar_clues(view: AgentView) -> list[Clue]:
    """The conflict radar's predictions: its work would conflict with another agent's."""
    return [Clue("radar", f"merging its work with {conflict.other}'s would conflict on "
                          f"{', '.join(conflict.files)} (git merge-tree)")
            for conflict in view.conflicts]


def _hook_clues(evidence: AgentEvidence | None) -> list[Clue]:
    if evidence is None or not evidence.hook_events:
        return []
    clues = []
    for event in evidence.hook_events:
        detail = f" ({event.detail})" if event.detail else ""
        denied = f", {event.denied} denied before it ran" if event.denied else ""
        clues.append(Clue("hook", f"{event.tool or 'the agent'} reported {event.event}"
                                  f"{detail}{denied}", event.at))
    if evidence.hook is not None:
        clues.append(Clue("hook", f"the newest event that tells a state says {evidence.hook.state}",
                          evidence.hook.at))
    return clues


def _screen_clues(view: AgentView) -> list[Clue]:
    evidence = view.evidence
    if view.status.pane_id is None or evidence is None or evidence.screen is None:
        return []
    screen = evidence.screen
    at = evidence.screen_at or None
    rule = f" (rule {screen.rule})" if screen.rule else ""
    clues = [Clue("screen", f"the {screen.tool} screen{rule}: {screen.reason}", at)]
    clues += [Clue("screen", f"row {row}: {clip(text, 70)}", at, rows=True)
              for row, text in screen.evidence]
    if evidence.screen_state is not None and evidence.screen_reason != screen.reason:
        clues.append(Clue("screen", f"over time that is {evidence.screen_state}: "
                                    f"{evidence.screen_reason}", at))
    return clues


def _timer_clues(view: AgentView, now: float) -> list[Clue]:
    evidence = view.evidence
    timers = evidence.timers if evidence is not None else None
    if timers is None or view.status.pane_id is None:
        return []
    state = evidence.screen_state if evidence is not None else None
    clues = []
    if state in (State.WORKING, State.IDLE) and timers.settling_for is not None:
        held = "not yet" if timers.settling_for < timers.idle_debounce else "met"
        clues.append(Clue("timer", f"the screen has read idle for {timers.settling_for:.1f}s; "
                                   f"idle counts after {timers.idle_debounce:g}s ({held})"))
    if state in (State.WORKING, State.STUCK) and timers.frozen_for is not None:
        verdict = "stuck" if state is State.STUCK else "not stuck yet"
        clues.append(Clue("timer", f"its working row has not moved for "
                                   f"{timers.frozen_for:.0f}s; stuck after "
                                   f"{timers.stuck_after:g}s ({verdict})"))
    if timers.changed_at is not None:
        quiet = max(0.0, now - timers.changed_at)
        clues.append(Clue("timer", f"the screen last changed {quiet:.0f}s ago",
                          timers.changed_at))
    return clues


def _quoted(wait: QueueWait) -> str:
    return f'{wait.item.id} "{clip(wait.item.text, _TEXT_WIDTH)}"'


# What orchestra does by itself for an agent in each state that is not idle or working: it
# types nothing into any of them (the send gate refuses), so the person's move comes first.
_WAITS_FOR = {
    State.APPROVAL: "nothing until you answer its dialog: y approves, n denies",
    State.BLOCKED: "nothing until it is unblocked: look at its pane (a), nudge it (c) or "
                   "restart it (R)",
    State.STUCK: "nothing until its screen moves again: look (a), interrupt (esc esc) or "
                 "restart (R)",
    State.EXITED: "nothing: its program ended; R starts it again with a handoff",
    State.UNKNOWN: "nothing until its screen can be read: orchestra types nothing into a "
                   "screen it cannot read",
    State.UNREACHABLE: "nothing until its host answers again",
}


def _next_step(view: AgentView, wait: QueueWait | None, now: float) -> str:
    state, limit = view.status.state, view.status.limit
    if limit is not None and view.status.spec is not None:
        resume = ("orchestra sends its continue then (resume_after_limit)"
                  if view.status.spec.resume_after_limit else "then it waits for you")
        return f"{limit.kind}: {countdown(limit, now)}; {resume}"
    spec = view.status.spec
    if state is State.APPROVAL and spec is not None and spec.auto_approve:
        command, _ = asked_command(view)
        verdict = judge(command, spec.auto_approve, spec.cwd)
        if verdict.approve:
            return f"approve {clip(command, _TEXT_WIDTH)!r} (auto_approve: {verdict.why})"
        step = f"nothing: auto_approve leaves it to you ({clip(verdict.why, _TEXT_WIDTH)})"
        return step if wait is None else f"{step}; then {_quoted(wait)} waits ({wait.kind})"
    if state in _WAITS_FOR:
        step = _WAITS_FOR[state]
        return step if wait is None else f"{step}; then {_quoted(wait)} waits ({wait.kind})"
    evidence = view.evidence
    if wait is None:
        if state is State.WORKING:
            return "nothing: no prompt is queued; it goes on with its turn"
        return "nothing: no prompt is queued (enter types one now, Q shows the queue)"
    if wait.kind is WaitKind.BUSY and state is State.WORKING:
        debounce = evidence.timers.idle_debounce if evidence and evidence.timers else None
        held = f" and its screen holds still for {debounce:g}s" if debounce else ""
        return f"send {_quoted(wait)} when its turn ends{held}"
    if wait.kind is WaitKind.NEXT:
        if evidence is not None and evidence.turn_pending:
            return (f"send {_quoted(wait)} once the turn its last prompt started has been "
                    "seen (it has not worked since)")
        return f"send {_quoted(wait)} now: its turn has ended (at the next tick)"
    if wait.kind is WaitKind.BUSY:
        return f"send {_quoted(wait)} when it is idle ({wait.why})"
    return f"hold {_quoted(wait)}: {wait.kind}: {wait.why}"
