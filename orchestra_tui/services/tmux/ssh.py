r"""tmux on another machine, through OpenSSH: a runner with the `TmuxRunner` protocol.

Every command is `ssh [options] -- DEST tmux -u [-L NAME | -S PATH] ARGS...`, each argument
quoted for the remote shell (`shlex.quote`: a POSIX login shell there, as bash, zsh, dash or
ksh). One-shot commands share one SSH connection per host (`ControlMaster=auto`, a short
`ControlPath`, `ControlPersist`), so only the first pays for the handshake; the poll loop's
reads go through one long-lived `ssh DEST tmux -C attach` (`ssh_control_runner`: the
control-mode runner of `tmux_control.py` over this runner). `input=` goes through ssh's stdin
untouched, so `load-buffer -` pastes byte-exact text as it does locally.

ssh never asks anything: `BatchMode=yes`, a connect timeout, and no controlling terminal (its
own session), so a host that wants a password, a passphrase or a new host key is an error for
that host, not a prompt in the person's terminal or a hung app. ssh's failures (exit 255) are
`HostUnreachable` with a short reason:

>>> ssh_reason("ssh: connect to host 10.0.0.9 port 22: Connection refused")
'connection refused'
>>> ssh_reason("Permission denied (publickey).")
'authentication failed (Permission denied (publickey); no password prompt in batch mode)'
>>> remote_command(["send-keys", "-t", "%1", "-l", "--", "$(rm x);"], socket_name="s")
"tmux -u -L s send-keys -t %1 -l -- '$(rm x);'"
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
from collections.abc import Sequence
from pathlib import Path

from orchestra_tui.errors import TmuxUnavailable
from orchestra_tui.services.tmux.control import ControlModeRunner
from orchestra_tui.services.tmux.port import ProcessTable
from orchestra_tui.services.tmux.runner import TmuxResult, TmuxRunner, raise_for_result

CONTROL_PERSIST_SECONDS = 60
# A connection whose peer vanished without a word (a network gone) is dropped after about
# interval x count seconds, rather than waiting on TCP for minutes.
ALIVE_INTERVAL, ALIVE_COUNT = 5, 2
PS_ARGV = ("ps", "-ww", "-o", "pid=,ppid=,args=", "-A")


class HostUnreachable(TmuxUnavailable):
    """ssh could not run tmux on the host: `reason` says why in a few words."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"host {host}: {reason}")
        self.host = host
        self.reason = reason


_REASONS = (
    ("connection refused", ("connection refused",)),
    ("connection timed out", ("timed out", "timeout")),
    ("authentication failed ({line}; no password prompt in batch mode)",
     ("permission denied", "too many authentication failures", "no more authentication methods")),
    ("host key not verified ({line}); connect once with `ssh {dest}` to check and accept it",
     ("host key verification failed", "remote host identification has changed",
      "host key for", "no matching host key")),
    ("unknown host name ({line})", ("could not resolve hostname", "name or service not known")),
    ("network unreachable ({line})", ("no route to host", "network is unreachable")),
    ("connection closed ({line})", ("connection closed", "connection reset", "broken pipe",
                                     "kex_exchange_identification")),
)


def ssh_reason(stderr: str, destination: str = "HOST") -> str:
    """What ssh's complaint on stderr means, in a few words (its last meaningful line kept
    where it helps)."""
    lines = [line.strip() for line in stderr.splitlines()
             if line.strip() and not line.startswith(("@", "Warning: Permanently added"))]
    text = "\n".join(lines).lower()
    detail = next((line for line in reversed(lines) if line), "")
    for reason, markers in _REASONS:
        if any(marker in text for marker in markers):
            return reason.format(line=detail.rstrip("."), dest=destination)
    return detail or "ssh failed with no message"


# Printed by the remote shell right before the program orchestra runs there: whatever came
# before it (a login banner, an rc file's echo) is not the program's output.
OUTPUT_MARK = "orchestra-output-follows-3f9c"


def marked(command: str) -> str:
    """`command` for a remote shell, preceded by `OUTPUT_MARK` on a line of its own.

    >>> print(marked("tmux -u list-panes"))
    printf '%s\\n' orchestra-output-follows-3f9c; exec tmux -u list-panes
    """
    return f"printf '%s\\n' {OUTPUT_MARK}; exec {command}"


def after_mark(out: str) -> str:
    """The program's output: what follows the mark (all of it when no mark came).

    >>> after_mark("Welcome to devbox!\\norchestra-output-follows-3f9c\\n%1 idle\\n")
    '%1 idle\\n'
    """
    _, mark, rest = out.partition(OUTPUT_MARK + "\n")
    return rest if mark else out


def remote_command(args: Sequence[str], *, socket_name: str | None = None,
                   socket_path: str | None = None, tmux: str = "tmux") -> str:
    """The command line the remote shell runs: tmux with UTF-8 forced (`-u`: ssh brings no
    locale, and tmux would draw a wide character as `_`), its server, and `args` quoted."""
    command = [tmux, "-u"]
    if socket_name:
        command += ["-L", socket_name]
    elif socket_path:
        command += ["-S", socket_path]
    return shlex.join([*command, *args])


def control_directory() -> Path:
    """Where the connection-sharing sockets live: a short path (a unix socket's path is at
    most about 100 bytes), private to this user."""
    base = Path("/tmp") if Path("/tmp").is_dir() else Path(os.environ.get("TMPDIR", "."))
    directory = base / f"orchestra-ssh-{os.getuid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


class SshTmuxRunner:
    """Runs tmux commands on `destination` over ssh, one process per command, sharing one
    connection. `name` is the host's name in the config (messages say "host NAME")."""

    def __init__(self, name: str, destination: str, *, ssh_options: Sequence[str] = (),
                 socket_name: str | None = None, socket_path: str | None = None,
                 connect_timeout: float = 5.0, control_path: str | None = None,
                 ssh: str = "ssh", tmux: str = "tmux") -> None:
        if socket_name and socket_path:
            raise ValueError("give a socket name (-L) or a socket path (-S), not both")
        self.name = name
        self.destination = destination
        self.ssh_options = list(ssh_options)
        self.socket_name = socket_name
        self.socket_path = socket_path
        self.connect_timeout = connect_timeout
        self.control_path = control_path
        self.ssh = ssh
        self.tmux = tmux

    @property
    def label(self) -> str:
        return f"host {self.name}"

    @property
    def process_runner(self) -> SshTmuxRunner:
        return self

    @property
    def notice(self) -> str | None:
        return None

    @property
    def own_session(self) -> bool:
        """No controlling terminal for ssh, here or under a control-mode client: it can
        never prompt in the person's terminal."""
        return True

    def ssh_argv(self, *, batch: bool = True, tty: bool = False) -> list[str]:
        """ssh and its options up to the destination. The person's `ssh_options` come before
        the defaults (ssh keeps the first value it is given), except BatchMode, which they
        cannot turn off for orchestra's own commands."""
        control = self.control_path or str(control_directory() / "%C")
        argv = [self.ssh]
        argv += ["-o", "BatchMode=yes"] if batch else []
        argv += self.ssh_options
        argv += ["-o", f"ConnectTimeout={max(1, round(self.connect_timeout))}",
                 "-o", "ControlMaster=auto", "-o", f"ControlPath={control}",
                 "-o", f"ControlPersist={CONTROL_PERSIST_SECONDS}",
                 "-o", f"ServerAliveInterval={ALIVE_INTERVAL}",
                 "-o", f"ServerAliveCountMax={ALIVE_COUNT}"]
        argv += ["-t"] if tty else ["-T"]
        return argv + ["--", self.destination]

    def argv(self, args: Sequence[str]) -> list[str]:
        return self.ssh_argv() + [marked(remote_command(
            args, socket_name=self.socket_name, socket_path=self.socket_path, tmux=self.tmux))]

    def attach_argv(self, args: Sequence[str]) -> list[str]:
        """For a person's terminal: a tty, and ssh may ask them for a passphrase."""
        return self.ssh_argv(batch=False, tty=True) + [remote_command(
            args, socket_name=self.socket_name, socket_path=self.socket_path, tmux=self.tmux)]

    async def run(self, args: Sequence[str], *, input: bytes | None = None,
                  timeout: float = 10.0, check: bool = True) -> TmuxResult:
        result = await self._ssh(self.argv(args), input=input, timeout=timeout)
        if result.returncode in (126, 127):  # the remote shell found no tmux to run
            raise HostUnreachable(self.name, f"`{self.tmux}` is not installed there (or not "
                                  "on the PATH of a non-interactive ssh session)")
        return raise_for_result(args, result, self.label, check)

    async def run_remote(self, argv: Sequence[str], *, timeout: float = 10.0) -> TmuxResult:
        """Any program on the host (for its process table), over the shared connection."""
        return await self._ssh(self.ssh_argv() + [marked(shlex.join(argv))], input=None,
                               timeout=timeout)

    async def process_table(self) -> ProcessTable:
        """pid -> (ppid, argv) of every process on the host, from one `ps -A` there."""
        from orchestra_tui.services.tmux.discovery import parse_ps

        result = await self.run_remote(PS_ARGV)
        return parse_ps(result.stdout) if result.returncode == 0 else {}

    async def _ssh(self, argv: list[str], *, input: bytes | None,
                   timeout: float) -> TmuxResult:
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE if input is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                start_new_session=self.own_session)
        except FileNotFoundError:
            raise HostUnreachable(self.name, f"ssh is not installed here: no `{self.ssh}` on "
                                  "PATH") from None
        try:
            out, err = await asyncio.wait_for(process.communicate(input), timeout)
        except TimeoutError:
            _terminate(process)
            await process.wait()
            raise HostUnreachable(self.name, f"no answer within {timeout:g}s") from None
        except BaseException:
            _terminate(process)  # cancelled: never leave an ssh behind
            raise
        stderr = err.decode("utf-8", "replace")
        if process.returncode == 255:
            raise HostUnreachable(self.name, ssh_reason(stderr, self.destination))
        return TmuxResult(process.returncode or 0, after_mark(out.decode("utf-8", "replace")),
                          stderr)

    async def aclose(self) -> None:
        """Nothing to let go: the shared connection ends by itself (`ControlPersist`)."""


def _terminate(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        try:
            os.kill(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def ssh_runner_of(runner: TmuxRunner) -> SshTmuxRunner | None:
    """The `SshTmuxRunner` under `runner` (itself, or a control-mode runner's fallback); None
    for a server on this machine."""
    base = runner.process_runner
    return base if isinstance(base, SshTmuxRunner) else None


def ssh_control_runner(runner: SshTmuxRunner, *, retry_after: float = 5.0
                       ) -> ControlModeRunner:
    """The host's runner for the poll loop: its reads through one long-lived `tmux -C` client
    over ssh, everything else through `runner`."""
    return ControlModeRunner(runner, retry_after=retry_after)
