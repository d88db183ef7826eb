"""A group's header row in the fleet list (`G`): its key and how many of its agents need the
person, flowed across the row's columns so it reads over the table's width, never widening a
column (a table has no cell that spans columns: each piece goes whole into a column's cells).
The key and the count are joined by ` · ` when they share a cell; the column gap parts them
otherwise.

>>> def shown(key, label, widths):
...     columns = list(zip(("state", "agent", "for", "context"), widths))
...     return [cell.plain for cell in header_cells(key, label, columns).values()]
>>> shown("gpu", "2 agents", (11, 12))
['▾ gpu', '2 agents']
>>> shown("gpu", "2 agents", (20, 12))
['▾ gpu · 2 agents', '']
>>> shown("acme/api @ api/*", "5/5 need you", (11, 12, 5, 13))
['▾ acme/api', '@ api/*', '', '5/5 need you']
>>> shown("a-very-long-lane-name", "1/2 need you", (11, 12))
['▾ a-very-l…', '1/2 need you']
>>> shown("approval", "10/10 need you", (11, 13, 5, 6))
['▾ approval', '10/10 need', 'you', '']
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text

__all__ = ["header_cells"]

TITLE_STYLE = "bold magenta"
SEPARATOR = " · "
Word = tuple[str, str]  # (text, style); ("", "") joins the key and the count in one cell


def header_cells(key: str, label: str, columns: Sequence[tuple[str, int]], *,
                 label_style: str = "magenta") -> dict[str, Text]:
    """`columns`: each shown column's name and content width, in order. The key and the
    label stay whole where a column holds them, else go word by word; the key is cut (with an
    ellipsis) before the label is split: how many need the person is the point of the row."""
    titles: list[Word] = [(f"▾ {key if cut == len(key) else key[:cut - 1] + '…'}", TITLE_STYLE)
                          for cut in range(len(key), 0, -1)]
    tries: list[list[Word]] = []
    for count in ([(label, label_style)], _words((label, label_style))):
        for title in titles:
            tries += [[title, ("", ""), *count], [*_words(title), ("", ""), *count]]
    for words in tries:
        placed = _flow(words, columns)
        if placed is not None:
            return placed
    # Not even a cut key fits: the words that do, the last one cut.
    return _flow(tries[-1], columns, clip=True) or {}


def _words(unit: Word) -> list[Word]:
    return [(word, unit[1]) for word in unit[0].split()]


def _flow(words: list[Word], columns: Sequence[tuple[str, int]], *, clip: bool = False
          ) -> dict[str, Text] | None:
    """Each word into the first column with room for it after the words before; None when
    they do not all fit (with `clip`: as many as fit, the last cut with an ellipsis)."""
    cells: dict[str, Text] = {}
    index = 0
    for place, (name, width) in enumerate(columns):
        later = max((room for _, room in columns[place + 1:]), default=0)
        cell = Text()
        joined = False  # the key ended in this cell: the count after it follows ` · `
        while index < len(words):
            text, style = words[index]
            if not text:  # the join: only between two pieces of one cell
                joined = bool(cell.plain)
                index += 1
                continue
            gap = (SEPARATOR if joined else " ") if cell.plain else ""
            if cell.cell_len + len(gap) + cell_len(text) > width:
                if cell.plain or cell_len(text) <= later:
                    break  # a later column takes it (a narrow one is left empty)
                if not clip:
                    return None
                cell = Text(text, style) if width > 0 else Text()
                cell.truncate(width, overflow="ellipsis")
                index = len(words)
                break
            cell.append(gap, "dim")
            cell.append(text, style)
            joined = False
            index += 1
        cells[name] = cell
    return cells if index >= len(words) or clip else None
