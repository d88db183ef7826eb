"""What the watching clients heard, per pane (`services/tmux/activity.OutputBoard`): writes
counted, quiet time measured from the last one, a pane that keeps writing sampled (paused, let
go, paused again at its next write), a flood paused at once, panes on screen never sampled."""

from __future__ import annotations

from orchestra_tui.services.tmux.output_board import (
    ANSWER_WITHIN,
    COVERED_PAUSE_SECONDS,
    OUTPUT_BUDGET,
    PAUSE_SECONDS,
    QUIET_SECONDS,
    SAMPLE_AFTER,
    OutputBoard,
)

FRAME = 0.1  # a working agent's redraw


def test_writes_and_quiet_time_per_watched_pane() -> None:
    board = OutputBoard()
    board.wrote("%1", 100, now=1.0)
    board.hush(now=1.5)  # the drain loop's clock: %1 stopped
    board.wrote("%1", 100, now=2.0)
    board.wrote("%2", 100, now=1.5)
    report = board.report({"%1", "%3"}, now=2.25)
    assert report.watched == {"%1", "%3"}
    assert report.panes["%1"].writes == 2 and report.panes["%1"].quiet_for == 0.25
    assert "%2" not in report.panes and "%3" not in report.panes  # %3: wrote nothing


def test_a_flood_is_paused_once_counts_as_writing_and_is_let_go_later() -> None:
    board = OutputBoard()
    asked = [board.wrote("%1", OUTPUT_BUDGET // 4, now=1.0 + i / 100) for i in range(10)]
    assert asked.count(True) == 1  # one pause asked, however many lines follow
    board.pause("%1", now=1.1)  # tmux says `%pause %1`
    assert board.report({"%1"}, now=1.5).panes["%1"].quiet_for == 0.0
    assert board.due(now=1.05 + PAUSE_SECONDS / 2) == []
    assert board.due(now=1.05 + PAUSE_SECONDS) == ["%1"]
    assert board.due(now=1.05 + 2 * PAUSE_SECONDS) == []  # asked once until tmux answers
    board.resume("%1", now=2.0)  # `%continue %1`
    assert board.report({"%1"}, now=2.25).panes["%1"].quiet_for == 0.25  # from the let-go
    board.hush(now=2.0 + QUIET_SECONDS)
    assert not board.wrote("%1", OUTPUT_BUDGET // 2, now=3.0)  # a fresh budget
    assert board.report({"%1"}, now=3.5).panes["%1"].quiet_for == 0.5


def test_a_budget_is_per_report() -> None:
    board = OutputBoard()
    for second in range(8):
        assert not board.wrote("%1", OUTPUT_BUDGET // 2, now=float(second))
        board.report({"%1"}, now=second + 0.5)  # each tick starts a new budget
        board.hush(now=second + 0.5)


def _frames(board: OutputBoard, pane: str, start: float, end: float
            ) -> tuple[list[float], int]:
    """Frames every FRAME seconds from `start`: the times at which a pause was asked, and how
    many frames tmux told about (those written while the pane was not paused)."""
    asked, told, now = [], 0, start
    while now < end:
        if pane not in board.paused:
            told += 1
            if board.wrote(pane, 900, now):
                asked.append(now)
                board.pause(pane, now)
        for due in board.due(now):
            board.resume(due, now)
        board.hush(now)
        now = round(now + FRAME, 6)
    return asked, told


def test_a_pane_that_keeps_writing_is_sampled_and_its_stop_is_seen() -> None:
    board = OutputBoard()
    asked, told = _frames(board, "%1", 0.0, 10.0)
    frames = round(10.0 / FRAME)
    # paused after SAMPLE_AFTER of writing, then once per pause: one frame per pause told
    assert asked[0] >= SAMPLE_AFTER
    assert all(later - earlier <= PAUSE_SECONDS + 2 * FRAME + 1e-6
               for earlier, later in zip(asked, asked[1:]))
    assert told <= frames / 2.5, told
    assert board.report({"%1"}, now=10.0).panes["%1"].quiet_for == 0.0  # still writing
    # it stops: the next let-go finds it silent, and that silence is its stop
    edges, now = board.edges, 10.0
    while "%1" in board.loud:
        for due in board.due(now):
            board.resume(due, now)
        board.hush(now)
        now = round(now + 0.05, 6)
    assert now - 10.0 <= PAUSE_SECONDS + QUIET_SECONDS + 0.1
    assert board.edges == edges + 1


def test_a_pane_whose_hooks_report_is_sampled_least() -> None:
    board = OutputBoard()
    board.covered = frozenset({"%1"})
    asked, told = _frames(board, "%1", 0.0, 20.0)
    assert told <= round(20.0 / FRAME) / 10, told
    assert all(later - earlier >= COVERED_PAUSE_SECONDS for earlier, later in zip(asked, asked[1:]))


def test_a_pause_tmux_never_confirmed_is_asked_again_and_a_lost_let_go_is_taken_as_done():
    board = OutputBoard()
    # writing for SAMPLE_AFTER: a pause asked (its line then lost)
    asked = [board.wrote("%1", 900, now=step * FRAME) for step in range(8)]
    assert asked.count(True) == 1 and "%1" in board.paused
    # frames keep coming (the pause did not take): none asks again until the answer is late
    assert not board.wrote("%1", 900, now=0.8)
    assert board.wrote("%1", 900, now=0.7 + ANSWER_WITHIN + 0.01)  # asked again
    board.pause("%1", now=1.75)  # this time tmux confirms
    assert not board.wrote("%1", 900, now=3.0)  # lines in flight ask nothing
    assert board.due(now=1.75 + PAUSE_SECONDS) == ["%1"]  # let go; tmux's answer is lost
    assert board.report({"%1"}, now=2.5).panes["%1"].quiet_for == 0.0  # still counts paused
    late = 1.75 + PAUSE_SECONDS + ANSWER_WITHIN
    assert board.due(now=late) == ["%1"]  # asked once more, and taken as let go
    assert "%1" not in board.paused
    board.hush(now=late + QUIET_SECONDS)
    assert "%1" not in board.loud  # silent since: its stop is seen


def test_a_pane_on_screen_is_never_sampled_and_is_let_go_when_it_comes_on_screen() -> None:
    board = OutputBoard()
    board.shown = frozenset({"%1"})
    assert _frames(board, "%1", 0.0, 3.0) == ([], 30)  # every frame seen
    board.shown = frozenset()
    assert _frames(board, "%1", 3.0, 4.0)[0]  # off screen: sampled at its next frame
    assert "%1" in board.paused
    board.shown = frozenset({"%1"})
    assert board.due(now=4.0) == ["%1"]  # on screen again: let go at once


def test_a_flood_on_screen_is_still_paused() -> None:
    board = OutputBoard()
    board.shown = frozenset({"%1"})
    assert any(board.wrote("%1", OUTPUT_BUDGET // 2, now=1.0 + i / 100) for i in range(4))
    board.pause("%1", now=1.05)
    assert board.due(now=1.1) == []


def test_panes_gone_from_the_fleet_are_forgotten() -> None:
    board = OutputBoard()
    for index in range(5):
        board.wrote(f"%{index}", 10, now=1.0)
    board.keep({"%1"})
    assert set(board.writes) == {"%1"} and set(board.last) == {"%1"}
    assert set(board.loud_since) == {"%1"}
