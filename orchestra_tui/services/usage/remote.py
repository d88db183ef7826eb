"""A host's session record files, read through ssh: the same two questions as this machine's
(files.py), each one round trip over the host's shared ssh connection, with the ssh command
line of that host's tmux runner (its options, batch mode, connection sharing).

Only POSIX sh, `find`, `wc`, `tail`, `head` and `base64` run there. A listing is one `find`
per folder (`wc -c` gives the sizes); a read sends each wanted part of a file as one base64 line
(whatever its bytes, it cannot break the framing), so a hostile file costs at most the length
asked. ssh failing is a `SessionRecordsError` naming the host and why, never a traceback.

>>> parse_sizes("  120 /h/.claude/projects/-x/a.jsonl\\n 7 /h/b c.jsonl\\n  127 total\\n")
{'/h/.claude/projects/-x/a.jsonl': 120, '/h/b c.jsonl': 7}
"""

from __future__ import annotations

import base64
import binascii
import re
import shlex
import subprocess
from collections.abc import Sequence

from orchestra_tui.errors import OrchestraError
from orchestra_tui.services.tmux.port import TmuxPort
from orchestra_tui.services.tmux.ssh import after_mark, marked, ssh_reason, ssh_runner_of
from orchestra_tui.services.usage.files import Listing, Want

__all__ = ["SessionRecordsError", "SshSessionFiles", "parse_sizes"]

TIMEOUT = 30.0

# $1 $2 $3...: folder (under $HOME), depth, name pattern; for each, every regular file's size.
LIST_SCRIPT = r"""
while [ "$#" -ge 3 ]; do
  dir=$HOME/$1 depth=$2 name=$3
  shift 3
  [ -d "$dir" ] || continue
  find "$dir" -mindepth "$depth" -maxdepth "$depth" -type f -name "$name" \
    -exec wc -c {} + 2>/dev/null
done
exit 0
"""

# $1 $2 $3...: file (`~/` for the home folder), offset, length; one base64 line for each.
READ_SCRIPT = r"""
while [ "$#" -ge 3 ]; do
  file=$1 offset=$2 length=$3
  shift 3
  case $file in "~/"*) file=$HOME/${file#"~/"} ;; esac
  if [ -f "$file" ]; then
    tail -c +"$((offset + 1))" -- "$file" 2>/dev/null | head -c "$length" | base64 | tr -d '\n'
  fi
  echo
done
"""

_SIZE = re.compile(r"\s*(\d+) (.+)")


class SessionRecordsError(OrchestraError):
    """The session records of a host could not be read; one line for the person."""


def parse_sizes(out: str) -> dict[str, int]:
    """`wc -c`'s lines as file -> size; its `total` lines left out."""
    found: dict[str, int] = {}
    for line in out.splitlines():
        match = _SIZE.fullmatch(line)
        if match and match.group(2) != "total":
            found[match.group(2)] = int(match.group(1))
    return found


class SshSessionFiles:
    """The session record files of `host`, reached with `ssh_argv` (ssh and its options up to
    the destination)."""

    def __init__(self, host: str, ssh_argv: Sequence[str], *, timeout: float = TIMEOUT) -> None:
        self.host = host
        self.ssh_argv = list(ssh_argv)
        self.timeout = timeout
        self.bytes_read = 0

    @classmethod
    def for_tmux(cls, host: str, service: TmuxPort) -> SshSessionFiles:
        """The files of the machine `service` (a TmuxService over ssh) runs tmux on. Raises
        ValueError when it does not run tmux over ssh."""
        ssh = ssh_runner_of(service.runner)
        if ssh is None:
            raise ValueError("its tmux is not reached through ssh")
        return cls(host, ssh.ssh_argv())

    def in_home(self, relative: str) -> str:
        return "~/" + relative

    def sizes(self, listings: Sequence[Listing]) -> dict[str, int]:
        args = [str(part) for listing in listings
                for part in (listing.folder, listing.depth, listing.name)]
        return parse_sizes(self._run(LIST_SCRIPT, args, "listing its session records"))

    def read(self, wants: Sequence[Want]) -> list[bytes]:
        if not wants:
            return []
        args = [str(part) for want in wants for part in want]
        lines = self._run(READ_SCRIPT, args, "reading its session records").split("\n")
        chunks = []
        for index in range(len(wants)):
            try:
                chunk = base64.b64decode(lines[index], validate=True) if index < len(lines) \
                    else b""
            except (binascii.Error, ValueError):
                chunk = b""  # not what the script prints: read again next time
            self.bytes_read += len(chunk)
            chunks.append(chunk)
        return chunks

    def _run(self, script: str, args: Sequence[str], what: str) -> str:
        line = marked(f"sh -c {shlex.quote(script)} sh {shlex.join(args)}")
        try:
            done = subprocess.run([*self.ssh_argv, line], stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=self.timeout,
                                  start_new_session=True)  # ssh can never prompt here
        except FileNotFoundError:
            raise SessionRecordsError(f"host {self.host}: ssh is not installed here") from None
        except subprocess.TimeoutExpired:
            raise SessionRecordsError(f"host {self.host}: {what} took longer than "
                                      f"{self.timeout:g}s; stopped it") from None
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode == 255:
            raise SessionRecordsError(f"host {self.host}: {ssh_reason(stderr)}")
        if done.returncode != 0:
            said = [text for text in stderr.splitlines() if text.strip()]
            raise SessionRecordsError(f"host {self.host}: {what} failed "
                                      f"({said[-1] if said else f'exit {done.returncode}'})")
        return after_mark(done.stdout.decode("utf-8", "replace"))
