"""A group's header row (`G`) flowed across the fleet list's columns: every cell within its
column (a header never widens one), the count kept whole before the key, and the examples of
the modules' docstrings (the header, the session record files here and on a host)."""

from __future__ import annotations

import doctest
import importlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestra_tui.ui.widgets.group_header import header_cells

MODULES = ["orchestra_tui.ui.widgets.group_header", "orchestra_tui.services.usage.files",
           "orchestra_tui.services.usage.remote"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


@given(key=st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]),
                   min_size=1, max_size=60),
       needing=st.integers(0, 200), widths=st.lists(st.integers(0, 40), min_size=1, max_size=8))
def test_every_cell_stays_within_its_column(key, needing, widths):
    columns = [(f"c{index}", width) for index, width in enumerate(widths)]
    cells = header_cells(key, f"{needing}/{needing + 3} need you", columns)
    assert list(cells) == [name for name, _ in columns]
    assert all(cells[name].cell_len <= width for name, width in columns)


def test_the_count_stays_whole_where_a_column_holds_it():
    columns = [("state", 11), ("agent", 14), ("for", 5), ("context", 5)]
    cells = header_cells("acme-corp/payments-service @ feature/*", "3/20 need you", columns)
    plain = [cells[name].plain for name, _ in columns]
    assert "3/20 need you" in plain  # whole, the key cut instead
    assert plain[0] == "▾ acme-cor…"
