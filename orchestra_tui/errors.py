"""Errors a person can act on. The CLI prints `str(error)` as one line and exits non-zero."""

from enum import StrEnum


class OrchestraError(Exception):
    """Base of every error that is shown to the person rather than raised as a traceback."""


class ConfigError(OrchestraError):
    """A config file is broken; the message names the file, the line and the key."""


class TmuxUnavailable(OrchestraError):
    """No tmux server answers on the chosen socket (never started, killed, or socket gone)."""


class TmuxCommandError(OrchestraError):
    """tmux answered but refused a command (unknown pane, bad target, ...)."""


class AgentNotFound(OrchestraError):
    """No configured agent or pane matches the name or pane id given."""


class ErrorKind(StrEnum):
    """Which failure a `GitHubError` is: what the screens show, the journal keeps and callers
    decide on (a `StrEnum`: it is its own name in JSON and equals the string)."""

    AUTH = "auth"
    RATE_LIMITED = "rate_limited"
    NOT_FOUND = "not_found"
    NOT_MERGEABLE = "not_mergeable"
    HEAD_MOVED = "head_moved"
    NOT_READY = "not_ready"  # refused before GitHub was asked: the gate is not ready
    NO_REASON = "no_reason"  # an admin merge without its typed reason
    SERVER = "server"
    TIMEOUT = "timeout"
    NETWORK = "network"
    ERROR = "error"


class GitHubError(OrchestraError):
    """GitHub refused or failed a request; `kind` says which state the UI shows."""

    def __init__(self, message: str, *, kind: ErrorKind | str = ErrorKind.ERROR,
                 status: int | None = None, reset_at: float | None = None) -> None:
        super().__init__(message)
        self.kind = ErrorKind(kind)
        self.status = status
        self.reset_at = reset_at


class UsageError(OrchestraError):
    """The command line itself is wrong (unknown command or option, a bad value): exit 2."""
