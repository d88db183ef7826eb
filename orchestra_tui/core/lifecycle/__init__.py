"""An agent's life: new (worktree and session), up, restart with a handoff, retire; here or on a
host."""
