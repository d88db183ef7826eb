"""The per-pane hook event log: `hooks/pane-N.jsonl` in orchestra's data dir, one JSON object a
line, written by the hook program (`orchestra hook`) and read by the app's poll loop; plus a
nudge over a unix datagram socket so that a running app reads at once instead of next tick.

Writing is on the agent's critical path, so this module imports only the standard library's
cheapest parts at the top. Each record is one `os.write` on an `O_APPEND` descriptor (whole
lines even with several agents' hooks at once). No fsync: an event lost in a crash is replaced
by the next one and the screen is the fallback. A log over `MAX_BYTES` is renamed to
`pane-N.jsonl.1` before the next write; the reader notices the new file by its inode.

>>> import tempfile; directory = Path(tempfile.mkdtemp())
>>> append_event(directory, "%3", {"at": 1.0, "event": "Stop", "tool": "claude"})
>>> log = HookLog(directory)
>>> [(e.event, e.pane_id) for e in log.read_new("%3")]
[('Stop', '%3')]
>>> log.read_new("%3")
[]
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchestra_tui.agents.hook_events import HookEvent

EVENTS_DIR = "hooks"
SOCKET_NAME = "hooks.sock"
MAX_BYTES = 512 * 1024
TAIL_BYTES = 16 * 1024  # what a first read of a pane returns: the recent past only
READ_LIMIT = 1024 * 1024  # at most this much is read per call; the rest next call
_SOCKET_PATH_LIMIT = 100  # sun_path holds 104 to 108 bytes depending on the system


def events_dir(data_dir: Path) -> Path:
    return Path(data_dir) / EVENTS_DIR


def log_path(data_dir: Path, pane_id: str) -> Path:
    """`%12` -> `<data>/hooks/pane-12.jsonl`."""
    number = pane_id.lstrip("%")
    if not number.isdigit():
        raise ValueError(f"not a tmux pane id: {pane_id!r}")
    return events_dir(data_dir) / f"pane-{number}.jsonl"


def socket_path(data_dir: Path) -> Path:
    """Where a running app listens for nudges. A data dir too deep for a unix socket's path
    gets a short path in /tmp named after it, the same for the app and the hook program."""
    path = Path(data_dir) / SOCKET_NAME
    if len(os.fsencode(str(path))) <= _SOCKET_PATH_LIMIT:
        return path
    import hashlib

    digest = hashlib.sha256(os.fsencode(str(Path(data_dir).resolve()))).hexdigest()[:16]
    return Path("/tmp") / f"orchestra-{os.getuid()}-{digest}.sock"


def prompt_digest(text: str) -> str:
    """A prompt's fingerprint as a hook records it: what proves which prompt an agent took
    without its words (a secret in it) reaching the event log. Whitespace and control bytes
    are left out, so text typed, pasted or echoed back with other line breaks matches.

    >>> prompt_digest("run  the\\ntests") == prompt_digest(" run the tests\\r")
    True
    """
    import hashlib

    kept = "".join(ch for ch in text if ch.isprintable() and not ch.isspace())
    return hashlib.sha256(kept.encode("utf-8", "replace")).hexdigest()[:16] if kept else ""


# -- writing (the hook program) ------------------------------------------------------------------


def append_event(data_dir: Path, pane_id: str, record: dict[str, Any]) -> None:
    """Append `record` as one line to the pane's log, rotating a full log first."""
    path = log_path(data_dir, pane_id)
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        if os.fstat(descriptor).st_size > MAX_BYTES:
            os.close(descriptor)
            descriptor = -1
            os.replace(path, path.with_name(path.name + ".1"))
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(descriptor, line)
    finally:
        if descriptor >= 0:
            os.close(descriptor)


def nudge(data_dir: Path, pane_id: str) -> bool:
    """Tell a running app that `pane_id` has a new event: one datagram, never waiting. False
    when no app listens (or anything else fails): the app reads the log on its next tick."""
    import _socket  # the C module: `socket` costs a few ms of imports on every event

    try:
        sender = _socket.socket(_socket.AF_UNIX, _socket.SOCK_DGRAM)
    except OSError:
        return False
    try:
        sender.setblocking(False)
        sender.sendto(pane_id.encode(), os.fsencode(str(socket_path(data_dir))))
        return True
    except OSError:
        return False
    finally:
        sender.close()


# -- reading (the app) ---------------------------------------------------------------------------


class HookLog:
    """Reads each pane's new events since the last call.

    `read_new(pane_id)` returns the events appended since the previous call for that pane; the
    first call returns only the recent tail of the log (the last `TAIL_BYTES`), so an app that
    starts while an agent waits on a dialog still learns it. Safe against rotation, truncation
    and a torn last line (kept for the next call). Not thread-safe: one reader per instance.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._offsets: dict[str, tuple[int, int]] = {}  # pane -> (inode, offset)

    def read_new(self, pane_id: str, *, tmux_socket: str | None = None) -> list[HookEvent]:
        """New events of `pane_id`, oldest first. With `tmux_socket`, only events from panes of
        that tmux server (pane ids repeat across servers); events without one are kept."""
        from orchestra_tui.agents.hook_events import HookEvent

        try:
            path = log_path(self.data_dir, pane_id)
        except ValueError:
            return []
        lines = self._new_lines(pane_id, path)
        events: list[HookEvent] = []
        for raw in lines:
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            event = (HookEvent.from_record(record, pane_id) if isinstance(record, dict)
                     else None)
            if event is None:
                continue
            if tmux_socket and event.tmux_socket and event.tmux_socket != tmux_socket:
                continue
            events.append(event)
        return events

    def forget(self, pane_id: str) -> None:
        """Start over for `pane_id`: the next read returns the recent tail again."""
        self._offsets.pop(pane_id, None)

    def _new_lines(self, pane_id: str, path: Path) -> list[bytes]:
        try:
            handle = open(path, "rb")
        except OSError:
            self._offsets.pop(pane_id, None)
            return []
        with handle:
            stat = os.fstat(handle.fileno())
            known = self._offsets.get(pane_id)
            if known is None:
                start = max(0, stat.st_size - TAIL_BYTES)
            elif known[0] != stat.st_ino or known[1] > stat.st_size:
                start = 0  # rotated or truncated: a new file, read it whole
            else:
                start = known[1]
            handle.seek(start)
            data = handle.read(min(READ_LIMIT, max(0, stat.st_size - start)))
            skip_partial_first = known is None and start > 0
        end = data.rfind(b"\n") + 1  # a torn last line waits for its end
        self._offsets[pane_id] = (stat.st_ino, start + end)
        lines = data[:end].splitlines()
        if skip_partial_first and lines:
            lines = lines[1:]  # the tail began inside a line
        return [line for line in lines if line.strip()]


class NudgeListener:
    """The app's end of the nudge socket: bind it, watch `fileno()` (e.g. with asyncio's
    `loop.add_reader`), then `drain()` the pane ids that have news. A stale socket file left by
    a crashed app is replaced; a live app already listening makes `open` return None.

    >>> import tempfile; directory = Path(tempfile.mkdtemp())
    >>> listener = NudgeListener.open(directory)
    >>> nudge(directory, "%5"), listener.drain()
    (True, {'%5'})
    >>> listener.close()
    """

    def __init__(self, sock: Any, path: Path) -> None:
        self._socket = sock
        self.path = path

    @classmethod
    def open(cls, data_dir: Path) -> NudgeListener | None:
        import socket

        path = socket_path(data_dir)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if path.exists() and nudge_listener_alive(path):
            return None
        path.unlink(missing_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(os.fsencode(str(path)))
            os.chmod(path, 0o600)
            sock.setblocking(False)
        except OSError:
            sock.close()
            return None
        return cls(sock, path)

    def fileno(self) -> int:
        descriptor: int = self._socket.fileno()
        return descriptor

    def drain(self) -> set[str]:
        """Pane ids nudged since the last drain (never waits)."""
        panes: set[str] = set()
        while True:
            try:
                data = self._socket.recv(256)
            except (BlockingIOError, InterruptedError):
                return panes
            except OSError:
                return panes
            text = data.decode(errors="replace").strip()
            if text.startswith("%"):
                panes.add(text)

    def close(self) -> None:
        self._socket.close()
        self.path.unlink(missing_ok=True)


def nudge_listener_alive(path: Path) -> bool:
    """True when something is bound to the socket at `path` (a datagram to it is accepted)."""
    import socket

    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        probe.setblocking(False)
        probe.connect(os.fsencode(str(path)))
        return True
    except OSError:
        return False
    finally:
        probe.close()
