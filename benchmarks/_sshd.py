"""A real OpenSSH server on a loopback port for the benchmarks: "another machine" in front of a
tmux server (`hosts_cost.py`). Keys and configs in a temporary folder; stopped at exit, its
sessions deepest first so that each process is reaped by its parent."""

from __future__ import annotations

import atexit
import getpass
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time

from orchestra_tui.services.tmux_ssh import SshTmuxRunner

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


class LoopbackSshd:
    """One sshd on 127.0.0.1 with its own host key; the client key is shared."""

    def __init__(self, directory: pathlib.Path, index: int, client_key: pathlib.Path) -> None:
        self.directory = directory / f"sshd{index}"
        self.directory.mkdir()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.alias = f"bench-host-{index}"
        keygen(self.directory / "host_key")
        (self.directory / "sshd_config").write_text("\n".join([
            "ListenAddress 127.0.0.1", f"Port {self.port}",
            f"HostKey {self.directory / 'host_key'}",
            f"AuthorizedKeysFile {client_key}.pub", f"PidFile {self.directory / 'pid'}",
            "UsePAM no", "StrictModes no", "PermitRootLogin yes", "PasswordAuthentication no",
            "MaxStartups 100", "MaxSessions 100", ""]))
        self.client_config = self.directory / "ssh_config"
        self.client_config.write_text("\n".join([
            f"Host {self.alias}", "  HostName 127.0.0.1", f"  Port {self.port}",
            f"  User {getpass.getuser()}", f"  IdentityFile {client_key}", "  IdentitiesOnly yes",
            "  StrictHostKeyChecking no", "  UserKnownHostsFile /dev/null", "  LogLevel ERROR",
            ""]))
        if os.geteuid() == 0:
            pathlib.Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        self.process = subprocess.Popen(
            [SSHD, "-D", "-f", str(self.directory / "sshd_config"), "-E",
             str(self.directory / "log")], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(self.stop)
        deadline = time.monotonic() + 20
        while not _listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"sshd did not start: {(self.directory / 'log').read_text()}")
            time.sleep(0.05)

    def runner(self, name: str, socket_path: str, **options) -> SshTmuxRunner:
        return SshTmuxRunner(name, self.alias, ssh_options=["-F", str(self.client_config)],
                             socket_path=socket_path, **options)

    def session_pids(self) -> list[int]:
        return descendants(self.process.pid) if self.process.poll() is None else []

    def stop(self) -> None:
        """The listener, then its sessions deepest first, each reaped by its parent."""
        if self.process.poll() is not None:
            return
        levels = generations(self.process.pid)
        self.process.terminate()  # first: no new session starts
        self.process.wait(timeout=10)
        for depth, level in reversed(list(enumerate(levels))):
            for pid in level:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 5
            while depth and any(os.path.exists(f"/proc/{pid}") for pid in level):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)


def keygen(path: pathlib.Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
                   check=True, capture_output=True)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def descendants(root: int) -> list[int]:
    return [pid for level in generations(root) for pid in level]


def generations(root: int) -> list[list[int]]:
    children: dict[int, list[int]] = {}
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(
                int(entry.name))
    levels, level = [], [root]
    while level:
        level = [child for pid in level for child in children.get(pid, ())]
        levels += [level] if level else []
    return levels


def master_pid(runner: SshTmuxRunner) -> int | None:
    """The ssh connection master (a daemon, not our child) that carries the host's sessions."""
    result = subprocess.run([*runner.ssh_argv()[:-2], "-O", "check", "--", runner.destination],
                            capture_output=True, text=True, timeout=10)
    text = result.stderr + result.stdout
    if "pid=" not in text:
        return None
    return int(text.split("pid=", 1)[1].split(")", 1)[0])
