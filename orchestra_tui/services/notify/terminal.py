r"""The person's own terminal: a desktop notification by escape sequence, which travels through
tmux (wrapped for passthrough) and ssh to whatever terminal draws the app.

OSC 9 (iTerm2, WezTerm, Ghostty, Windows Terminal, foot), OSC 777 (urxvt's `notify`, foot,
WezTerm, Ghostty), OSC 99 (kitty's protocol), or the bell where the terminal has none of them.
Text from agents and GitHub goes into an escape sequence here, so every control character is
removed first: a reason holding `\e\\` must not end the sequence and write the rest to the screen.

>>> osc_sequence(OscStyle.OSC9, "orchestra: api approval", "run: rm -rf build")
'\x1b]9;orchestra: api approval: run: rm -rf build\x07'
>>> tmux_passthrough("\x1b]9;hi\x07")
'\x1bPtmux;\x1b\x1b]9;hi\x07\x1b\\'
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable

from orchestra_tui.services.notify.event import Delivery, NotifyEvent

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MAX_TEXT = 240  # terminals cut long notifications anyway; a short one stays readable


class OscStyle(enum.Enum):
    OSC9 = "osc9"
    OSC777 = "osc777"
    OSC99 = "osc99"
    BELL = "bell"


def plain(text: str, limit: int = _MAX_TEXT) -> str:
    """One line of printable text: controls become spaces, runs of spaces one."""
    flat = " ".join(_CONTROLS.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def osc_sequence(style: OscStyle, title: str, body: str) -> str:
    title, body = plain(title), plain(body)
    if style is OscStyle.OSC9:
        return f"\x1b]9;{title}: {body}\x07"
    if style is OscStyle.OSC777:
        # `;` separates the fields of OSC 777: a title holding one would shift the body.
        return f"\x1b]777;notify;{title.replace(';', ',')};{body}\x07"
    if style is OscStyle.OSC99:
        # kitty: d=0 says more parts follow; p=body marks the second part as the body.
        return (f"\x1b]99;i=orchestra:d=0;{title}\x1b\\"
                f"\x1b]99;i=orchestra:p=body;{body}\x1b\\")
    return "\x07"


def tmux_passthrough(sequence: str) -> str:
    """`sequence` wrapped so tmux (with `allow-passthrough on`) hands it to the outer terminal."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def tty_writer(path: str) -> Callable[[bytes], None]:
    """Write to a terminal device in one call, opened for each event so a terminal that went
    away is an error of that event, not of the app."""
    def write(data: bytes) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    return write


class TerminalChannel:
    """Notifications drawn by the terminal the person watches (see the module's doc)."""

    def __init__(self, write: Callable[[bytes], None], style: OscStyle, *,
                 inside_tmux: bool) -> None:
        self._write = write
        self.style = style
        self.inside_tmux = inside_tmux
        self.name = f"terminal ({style.value})"

    def sequence(self, event: NotifyEvent) -> str:
        sequence = osc_sequence(self.style, event.title, event.body)
        if self.inside_tmux and self.style is not OscStyle.BELL:
            return tmux_passthrough(sequence)
        return sequence

    def send(self, event: NotifyEvent) -> Delivery:
        try:
            self._write(self.sequence(event).encode("utf-8"))
        except OSError as error:
            return Delivery(self.name, False, f"cannot write to the terminal: {error.strerror}")
        return Delivery(self.name, True)


def allow_passthrough(environ: dict[str, str]) -> str | None:
    """Inside tmux, let this pane's escape sequences through to the outer terminal (tmux 3.3+
    `allow-passthrough`). None when done or not inside tmux; else why not, in words."""
    import subprocess

    pane, where = environ.get("TMUX_PANE"), environ.get("TMUX", "")
    if not pane or not where:
        return None
    socket = where.split(",")[0]
    try:
        done = subprocess.run(["tmux", "-S", socket, "set-option", "-p", "-t", pane,
                               "allow-passthrough", "on"], capture_output=True, text=True,
                              timeout=5.0)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"tmux allow-passthrough: {error}"
    return None if done.returncode == 0 else f"tmux allow-passthrough: {done.stderr.strip()}"
