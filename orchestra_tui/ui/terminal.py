"""The terminal driver: Textual's own, made safe for a terminal that goes away, with an input
thread that sleeps while no key comes.

When the person closes the terminal window, every write to it fails (EIO). Textual's writer
thread dies on the first failed write and leaves its queue behind; once 30 more writes are
queued, the next one blocks the app forever, half way through its exit, so `orchestra demo`
never gets to remove its agents and stand-in. Writes to a terminal that is gone are therefore
dropped instead: the app exits through its normal path and the cleanup after it runs.

Textual's input thread wakes ten times a second to see whether the app is exiting and whether
a lone escape byte has waited long enough to be the Escape key: a quarter of a percent of a
core, a third of what the whole app costs over a calm fleet of fifty agents. Here it sleeps
until a key comes, until the parser's own deadline when it holds a partial sequence, or until
the app stops input (the exit event also writes to a pipe the thread waits on).
"""

from __future__ import annotations

import os
import selectors
import threading
from codecs import getincrementaldecoder
from io import TextIOWrapper
from typing import IO, Any, cast

from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver

# How often the input thread looks when the parser's deadline cannot be read (a Textual that
# renamed it): Textual's own pace.
FALLBACK_POLL_SECONDS = 0.1


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


class WakingEvent(threading.Event):
    """An event whose `set` also writes a byte to the pipe a waiting thread attached (its
    `select` wakes for it). The pipe lives as long as that thread's wait: Textual closes the
    driver when the app steps aside for another program and starts a new input thread when it
    comes back."""

    def __init__(self) -> None:
        super().__init__()
        self._wake_fd: int | None = None
        self._fd_lock = threading.Lock()  # never a write to an fd closed (and reused) since

    def attach(self, fd: int) -> None:
        with self._fd_lock:
            self._wake_fd = fd

    def detach(self) -> None:
        with self._fd_lock:
            self._wake_fd = None

    def set(self) -> None:
        super().set()
        with self._fd_lock:
            if self._wake_fd is not None:
                try:
                    os.write(self._wake_fd, b"!")
                except OSError:  # full (drained on waking): the flag is what counts
                    pass


class TerminalDriver(LinuxDriver):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self._file is not None:
            # Duck-typed: it writes and flushes like the terminal stream it wraps.
            self._file = cast(TextIOWrapper, TerminalOrNothing(self._file))
        self.exit_event = self._waking = WakingEvent()

    def run_input_thread(self) -> None:
        """Textual's input loop (read, parse, hand each event to the app), waiting on the
        terminal and a wake pipe for as long as nothing is due."""
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        self._waking.attach(wake_write)  # a `set` before this is seen by the loop's test
        try:
            self._read_keys(wake_read)
        finally:
            self._waking.detach()
            os.close(wake_read)
            os.close(wake_write)

    def _read_keys(self, wake_read: int) -> None:
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        # select(2), as Textual's: macOS's kqueue does not wait on a terminal.
        with selectors.SelectSelector() as selector:
            selector.register(self.fileno, selectors.EVENT_READ)
            selector.register(wake_read, selectors.EVENT_READ)
            while not self.exit_event.is_set():
                ready = {key.fd for key, _ in selector.select(self._wait(parser))}
                if wake_read in ready:
                    os.read(wake_read, 64)  # taken: the next wait blocks again
                if self.fileno in ready and not self._take(parser, decode(os.read(
                        self.fileno, 4096))):
                    break  # end of input (stdin piped and closed)
                for event in parser.tick():
                    self.process_message(event)
        try:
            for event in parser.feed(""):  # what a partial sequence held, as Textual does
                self.process_message(event)
        except Exception:  # the parser's end of input (EOFError, ParseError): nothing held
            pass

    def _take(self, parser: XTermParser, text: str) -> bool:
        if not text:
            return False
        for event in parser.feed(text):
            self.process_message(event)
        return True

    @staticmethod
    def _wait(parser: XTermParser) -> float | None:
        """Seconds until the parser's deadline (a lone escape byte becoming the Escape key),
        None (until input) when it holds nothing."""
        if not hasattr(parser, "_timeout_time"):
            return FALLBACK_POLL_SECONDS
        deadline = parser._timeout_time
        return None if deadline is None else max(0.0, deadline - get_time())


def terminal_driver(driver_class: type[Driver]) -> type[Driver]:
    """The driver to use instead of `driver_class` (other platforms' drivers are kept)."""
    return TerminalDriver if driver_class is LinuxDriver else driver_class
