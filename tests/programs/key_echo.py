"""A Textual app on orchestra's terminal driver that shows the last key it was given and the
process and thread ids of its input thread; `s` steps aside for a program and comes back (as
`a` does outside tmux), `q` quits and prints "bye" (a real terminal's keys, for
tests/test_terminal_driver)."""

from __future__ import annotations

import os
import subprocess
import sys

from textual.app import App, ComposeResult
from textual.drivers.linux_driver import LinuxDriver
from textual.events import Key
from textual.widgets import Static

from orchestra_tui.ui.terminal import terminal_driver


class KeyEcho(App[None]):
    def __init__(self) -> None:
        super().__init__(driver_class=terminal_driver(LinuxDriver))
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Static("starting", id="shown")

    def on_mount(self) -> None:
        self.query_one(Static).update(f"{self.ids()} ready")

    def ids(self) -> str:
        thread = getattr(self._driver, "_key_thread", None)
        return f"pid {os.getpid()} input {thread.native_id if thread else '?'}"

    def on_key(self, event: Key) -> None:
        self.count += 1
        if event.key == "s":
            with self.suspend():
                subprocess.run(["sh", "-c", "echo stepped aside; sleep 0.5"], check=False)
        self.query_one(Static).update(f"{self.ids()} key {self.count}: {event.key}")
        if event.key == "q":
            self.exit()


if __name__ == "__main__":
    KeyEcho().run()
    print("bye", flush=True)
    sys.exit(0)
