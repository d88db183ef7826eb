"""Errors a person can act on. The CLI prints `str(error)` as one line and exits non-zero."""


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


class GitHubError(OrchestraError):
    """GitHub refused or failed a request; `kind` says which state the UI shows."""

    def __init__(self, message: str, *, kind: str = "error", status: int | None = None,
                 reset_at: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind  # auth, rate_limited, not_found, not_mergeable, head_moved, server,
        # timeout, network, error
        self.status = status
        self.reset_at = reset_at


class UsageError(OrchestraError):
    """The command line itself is wrong (unknown command or option, a bad value): exit 2."""
