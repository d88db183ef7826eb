"""The send gate reads the pane before every Enter, the retries too (issue 20, item 5).

Real tmux and `tests/programs/swallow_enter.py`, a composer whose first Enter is lost, so the
send recipe has to press Enter again. What changes between the lost Enter and the retry is what
a person does: they start scrolling the pane (tmux copy mode), where an Enter is a copy-mode key
and not the agent's. The retry's Enter must be refused there like the first one would be.
"""

from __future__ import annotations

import asyncio
import pathlib
import sys
import uuid

import pytest

from orchestra_tui.core.sending.send_gate import SendGate, SendRefused
from orchestra_tui.models import PaneInfo
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, screen, wait_for_screen

pytestmark = pytest.mark.slow

SWALLOW = pathlib.Path(__file__).parent / "programs" / "swallow_enter.py"


async def _composer(tmux, keys: pathlib.Path) -> PaneInfo:
    pane = await tmux.start([sys.executable, str(SWALLOW), str(keys)], cwd=str(REPO),
                            session=f"api-{uuid.uuid4().hex[:6]}", width=100, height=30)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Ask Codex to do anything" in s,
                          message="the composer")
    return pane


async def _enters_received(keys: pathlib.Path, count: int) -> bool:
    return keys.exists() and keys.read_bytes().count(b"\r") >= count


async def test_a_lost_enter_is_pressed_again_and_the_prompt_submits(tmux, tmp_path):
    keys = tmp_path / "keys.bin"
    pane = await _composer(tmux, keys)
    result = await SendGate(tmux).send("api", pane.pane_id, "fix the flaky test", "codex")
    assert (result.delivered, result.enter_presses, result.uncertain) == (True, 2, False)
    assert keys.read_bytes().count(b"\r") == 2
    assert "› fix the flaky test" in await screen(tmux, pane.pane_id)


async def test_the_retry_enter_is_refused_when_the_pane_changed_after_the_first(tmux, tmp_path):
    keys = tmp_path / "keys.bin"
    pane = await _composer(tmux, keys)
    sending = asyncio.ensure_future(
        SendGate(tmux).send("api", pane.pane_id, "fix the flaky test", "codex"))
    await async_wait_until(lambda: _enters_received(keys, 1),
                           message="the first Enter reaching the composer")
    # The Enter was lost and the text still sits in the composer; the person starts scrolling.
    await tmux.runner.run(["copy-mode", "-t", pane.pane_id])
    with pytest.raises(SendRefused) as refused:
        await asyncio.wait_for(sending, timeout=20)
    assert refused.value.typed
    assert "copy mode" in refused.value.reason
    assert "Enter was not pressed" in str(refused.value)
    assert keys.read_bytes().count(b"\r") == 1
    mode = await tmux.runner.run(["display-message", "-p", "-t", pane.pane_id,
                                  "#{pane_in_mode}"])
    assert mode.stdout.strip() == "1"  # no Enter reached copy mode either: still scrolling
