"""The fleet list's columns and the layouts it chooses among by width; `$` adds the cost
column (today's tokens and dollars) to each."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from orchestra_tui.ui.wording.format import BADGE_WIDTH, DURATION_WIDTH

__all__ = ["ALL_COLUMNS", "CELL_PADDING", "COLUMNS", "COST_LAYOUTS", "FIXED_WIDTHS", "LAYOUTS",
           "Layout", "cell_width"]

COLUMNS = ("state", "agent", "tool", "lane", "for", "context", "queue")
ALL_COLUMNS = (*COLUMNS, "cost")
CELL_PADDING = 2  # DataTable pads every cell by one on each side
FIXED_WIDTHS = {"state": BADGE_WIDTH, "for": DURATION_WIDTH}


@dataclass(frozen=True)
class Layout:
    columns: tuple[str, ...]
    bar: int  # the context bar's width; 0 shows the figure alone


def _without(*gone: str) -> tuple[str, ...]:
    return tuple(column for column in COLUMNS if column not in gone)


# Widest first. On a narrow screen the lane gives way first, then the tool, then the context
# bar shrinks to its figure: state, agent, context and queue stay.
LAYOUTS = (Layout(COLUMNS, 8), Layout(_without("lane"), 8), Layout(_without("lane", "tool"), 8),
           Layout(_without("lane", "tool"), 0))
# The person asked for the cost (`$`): it stays, at the end, however narrow; on the narrowest
# screens the time in state and then the context and queue make room for it.
COST_LAYOUTS = (*(Layout((*layout.columns, "cost"), layout.bar) for layout in LAYOUTS),
                Layout(("state", "agent", "context", "queue", "cost"), 0),
                Layout(("state", "agent", "cost"), 0))


def cell_width(cell: object) -> int:
    return cell.cell_len if isinstance(cell, Text) else len(str(cell))
