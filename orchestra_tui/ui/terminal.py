"""The terminal driver: Textual's own, made safe for a terminal that goes away.

When the person closes the terminal window, every write to it fails (EIO). Textual's writer
thread dies on the first failed write and leaves its queue behind; once 30 more writes are
queued, the next one blocks the app forever, half way through its exit, so `orchestra demo`
never gets to remove its agents and stand-in. Writes to a terminal that is gone are therefore
dropped instead: the app exits through its normal path and the cleanup after it runs.
"""

from __future__ import annotations

from io import TextIOWrapper
from typing import IO, Any, cast

from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver


class TerminalOrNothing:
    """A text stream that passes writes to `stream` until one fails, then drops them all."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._stream.write(text)
            except OSError:
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except OSError:
                self.gone = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class HangupSafeLinuxDriver(LinuxDriver):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self._file is not None:
            # Duck-typed: it writes and flushes like the terminal stream it wraps.
            self._file = cast(TextIOWrapper, TerminalOrNothing(self._file))


def hangup_safe(driver_class: type[Driver]) -> type[Driver]:
    """The driver to use instead of `driver_class` (other platforms' drivers are kept)."""
    return HangupSafeLinuxDriver if driver_class is LinuxDriver else driver_class
