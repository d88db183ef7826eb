"""Where an agent's lifecycle happens: this machine, or a `[[host]]` reached with ssh. The tmux
of a host is the router's service for it; git there runs through the ssh command line of that
same service's runner (`worktrees.SshGitRunner`), so options, batch mode and the shared
connection are the host's own.
"""

from __future__ import annotations

from pathlib import Path

from orchestra_tui.errors import OrchestraError
from orchestra_tui.paths import display_path
from orchestra_tui.services.git import worktrees
from orchestra_tui.services.tmux.port import TmuxPort

__all__ = ["LifecycleError", "git_runner", "shown", "tmux_on"]


class LifecycleError(OrchestraError):
    """A lifecycle step refused or failed; one line for the person."""


def tmux_on(tmux: TmuxPort, host: str) -> TmuxPort:
    """The TmuxService of `host` ("": `tmux` itself), its pane ids unqualified."""
    if not host:
        return tmux
    try:
        return tmux.service(host)
    except OrchestraError as error:
        raise LifecycleError(str(error)) from None


def git_runner(tmux: TmuxPort, host: str) -> worktrees.GitRunner:
    """Where git runs for an agent on `host`: here, or there through the ssh of that host's
    tmux runner."""
    if not host:
        return worktrees.LOCAL_GIT
    try:
        return worktrees.SshGitRunner.for_tmux(host, tmux_on(tmux, host))
    except ValueError as error:
        raise LifecycleError(f"host {host}: {error}") from None


def shown(path: Path | str, host: str) -> str:
    """A path for a message: `~/...` here, as it is on a host (whose home may differ)."""
    return f"{path} on host {host}" if host else display_path(Path(path))
