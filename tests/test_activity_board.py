"""What the watching clients heard, per pane (`services/tmux/activity.OutputBoard`): writes
counted, quiet time measured from the last one, a flood paused once and let go later."""

from __future__ import annotations

from orchestra_tui.services.tmux.activity import OUTPUT_BUDGET, PAUSE_SECONDS, OutputBoard


def test_writes_and_quiet_time_per_watched_pane() -> None:
    board = OutputBoard()
    board.wrote("%1", 100, now=1.0)
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
    board.resume("%1")  # `%continue %1`
    assert not board.wrote("%1", OUTPUT_BUDGET // 2, now=3.0)  # a fresh budget
    assert board.report({"%1"}, now=3.5).panes["%1"].quiet_for == 0.5


def test_a_budget_is_per_report() -> None:
    board = OutputBoard()
    for second in range(8):
        assert not board.wrote("%1", OUTPUT_BUDGET // 2, now=float(second))
        board.report({"%1"}, now=second + 0.5)  # each tick starts a new budget


def test_panes_gone_from_the_fleet_are_forgotten() -> None:
    board = OutputBoard()
    for index in range(5):
        board.wrote(f"%{index}", 10, now=1.0)
    board.keep({"%1"})
    assert set(board.writes) == {"%1"} and set(board.last) == {"%1"}
