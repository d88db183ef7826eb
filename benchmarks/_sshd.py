"""A real OpenSSH server on a loopback port for the benchmarks: "another machine" in front of a
tmux server (`hosts_cost.py`). Keys and configs in a temporary folder; stopped at exit, its
sessions deepest first so that each process is reaped by its parent."""

from __future__ import annotations

import atexit
import getpass
import pathlib
import subprocess
import time

from orchestra_tui.services.tmux.ssh import SshTmuxRunner
from tests.sshd import (  # noqa: F401 (SSHD and keygen are the benchmark's too)
    SSHD,
    free_port,
    generations,
    keygen,
    listening,
    server_config,
    start_sshd,
    stop_sshd,
)


class LoopbackSshd:
    """One sshd on 127.0.0.1 with its own host key; the client key is shared."""

    def __init__(self, directory: pathlib.Path, index: int, client_key: pathlib.Path) -> None:
        self.directory = directory / f"sshd{index}"
        self.directory.mkdir()
        self.port = free_port()
        self.alias = f"bench-host-{index}"
        keygen(self.directory / "host_key")
        config = self.directory / "sshd_config"
        (self.directory / "home").mkdir()
        config.write_text(server_config(self.port, self.directory / "host_key",
                                        pathlib.Path(f"{client_key}.pub"), self.directory / "pid",
                                        home=self.directory / "home"))
        self.client_config = self.directory / "ssh_config"
        self.client_config.write_text("\n".join([
            f"Host {self.alias}", "  HostName 127.0.0.1", f"  Port {self.port}",
            f"  User {getpass.getuser()}", f"  IdentityFile {client_key}", "  IdentitiesOnly yes",
            "  StrictHostKeyChecking no", "  UserKnownHostsFile /dev/null", "  LogLevel ERROR",
            ""]))
        self.process = start_sshd(config, self.directory / "log")
        atexit.register(self.stop)
        deadline = time.monotonic() + 20
        while not listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"sshd did not start: {(self.directory / 'log').read_text()}")
            time.sleep(0.05)

    def runner(self, name: str, socket_path: str, **options) -> SshTmuxRunner:
        return SshTmuxRunner(name, self.alias, ssh_options=["-F", str(self.client_config)],
                             socket_path=socket_path, **options)

    def session_pids(self) -> list[int]:
        return descendants(self.process.pid) if self.process.poll() is None else []

    def stop(self) -> None:
        stop_sshd(self.process)


def descendants(root: int) -> list[int]:
    return [pid for level in generations(root) for pid in level]


def master_pid(runner: SshTmuxRunner) -> int | None:
    """The ssh connection master (a daemon, not our child) that carries the host's sessions."""
    result = subprocess.run([*runner.ssh_argv()[:-2], "-O", "check", "--", runner.destination],
                            capture_output=True, text=True, timeout=10)
    text = result.stderr + result.stdout
    if "pid=" not in text:
        return None
    return int(text.split("pid=", 1)[1].split(")", 1)[0])
