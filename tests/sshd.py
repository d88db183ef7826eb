"""A real OpenSSH server on a loopback port, the stand-in for "another machine": shared by the
hosts tests (`tests/ssh_fixtures.py`) and the hosts benchmark (`benchmarks/_sshd.py`). No pytest
here, so a benchmark can use it as it is."""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence

SSHD = shutil.which("sshd") or next(
    (path for path in ("/usr/sbin/sshd", "/usr/local/sbin/sshd") if os.path.exists(path)), None)
PRIVSEP_DIR = pathlib.Path("/run/sshd")  # Debian's sshd refuses to start without it


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def keygen(path: pathlib.Path) -> pathlib.Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "orchestra-test",
                    "-f", str(path)], check=True, capture_output=True)
    return path


def server_config(port: int, host_key: pathlib.Path, authorized_keys: pathlib.Path,
                  pid_file: pathlib.Path, home: pathlib.Path | None = None) -> str:
    """`home`: the HOME of the host's sessions, so they run no rc file of this machine's user
    (bash run by sshd reads ~/.bashrc even for a command: a `pyenv rehash` there, killed when a
    test takes the host down, leaves a lock that hangs every later session)."""
    return "\n".join([
        "ListenAddress 127.0.0.1", f"Port {port}", f"HostKey {host_key}",
        f"AuthorizedKeysFile {authorized_keys}", f"PidFile {pid_file}", "UsePAM no",
        "StrictModes no", "PermitRootLogin yes", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "MaxStartups 100", "MaxSessions 100",
        *([f"SetEnv HOME={home}"] if home is not None else []), ""])


def start_sshd(config: pathlib.Path, log: pathlib.Path) -> subprocess.Popen:
    if os.geteuid() == 0 and not PRIVSEP_DIR.exists():
        PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
    assert SSHD is not None, "OpenSSH's sshd is not installed"
    return subprocess.Popen([SSHD, "-D", "-f", str(config), "-E", str(log)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def generations(root: int) -> list[list[int]]:
    """The processes below `root`, one list per generation (children first)."""
    children: dict[int, list[int]] = {}
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    levels, level = [], [root]
    while level:
        level = [child for pid in level for child in children.get(pid, ())]
        levels += [level] if level else []
    return levels


def stop_sshd(process: subprocess.Popen, *, patience: float = 5.0) -> None:
    """The host goes down: the listener first (no new session starts: a client reconnecting
    at once would get one), then its sessions deepest first, each reaped by its parent."""
    if process.poll() is not None:
        return
    levels = generations(process.pid)
    process.terminate()
    process.wait(timeout=10)
    for depth, level in reversed(list(enumerate(levels))):
        _signal(level)
        if depth == 0:
            break  # the listener's own children have no parent left to reap them
        deadline = time.monotonic() + patience
        while any(os.path.exists(f"/proc/{pid}") for pid in level):
            if time.monotonic() > deadline:
                break  # a stubborn one goes with its parent
            time.sleep(0.02)


def _signal(pids: Sequence[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
