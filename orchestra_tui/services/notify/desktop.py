"""A desktop notification on the machine orchestra runs on, where a display is present:
`notify-send` under X11 or Wayland, `osascript` on macOS."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from orchestra_tui.services.notify.event import Delivery, NotifyEvent
from orchestra_tui.services.notify.terminal import plain

_TIMEOUT = 5.0


def desktop_argv(title: str, body: str) -> list[str] | None:
    """The command that shows a notification here, or None where there is no display."""
    if sys.platform == "darwin" and shutil.which("osascript"):
        quoted = [plain(text).replace("\\", "\\\\").replace('"', '\\"') for text in (body, title)]
        return ["osascript", "-e", f'display notification "{quoted[0]}" with title "{quoted[1]}"']
    if (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and shutil.which(
            "notify-send"):
        return ["notify-send", "--app-name=orchestra", "--", plain(title), plain(body)]
    return None


class DesktopChannel:
    name = "desktop"

    def send(self, event: NotifyEvent) -> Delivery:
        argv = desktop_argv(event.title, event.body)
        if argv is None:
            return Delivery(self.name, False, "no display here (DISPLAY and WAYLAND_DISPLAY "
                                              "unset, or notify-send missing)")
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as error:
            return Delivery(self.name, False, f"{argv[0]}: {error}")
        if done.returncode != 0:
            return Delivery(self.name, False, f"{argv[0]} exit status {done.returncode}")
        return Delivery(self.name, True)
