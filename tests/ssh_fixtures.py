"""A real OpenSSH server on a loopback port, in front of a second tmux server: "another machine"
for the tests of agents on several hosts.

`sshd -D -f FILE` runs with a generated host key, an authorized client key, `UsePAM no` and
`StrictModes no`, all in a temporary folder; the client gets its own `ssh_config` (`-F`) with
`BatchMode`, no known-hosts file and a connect timeout. `SshHost.stop()` is a host going down:
it kills the listener *and* the established sessions (killing the listener alone leaves them
alive). A machine without `sshd` skips these tests with the reason.
"""

from __future__ import annotations

import getpass
import os
import pathlib
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from orchestra_tui.services.tmux.runner import LocalTmuxRunner
from orchestra_tui.services.tmux.service import TmuxService
from orchestra_tui.services.tmux.ssh import SshTmuxRunner, ssh_control_runner
from tests.helpers import wait_until
from tests.sshd import (
    SSHD,
    free_port,
    keygen,
    listening,
    server_config,
    start_sshd,
    stop_sshd,
)

__all__ = ["SSHD", "SshHost", "free_port", "keygen"]

needs_sshd = pytest.mark.skipif(
    SSHD is None or shutil.which("ssh") is None or shutil.which("ssh-keygen") is None,
    reason="OpenSSH (sshd, ssh, ssh-keygen) is not installed: `apt-get install "
           "openssh-server openssh-client` (.ci/run installs it)")
ALIAS = "orch-test-host"


class SshHost:
    """One sshd on 127.0.0.1, its keys and configs in `directory`."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.host_key = keygen(directory / "host_key")
        self.client_key = keygen(directory / "client_key")
        (directory / "authorized_keys").write_text(
            (directory / "client_key.pub").read_text())
        self.log = directory / "sshd.log"
        self.server_config = directory / "sshd_config"
        self.home = directory / "home"  # the sessions' HOME there: no rc file of this machine
        self.home.mkdir(exist_ok=True)
        self.server_config.write_text(server_config(
            self.port, self.host_key, directory / "authorized_keys", directory / "sshd.pid",
            home=self.home))
        self.client_config = self.write_client_config("ssh_config", self.client_key)
        self.process: subprocess.Popen | None = None
        self.started_once = False

    def write_client_config(self, name: str, key: pathlib.Path, *,
                            known_hosts: str = "/dev/null", strict: str = "no") -> pathlib.Path:
        path = self.directory / name
        path.write_text("\n".join([
            f"Host {ALIAS}", "  HostName 127.0.0.1", f"  Port {self.port}",
            f"  User {getpass.getuser()}", f"  IdentityFile {key}",
            "  IdentitiesOnly yes", f"  StrictHostKeyChecking {strict}",
            f"  UserKnownHostsFile {known_hosts}", "  BatchMode yes", "  ConnectTimeout 5",
            "  LogLevel ERROR", ""]))
        return path

    @property
    def ssh_options(self) -> list[str]:
        return ["-F", str(self.client_config)]

    def start(self) -> None:
        self.process = start_sshd(self.server_config, self.log)
        try:
            wait_until(self._listening, timeout=20, message=f"sshd on port {self.port}")
        except AssertionError as error:
            log = self.log.read_text() if self.log.exists() else ""
            why = f"sshd did not start: {error}: {log.strip()[-300:]}"
            if not self.started_once:
                pytest.skip(why)  # this machine cannot run sshd at all
            raise AssertionError(why) from None
        self.started_once = True

    def _listening(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError("sshd exited")
        return listening(self.port)

    def stop(self) -> None:
        """The host goes down: the listener and every session it started (so the control
        client's connection and the shared connection drop too)."""
        if self.process is not None:
            stop_sshd(self.process)
        self.process = None

    def runner(self, name: str = "gpu", *, socket_path: str,
               options: list[str] | None = None) -> SshTmuxRunner:
        return SshTmuxRunner(name, ALIAS, ssh_options=options or self.ssh_options,
                             socket_path=socket_path, connect_timeout=5)


@pytest.fixture
def ssh_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshHost]:
    """A running sshd on loopback (skipped where OpenSSH is missing)."""
    if SSHD is None:
        pytest.skip("OpenSSH server (sshd) is not installed: `apt-get install openssh-server`")
    host = SshHost(tmp_path_factory.mktemp("sshd"))
    host.start()
    yield host
    host.stop()


@pytest.fixture
async def remote_tmux() -> AsyncIterator[TmuxService]:
    """The second tmux server, "on the host": its own socket; the tests start agents in it
    directly and reach it through ssh."""
    service = TmuxService(LocalTmuxRunner(socket_name=f"orch-host-{uuid.uuid4().hex[:10]}",
                                          config_file="/dev/null"))
    yield service
    await service.kill_server()


def remote_socket(remote: TmuxService) -> str:
    """The second server's socket as a path: the ssh session there does not inherit this
    process's TMUX_TMPDIR, so `-L NAME` could name another directory."""
    base = os.environ.get("TMUX_TMPDIR") or "/tmp"
    return os.path.join(base, f"tmux-{os.getuid()}", remote.runner.socket_name)


def host_service(host: SshHost, remote: TmuxService, *, name: str = "gpu",
                 control: bool = True) -> TmuxService:
    """The TmuxService orchestra builds for a `[[host]]`: ssh, through a control-mode client
    for the reads when `control`."""
    runner = host.runner(name, socket_path=remote_socket(remote))
    return TmuxService(ssh_control_runner(runner, retry_after=1.0) if control else runner)
