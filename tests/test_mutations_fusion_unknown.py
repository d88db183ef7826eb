"""An unreadable screen never overrules what the agent's hook said (issue 20, item 5).

Past the grace a screen that disagrees with the hook wins, because the screen saw something
the hook could not. A screen orchestra cannot read saw nothing: the hook's state stands, however
old, and no disagreement is recorded. Real tmux, a pane frozen on a screen no rule reads
(`tests/programs/replay.py`), hook events written to the pane's log as the hook program does.
"""

from __future__ import annotations

import pathlib
import sys
import time
import uuid

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.fleet.fusion import GRACE_SECONDS
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.hooks.log import HookLog, append_event
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.tmux_fixtures import REPO, wait_for_screen

pytestmark = pytest.mark.slow

REPLAY = pathlib.Path(__file__).parent / "programs" / "replay.py"
# Compiler output filling the pane: no composer, dialog, spinner or error row to read.
UNREADABLE = """\
   Compiling serde v1.0.197
   Compiling tokio v1.36.0
warning: unused variable: `retries`
  --> src/client.rs:42:9
   |
42 |     let retries = 3;
   |         ^^^^^^^ help: if this is intentional, prefix it with an underscore
"""


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


async def _unreadable_agent(tmux, tmp_path):
    shown = tmp_path / "screen.txt"
    shown.write_text("header\n" * 4 + UNREADABLE, encoding="utf-8")
    pane = await tmux.start([sys.executable, str(REPLAY), str(shown), str(tmp_path / "keys")],
                            cwd=str(REPO), session=f"api-{uuid.uuid4().hex[:6]}",
                            width=100, height=30)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Compiling tokio" in s)
    data = tmp_path / "data"
    clock = Clock()
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="claude", target=pane.pane_id)],
                  store=QueueStore(data), journal=Journal(data / "journal.jsonl"),
                  settings=FleetSettings(idle_debounce=0.2), hooks=HookLog(data), clock=clock)
    return fleet, pane, data, clock


def _event(data, pane, socket: str, event: str, at: float, detail: str = "") -> None:
    append_event(data, pane.pane_id, {"at": at, "event": event, "tool": "claude",
                                      "pane": pane.pane_id, "detail": detail, "tmux": socket})


@pytest.mark.parametrize(("event", "detail", "state"), [
    ("PermissionRequest", "Bash", State.APPROVAL),
    ("UserPromptSubmit", "", State.WORKING),
])
async def test_an_unreadable_screen_never_overrules_the_hook(tmux, tmp_path, event, detail,
                                                            state):
    fleet, pane, data, clock = await _unreadable_agent(tmux, tmp_path)
    socket = await tmux.server_socket()
    status = (await fleet.refresh()).get("api").status
    assert (status.state, status.source) == (State.UNKNOWN, "screen")

    _event(data, pane, socket, event, clock(), detail)
    status = (await fleet.refresh()).get("api").status
    assert (status.state, status.source) == (state, "hook")

    for late in (GRACE_SECONDS + 1, GRACE_SECONDS + 30, 600.0):
        clock.offset = late
        status = (await fleet.refresh()).get("api").status
        assert (status.state, status.source) == (state, "hook"), (
            f"{late:.0f}s after the hook said {state}, the unreadable screen decided: "
            f"{status.state} ({status.reason})")
    assert "hook said" not in status.reason
    await fleet.record.settle()  # the journal's writes
    assert fleet.journal.read(events=("disagreement",)) == []
