"""The live pane shows the bottom of the capture (the agent's current screen) unless the person
scrolled up into history, and follows again once they scroll back down: a Pilot test over a fixed
fleet, and the real app on real tmux over a program that clears its screen every frame."""

from __future__ import annotations

import html
import re
import sys
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.ansi import AnsiDecoder

from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.models import AgentSpec
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.widgets.pane_view import PaneView
from tests.helpers import pilot_wait_until, rows_rendered
from tests.tmux_fixtures import wait_for_screen
from tests.ui_data import FixedFleet

CLEARING = Path(__file__).resolve().parent / "clearing_screen.py"


def history(frame: int, lines: int = 200) -> str:
    return "\n".join(f"\x1b[32mline {i}\x1b[0m of capture {frame}" for i in range(lines)) + \
        f"\n\x1b[1mcurrent screen {frame}\x1b[0m\n"


def visible(pane: PaneView) -> list[str]:
    top = round(pane.scroll_y)
    return [text.plain for text in pane.lines[top:top + pane.scrollable_content_region.height]]


async def test_the_pane_follows_the_bottom_unless_scrolled_up(tmp_path):
    fleet = FixedFleet(tmp_path)
    app = OrchestraApp(fleet, AppOptions(poll=False))

    async def capture(frame: int) -> None:
        fleet.views = [replace(view, screen=history(frame)) if view.name == "api" else view
                       for view in fleet.views]
        app.snapshot = fleet.current()
        await pilot.pause()

    async with app.run_test(size=(150, 40)) as pilot:
        pane = app.screen.query_one(PaneView)
        for frame in range(1, 4):
            await capture(frame)
            assert pane.max_scroll_y > 0 and pane.scroll_y == pane.max_scroll_y
            assert visible(pane)[-1] == f"current screen {frame}"
        await pilot.press("pageup")  # the person reads history: it stays where they are
        await pilot.pause()
        reading = pane.scroll_y
        assert reading < pane.max_scroll_y and not pane.following
        await capture(4)
        assert pane.scroll_y == reading
        assert "current screen 4" not in visible(pane)
        while pane.scroll_y < pane.max_scroll_y:  # back to the bottom: it follows again
            await pilot.press("pagedown")
            await pilot.pause()
        await capture(5)
        assert pane.following and pane.scroll_y == pane.max_scroll_y
        assert visible(pane)[-1] == "current screen 5"


async def test_the_pane_keeps_colours_and_shows_brackets_as_text(tmp_path):
    fleet = FixedFleet(tmp_path)
    app = OrchestraApp(fleet, AppOptions(poll=False))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        fleet.views = [replace(view, screen="\x1b[31mred [/] [b]\nstill red\x1b[0m plain\n")
                       if view.name == "api" else view for view in fleet.views]
        app.snapshot = fleet.current()
        await pilot.pause()
        lines = app.screen.query_one(PaneView).lines
        assert [line.plain for line in lines] == ["red [/] [b]", "still red plain"]
        # SGR state carries over a line break, as tmux captures it
        assert lines[1].get_style_at_offset(app.console, 0).color.number == 1  # SGR 31: red
        assert lines[1].get_style_at_offset(app.console, 10).color is None


FRAME_BOTTOM = re.compile(r"^frame (\d+) bottom$")


async def test_real_tmux_an_agent_that_clears_every_frame_shows_its_latest_frame(tmux):
    frames = 150
    pane = await tmux.start([sys.executable, str(CLEARING), str(frames)],
                            session="clearing", width=80, height=20)
    await wait_for_screen(tmux, pane.pane_id, lambda s: f"frame {frames} bottom" in s,
                          timeout=60, message="the clearing program's last frame")
    fleet = Fleet(tmux, [AgentSpec(name="clearer", tool="codex", target=pane.pane_id)])
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1))
    async with app.run_test(size=(150, 40)) as pilot:
        view = app.screen.query_one(PaneView)

        def captured_with_history() -> bool:
            return sum(1 for line in view.lines if FRAME_BOTTOM.match(line.plain)) > 1

        await pilot_wait_until(pilot, captured_with_history, 60,
                               "a capture with the old frames above")
        await pilot.pause()
        bottoms = [int(m.group(1)) for line in view.lines
                   if (m := FRAME_BOTTOM.match(line.plain))]
        assert bottoms[-1] == frames and min(bottoms) < frames - 5  # old frames are history
        assert view.scroll_y == view.max_scroll_y > 0
        shown = visible(view)
        assert f"frame {frames} bottom" in shown
        assert not any(FRAME_BOTTOM.match(text) for text in shown
                       if text != f"frame {frames} bottom")


SGR_PARAMS = ["", "0", "1", "22", "31", "39", "1;33", "0;36", "38;5;208", "48;2;10;20;30", "7"]


@given(st.lists(st.lists(st.one_of(st.sampled_from(SGR_PARAMS).map(lambda p: f"\x1b[{p}m"),
                                   st.text("ab [/]", min_size=1, max_size=4)), max_size=6)
                .map("".join), max_size=30))
@settings(max_examples=200, deadline=None)
def test_rows_parse_as_the_whole_capture_would(lines):
    """Each row parsed on its own, from the state found by scanning the rows above it, is the
    row a decoder reading the whole capture in order would give."""
    decoder = AnsiDecoder()
    expected = [decoder.decode_line(line) for line in lines]
    rows = PaneView()._parse(lines)
    assert [(row.parsed().plain, row.parsed().spans) for row in rows] == \
        [(text.plain, text.spans) for text in expected]


def spinner_screen(frame: int) -> str:
    rows = [f"\x1b[2mstreamed line {i}\x1b[0m" for i in range(20)]
    rows[12] = f"\x1b[1m✻ Working… spin-{frame}\x1b[0m (esc to interrupt)"
    return "\n".join(rows) + "\n"


async def test_a_frame_that_changes_one_row_repaints_that_row_only(tmp_path):
    """A working agent redraws its spinner row: the pane renders that row again, not all of
    them, and what the terminal shows is the new frame, with no row left stale."""
    fleet = FixedFleet(tmp_path)
    app = OrchestraApp(fleet, AppOptions(poll=False))

    async def capture(screen: str) -> None:
        fleet.views = [replace(view, screen=screen) if view.name == "api" else view
                       for view in fleet.views]
        app.snapshot = fleet.current()
        await pilot.pause()

    async with app.run_test(size=(150, 40)) as pilot:
        pane = app.screen.query_one(PaneView)
        await capture(spinner_screen(1))
        rendered = rows_rendered(pane)
        for frame in range(2, 6):
            rendered.clear()
            await capture(spinner_screen(frame))
            shown = app.export_screenshot()
            assert f"spin-{frame}" in shown and f"spin-{frame - 1}" not in shown
            assert 1 <= len(set(rendered)) <= 2, rendered  # the spinner's row
        rendered.clear()
        await capture("\n".join(f"all new {i}" for i in range(20)) + "\n")
        assert len(set(rendered)) >= 20  # a new screen: every row
        assert "all new 19" in app.export_screenshot().replace("&#160;", " ")


async def test_a_subtitle_whose_time_moves_on_repaints_the_bottom_border_alone(tmp_path):
    """The subtitle's "idle 1m" moves on in the table's steps while nothing else changes:
    within a step nothing is drawn (a count of seconds repainted the screen every second);
    at a step the border row is drawn again with the new figure and no row of the pane is
    rendered for it (a whole repaint sent the terminal the full pane each time)."""
    fleet = FixedFleet(tmp_path)
    app = OrchestraApp(fleet, AppOptions(poll=False))
    first = fleet.current()
    since = first.get("api").status.since
    assert since is not None

    def shown() -> str:
        return html.unescape(app.export_screenshot()).replace("\xa0", " ")

    async with app.run_test(size=(150, 40)) as pilot:
        pane = app.screen.query_one(PaneView)
        app.snapshot = replace(first, at=since + 20)
        await pilot.pause()
        assert " <1m · " in shown()
        rendered = rows_rendered(pane)
        for seconds in (21, 40, 59):
            app.snapshot = replace(first, at=since + seconds)
            await pilot.pause()
            assert " <1m · " in shown()
        assert rendered == []
        for minutes in (1, 2, 3):
            rendered.clear()
            app.snapshot = replace(first, at=since + 60 * minutes + 5)
            await pilot.pause()
            assert f" {minutes}m · " in shown() and " <1m · " not in shown()
            assert rendered == []
        await pilot.press("j")  # another agent: its title, its screen, all of it
        await pilot.pause()
        assert len(set(rendered)) >= 10
