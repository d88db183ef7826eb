"""orchestra: a terminal control plane for one person running several AI coding agents in tmux."""

__version__ = "0.3.0"
