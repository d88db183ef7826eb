"""A read after writes no read saw takes only the scrollback that scrolled off since the last read
(`core/fleet/reading.unseen_rows`): a working agent that redraws its spinner in place scrolls
nothing, so its safety reads take its screen and a margin, not 400 rows each (which the tmux
server formats with every colour, four seconds apart for every working agent). An agent that
streams lines still has all of them read."""

from __future__ import annotations

import asyncio
import collections
import pathlib
import sys
from collections.abc import Sequence

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.fleet.reading import GUARD_HISTORY, SCROLL_MARGIN, unseen_rows
from orchestra_tui.core.fleet.state import Slot
from orchestra_tui.models import AgentSpec, PaneInfo, State
from orchestra_tui.services.tmux.runner import TmuxResult
from orchestra_tui.services.tmux.service import ControlModeRunner, TmuxService
from tests.test_output_sampling import PRINTER
from tests.tmux_fixtures import REPO

pytestmark = pytest.mark.slow

# Codex's working row, with a line of streamed text above it every frame: it scrolls.
STREAMER = PRINTER.replace(
    'sys.stdout.write(SYNC_START + "\\r\\x1b[2K" + row + SYNC_END)',
    'sys.stdout.write("\\r\\x1b[2Kstreamed line %d\\n" % frames + row)')


def _slot(history_size: int, limit: int, seen: int | None) -> Slot:
    pane = PaneInfo(pane_id="%1", pid=1, session_name="s", window_index=0, pane_index=0,
                    current_command="codex", current_path="/", title="", dead=False,
                    activity=0, width=80, height=24, history_size=history_size,
                    history_limit=limit)
    slot = Slot(spec=AgentSpec(name="a", tool="codex", target="%1"),
                tracker=FleetSettings().tracker())
    slot.pane, slot.history_read = pane, seen
    return slot


def test_rows_follow_what_scrolled_off_and_all_when_unknown() -> None:
    assert unseen_rows(_slot(120, 2000, 120)) == SCROLL_MARGIN  # nothing scrolled
    assert unseen_rows(_slot(150, 2000, 120)) == 30 + SCROLL_MARGIN
    assert unseen_rows(_slot(1900, 2000, 100)) == GUARD_HISTORY  # more than it keeps
    assert unseen_rows(_slot(120, 2000, None)) == GUARD_HISTORY  # never read
    assert unseen_rows(_slot(2000, 2000, 2000)) == GUARD_HISTORY  # at its limit: rows drop
    assert unseen_rows(_slot(10, 2000, 500)) == 10 + SCROLL_MARGIN  # cleared since
    assert unseen_rows(_slot(120, 0, 100)) == GUARD_HISTORY  # an older tmux: not said


class DepthControl(ControlModeRunner):
    """The real control-mode runner, noting how many rows of scrollback each capture asked."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.depths: dict[str, list[int]] = collections.defaultdict(list)

    async def run(self, args: Sequence[str], **kwargs) -> TmuxResult:
        for index, word in enumerate(args[:-1]):
            if word == "capture-pane":
                end = args.index(";", index) if ";" in args[index:] else len(args)
                words = list(args[index:end])
                target = words[words.index("-t") + 1]
                depth = int(words[words.index("-S") + 1]) if "-S" in words else 0
                self.depths[target].append(-depth)
        return await super().run(args, **kwargs)


async def test_a_spinner_in_place_is_read_without_the_scrollback_a_stream_needs(
        tmux: TmuxService, tmp_path: pathlib.Path) -> None:
    programs = {"spinner": PRINTER, "streamer": STREAMER}
    panes = {}
    for name, text in programs.items():
        program = tmp_path / f"{name}.py"
        program.write_text(text)
        pane = await tmux.start([sys.executable, str(program), name], cwd=str(REPO),
                                session=name, width=100, height=30,
                                env={"PYTHONPATH": str(REPO)})
        panes[name] = pane.pane_id
    runner = DepthControl(tmux.runner)
    service = TmuxService(runner)
    fleet = Fleet(service, [AgentSpec(name=n, tool="codex", target=p) for n, p in panes.items()],
                  settings=FleetSettings())
    try:
        end = asyncio.get_running_loop().time() + 10.0
        while asyncio.get_running_loop().time() < end:
            snapshot = await fleet.refresh(visible=set())
            await asyncio.sleep(0.25)
        assert all(view.status.state is State.WORKING for view in snapshot.agents), snapshot
    finally:
        fleet.close()
        await service.aclose()
    spinner, streamer = runner.depths[panes["spinner"]], runner.depths[panes["streamer"]]
    # First reads take it all (nothing known yet); later ones what scrolled off since.
    assert len(spinner) >= 2 and all(rows <= SCROLL_MARGIN for rows in spinner[1:]), spinner
    assert len(streamer) >= 2 and max(streamer[1:]) > SCROLL_MARGIN, streamer
