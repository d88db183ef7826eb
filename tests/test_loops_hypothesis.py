"""LoopWatch never raises on arbitrary screens or rows, and its reason is always a loop."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from orchestra_tui.core.guard.retry_loops import LoopWatch, normalise, read_row

ROWS = [
    "trim trailing whitespace.....Failed", "trim trailing whitespace.....Passed",
    "[main 1a2b3c4] msg", "error: failed to push some refs to 'x'", "npm ERR! code E1",
    "FAILED t.py::t - x", "=== 3 passed in 0.1s ===", "  └ husky - pre-commit script failed",
    "", "⎿  Error: make: *** [t] Error 2", "--- FAIL: TestX (0.00s)", "ok  pkg 0.1s",
]
row = st.one_of(st.sampled_from(ROWS), st.text(max_size=80))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(row, max_size=30).map("\n".join), max_size=10),
       st.integers(min_value=-1, max_value=5))
def test_loop_watch_never_raises_on_screens(screens, threshold) -> None:
    watch = LoopWatch(threshold=threshold)
    for text in screens:
        reason = watch.feed(text)
        assert reason is None or reason.startswith("loop: ")
        assert reason == watch.reason()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(row, max_size=10), max_size=10))
def test_loop_watch_never_raises_on_rows(batches) -> None:
    watch = LoopWatch()
    for rows in batches:
        reason = watch.observe(rows)
        assert reason is None or " failed " in reason


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_read_row_and_normalise_never_raise(text) -> None:
    read_row(text)
    assert "\n" not in normalise(text)
