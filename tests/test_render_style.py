"""The live pane and the agent table read their style once per render, not once per row
(Textual's `rich_style` walks every ancestor each time: an eighth of a keypress's work)."""

from __future__ import annotations

import collections

import pytest
from textual.dom import DOMNode

from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.widgets.agent_table import AgentTable
from orchestra_tui.ui.widgets.pane_view import PaneView
from tests.ui_data import FixedFleet


async def test_a_keypress_reads_each_widgets_style_once_per_render(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    fleet = FixedFleet(tmp_path)
    app = OrchestraApp(fleet, AppOptions(poll=False))
    walks: collections.Counter[str] = collections.Counter()
    walk = DOMNode.rich_style.fget
    assert walk is not None

    def counted(node: DOMNode):
        walks[type(node).__name__] += 1
        return walk(node)

    async with app.run_test(size=(150, 40)) as pilot:
        pane, table = app.screen.query_one(PaneView), app.screen.query_one(AgentTable)
        renders: collections.Counter[str] = collections.Counter()
        for widget in (pane, table):
            render_lines = widget.render_lines

            def counting(crop, widget=widget, render_lines=render_lines):
                renders[type(widget).__name__] += 1
                return render_lines(crop)

            widget.render_lines = counting  # type: ignore[method-assign]
        monkeypatch.setattr(DOMNode, "rich_style", property(counted))
        await pilot.press("j")
        await pilot.pause()
        assert "api" not in pane.border_title  # another agent: the pane drew all its rows
        for name in ("PaneView", "AgentTable"):
            assert renders[name] >= 1
            assert walks[name] <= renders[name], (name, walks[name], renders[name])


async def test_the_moved_cursor_and_its_agents_pane_are_painted_together(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`j` moves the table's cursor and shows that agent's pane in one handler: no frame shows
    the cursor on the next agent beside the last one's pane (the pane then came a frame,
    ~17 ms, after the cursor)."""
    from textual.screen import Screen

    fleet = FixedFleet(tmp_path)
    app = OrchestraApp(fleet, AppOptions(poll=False))
    async with app.run_test(size=(150, 40)) as pilot:
        pane, table = app.screen.query_one(PaneView), app.screen.query_one(AgentTable)
        frames: list[tuple[str, str]] = []
        paint = Screen._compositor_refresh

        def noted(screen: Screen) -> None:
            paint(screen)
            row = table.ordered_rows[table.cursor_row].key.value if table.row_count else ""
            frames.append((str(row), str(pane.border_title)))

        monkeypatch.setattr(Screen, "_compositor_refresh", noted)
        for key in ("j", "j", "k"):
            frames.clear()
            await pilot.press(key)
            await pilot.pause()
            moved = [(row, title) for row, title in frames if row]
            assert moved, frames
            assert all(title.startswith(f"{row} ·") for row, title in moved), moved
