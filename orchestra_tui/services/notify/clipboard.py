r"""Copying text to the person's clipboard with OSC 52, for when no browser can open a URL (the
app on a server over ssh, a terminal with no desktop): the sequence travels through tmux
(wrapped for passthrough, as the notifications are) and ssh to the terminal that draws the app,
which puts the text on its own machine's clipboard.

>>> osc52_sequence("https://github.com/acme/shop/pull/7")
'\x1b]52;c;aHR0cHM6Ly9naXRodWIuY29tL2FjbWUvc2hvcC9wdWxsLzc=\x07'
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from orchestra_tui.services.notify.event import Delivery
from orchestra_tui.services.notify.terminal import tmux_passthrough

__all__ = ["MAX_BYTES", "ClipboardChannel", "osc52_sequence"]

# Terminals refuse long OSC 52 payloads (xterm's default limit, tmux's buffer): a URL fits.
MAX_BYTES = 8192


def osc52_sequence(text: str) -> str:
    """`text` for the system clipboard (`c`), base64 so no byte of it acts in the terminal."""
    return "\x1b]52;c;" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "\x07"


class ClipboardChannel:
    """Writes OSC 52 to the terminal the app draws on (`write`, e.g. `terminal.tty_writer`);
    `inside_tmux` wraps it for tmux's passthrough (`allow-passthrough on`)."""

    name = "clipboard (OSC 52)"

    def __init__(self, write: Callable[[bytes], None], *, inside_tmux: bool) -> None:
        self._write = write
        self.inside_tmux = inside_tmux

    def sequence(self, text: str) -> str:
        sequence = osc52_sequence(text)
        return tmux_passthrough(sequence) if self.inside_tmux else sequence

    def copy(self, text: str) -> Delivery:
        """Blocking (one write to a terminal device): call it off the event loop."""
        if len(text.encode("utf-8")) > MAX_BYTES:
            return Delivery(self.name, False, f"too long for OSC 52 (over {MAX_BYTES} bytes)")
        try:
            self._write(self.sequence(text).encode("ascii"))
        except OSError as error:
            return Delivery(self.name, False, f"cannot write to the terminal: {error.strerror}")
        return Delivery(self.name, True)
