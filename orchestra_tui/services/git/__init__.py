"""git, for agents that work in their own worktree: worktrees and an agent's branch figures."""
