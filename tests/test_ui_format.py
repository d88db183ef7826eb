"""The UI's formatting helpers: their doctests (durations, the status line's words, captures)."""

from __future__ import annotations

import doctest

from orchestra_tui.ui.wording import format as ui_format


def test_format_doctests() -> None:
    result = doctest.testmod(ui_format)
    assert result.attempted >= 5 and result.failed == 0
