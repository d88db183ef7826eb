"""URLs copied with OSC 52 when no browser can open them: through a real tmux (passthrough on)
to the pseudo-terminal its client draws on, as the OSC 9 notifications are tested
(tests/test_notify_channels.py), from the channel itself and from `o` in the app."""

from __future__ import annotations

import asyncio
import base64
import webbrowser

from orchestra_tui.core.desk.desk import Desk
from orchestra_tui.models import State
from orchestra_tui.services.notify.clipboard import MAX_BYTES, ClipboardChannel
from orchestra_tui.services.notify.terminal import tty_writer
from orchestra_tui.services.store.desk import DeskStore
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.screens.issues import IssuesScreen
from tests import test_notify_channels
from tests.github_pilot import notes, open_screen, settle
from tests.helpers import pilot_wait_until, wait_until
from tests.test_ui_github_snapshots import AGENTS, OPTIONS, FixedGitHub
from tests.ui_data import AT, FixedFleet, _view

URL = "https://github.com/acme/shop/issues/91"
# A tmux client drawing on a pseudo-terminal this test reads (the OSC 9 tests' fixture).
attached_tmux = test_notify_channels.attached_tmux


def _osc52(text: str) -> bytes:
    return b"\x1b]52;c;" + base64.b64encode(text.encode()) + b"\x07"


def test_the_terminal_outside_tmux_receives_the_url_for_its_clipboard(attached_tmux) -> None:
    tty, read = attached_tmux
    copied = ClipboardChannel(tty_writer(tty), inside_tmux=True).copy(URL)
    assert copied.ok, copied.error
    # tmux unwrapped the passthrough: the outer terminal got OSC 52 itself.
    wait_until(lambda: _osc52(URL) in read(), timeout=10)


def test_what_cannot_be_copied_says_why(tmp_path) -> None:
    gone = ClipboardChannel(tty_writer(str(tmp_path / "gone")), inside_tmux=False).copy(URL)
    assert not gone.ok and "cannot write to the terminal" in gone.error
    long = ClipboardChannel(tty_writer(str(tmp_path / "gone")), inside_tmux=False)
    assert "too long" in long.copy("x" * (MAX_BYTES + 1)).error


async def test_o_with_no_browser_copies_the_url_and_says_so(attached_tmux, tmp_path,
                                                            monkeypatch) -> None:
    tty, read = attached_tmux
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: False)  # no browser here
    views = [_view(spec.name, "claude", State.IDLE, "idle: composer", since=AT - 60,
                   repo=spec.repo, branch=spec.branch, pane=f"%{n}")
             for n, spec in enumerate(AGENTS, 1)]
    desk = Desk(FixedGitHub(), AGENTS, store=DeskStore(tmp_path / "desk.json"), clock=lambda: AT)
    await desk.refresh()
    await desk.load_issues()
    app = OrchestraApp(FixedFleet(tmp_path / "store", views), OPTIONS, desk=desk,
                       clipboard=ClipboardChannel(tty_writer(tty), inside_tmux=True))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await open_screen(pilot, "I", IssuesScreen)
        await pilot.press("o")  # the selected issue: #91
        await pilot_wait_until(pilot, lambda: any(
            "copied to your clipboard (OSC 52)" in note for note in notes(app)),
            message="the person told")
    await asyncio.to_thread(wait_until, lambda: _osc52(URL) in read(), 10)
