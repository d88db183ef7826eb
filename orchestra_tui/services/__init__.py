"""All I/O lives here: tmux (here and on `[[host]]`s over ssh), GitHub, the stores on disk, git
worktrees, the agents' hooks. What the layers above may ask is declared in `ports.py`; the
services are built from the config in `orchestra_tui.bootstrap`, the one composition root."""
