"""What the watching clients heard, per pane: writes counted, quiet time, and which panes are
paused (sampled while they keep writing, or flooding). Pure bookkeeping, fed by the clients'
readers (`services/tmux/activity.py`) and read by the poll loop's report.

A pause is asked, then confirmed by tmux (`%pause`); a let-go is asked, then confirmed
(`%continue`). Either ask can be lost (its line refused because a client it named had just
gone), so the board heals itself rather than trust an answer that may never come: output from
a pane paused but never confirmed is a pause that did not take (the pane is paused again at
once), and a let-go unanswered for `ANSWER_WITHIN` is taken as done (asked once more).

>>> board = OutputBoard(); board.wrote("%3", 40, now=10.0)
False
>>> board.report({"%3", "%4"}, now=10.5).panes
{'%3': PaneOutput(writes=1, quiet_for=0.5)}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["ANSWER_WITHIN", "COVERED_PAUSE_SECONDS", "NOT_WATCHED", "OUTPUT_BUDGET",
           "PAUSE_SECONDS", "QUIET_SECONDS", "SAMPLE_AFTER", "OutputBoard", "OutputReport",
           "PaneOutput"]

OUTPUT_BUDGET = 256 * 1024  # bytes of %output lines a pane may send between two reports
# How long a pane sampled while it keeps writing stays paused before it is let go: its stop is
# seen at most this (plus QUIET_SECONDS) late. A pane whose agent's hooks report (a turn's end,
# a dialog: events of their own) can wait longer than one only its screen tells about.
PAUSE_SECONDS = 0.25
COVERED_PAUSE_SECONDS = 2.0
SAMPLE_AFTER = 0.5  # seconds of writing without a pause after which a pane is sampled
ANSWER_WITHIN = 1.0  # seconds tmux has to confirm a pause or a let-go before the ask is redone
# A pane silent this long has stopped writing (a working agent's spinner redraws every 100-150
# ms): its starting and stopping are the edges that wake the poll loop (`OutputWatch.listen`).
QUIET_SECONDS = 0.2


@dataclass(frozen=True)
class PaneOutput:
    writes: int  # output notifications seen from this pane (only ever grows)
    quiet_for: float  # seconds since its last write (0 while it is paused: it writes on)


@dataclass(frozen=True)
class OutputReport:
    """`watched`: panes whose writes are pushed (a pane not in it is polled); `panes`: those of
    them that wrote since they were first watched; `problem`: why some are not watched."""

    watched: frozenset[str] = frozenset()
    panes: Mapping[str, PaneOutput] = field(default_factory=dict)
    problem: str | None = None


NOT_WATCHED = OutputReport()


class OutputBoard:
    """What the watching clients heard, per pane; fed by their readers, read by `report`.
    `sample_after` None follows every frame (benchmarks compare the two)."""

    def __init__(self, pause_seconds: float = PAUSE_SECONDS,
                 sample_after: float | None = SAMPLE_AFTER,
                 covered_pause_seconds: float = COVERED_PAUSE_SECONDS) -> None:
        self.pause_seconds = pause_seconds
        self.covered_pause_seconds = covered_pause_seconds
        self.sample_after = sample_after
        self.writes: dict[str, int] = {}
        self.last: dict[str, float] = {}
        self.loud_since: dict[str, float] = {}  # when each loud pane started writing
        self.spent: dict[str, int] = {}  # bytes since the last report or pause
        self.paused: dict[str, float] = {}  # pane -> when its pause was asked or confirmed
        self.held: set[str] = set()  # paused panes tmux confirmed (`%pause`)
        self.asked: dict[str, float] = {}  # paused panes told to continue -> when
        self.loud: set[str] = set()  # panes writing now (their last write < QUIET_SECONDS ago)
        self.shown: frozenset[str] = frozenset()  # on screen: every frame counts, never sampled
        self.covered: frozenset[str] = frozenset()  # their hooks report: paused for longer
        self.edges = 0  # how often a pane started or stopped writing (only ever grows)

    def wrote(self, pane_id: str, size: int, now: float) -> bool:
        """Note a write; True when the pane is to be paused now: it has kept writing for
        `sample_after`, or passed its budget (it counts as paused from now, so the lines that
        come before tmux says `%pause` ask nothing more)."""
        if pane_id not in self.loud:
            self.loud.add(pane_id)
            self.loud_since[pane_id] = now
            self.edges += 1
        self.writes[pane_id] = self.writes.get(pane_id, 0) + 1
        self.last[pane_id] = now
        spent = self.spent.get(pane_id, 0) + size
        self.spent[pane_id] = spent
        if pane_id in self.paused:
            if pane_id in self.held or now - self.paused[pane_id] < ANSWER_WITHIN:
                return False
            self.paused.pop(pane_id)  # asked long ago, never confirmed: ask again
        if spent <= OUTPUT_BUDGET and (pane_id in self.shown or self.sample_after is None
                                       or now - self.loud_since[pane_id] < self.sample_after):
            return False
        self.paused[pane_id] = now
        return True

    def hush(self, now: float) -> None:
        """Panes that stopped writing (a paused pane still writes) are an edge each."""
        for pane_id in [p for p in self.loud if p not in self.paused
                        and now - self.last.get(p, now) >= QUIET_SECONDS]:
            self.loud.discard(pane_id)
            self.edges += 1

    def pause(self, pane_id: str, now: float) -> None:
        """tmux paused the pane (asked, or its own `pause-after`)."""
        self.paused.setdefault(pane_id, now)
        self.held.add(pane_id)
        self.writes[pane_id] = self.writes.get(pane_id, 0) + 1
        self.last[pane_id] = now

    def resume(self, pane_id: str, now: float) -> None:
        """Let go: its silence from now on is a stop (its writes were not seen while paused)."""
        self.paused.pop(pane_id, None)
        self.held.discard(pane_id)
        self.asked.pop(pane_id, None)
        self.spent[pane_id] = 0
        if pane_id in self.last:
            self.last[pane_id] = max(self.last[pane_id], now)

    def touch(self, pane_ids: Iterable[str], now: float) -> None:
        """These panes may have written while nobody watched (a client (re)attached)."""
        for pane_id in pane_ids:
            self.wrote(pane_id, 0, now)

    def keep(self, pane_ids: set[str]) -> None:
        """Forget panes gone from the fleet (an app runs for days; panes come and go)."""
        for table in (self.writes, self.last, self.spent, self.paused, self.loud_since,
                      self.asked):
            for pane_id in table.keys() - pane_ids:
                del table[pane_id]
        self.loud &= pane_ids
        self.held &= pane_ids

    def due(self, now: float) -> list[str]:
        """Paused panes to let go now: their pause is over, or they came on screen (unless
        they flood). Each is asked once; one unanswered for `ANSWER_WITHIN` is taken as let
        go (tmux says nothing to a let-go of a pane it had not paused) and asked once more."""
        due = []
        for pane, at in list(self.paused.items()):
            if pane in self.asked:
                if now - self.asked[pane] >= ANSWER_WITHIN:
                    self.resume(pane, now)
                    due.append(pane)
            elif now - at >= self._pause_for(pane) or (
                    pane in self.shown and self.spent.get(pane, 0) <= OUTPUT_BUDGET):
                self.asked[pane] = now
                due.append(pane)
        return due

    def _pause_for(self, pane_id: str) -> float:
        return self.covered_pause_seconds if pane_id in self.covered else self.pause_seconds

    def report(self, watched: set[str], now: float, problem: str | None = None
               ) -> OutputReport:
        for pane_id in watched:
            self.spent[pane_id] = 0 if pane_id not in self.paused else self.spent.get(pane_id, 0)
        panes = {pane: PaneOutput(self.writes[pane],
                                  0.0 if pane in self.paused else max(0.0, now - self.last[pane]))
                 for pane in watched if pane in self.writes}
        return OutputReport(frozenset(watched), panes, problem)
