"""Real git repositories for the diff view's tests: a `main` with two files, then a branch with
a commit, an uncommitted edit, a staged new file and an untracked one."""

from __future__ import annotations

import os
import pathlib
import subprocess

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_AUTHOR_DATE": "2026-01-05T09:00:00Z", "GIT_COMMITTER_DATE": "2026-01-05T09:00:00Z"}

HANDLERS = "".join(f"line {n}\n" for n in range(1, 40)) + (
    "def retry_loop():\n    for attempt in range(10):\n        send()\n") + "".join(
    f"tail {n}\n" for n in range(1, 20))


def git(where: pathlib.Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(where), *args], check=True, capture_output=True,
                          text=True, env=GIT_ENV).stdout


def make_repo(root: pathlib.Path) -> pathlib.Path:
    """The agent's worktree on branch `feat`, its base `main`."""
    repo = root / "shop"
    (repo / "api").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "api" / "handlers.py").write_text(HANDLERS)
    (repo / "README.md").write_text("# shop\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "feat")
    text = HANDLERS.replace("range(10)", "range(3)")  # committed
    (repo / "api" / "handlers.py").write_text(text)
    git(repo, "commit", "-qam", "fewer retries")
    (repo / "README.md").write_text("# shop\n\nRetries: 3.\n")  # uncommitted
    (repo / "api" / "backoff.py").write_text("DELAY = 2\n")  # staged, new
    git(repo, "add", "api/backoff.py")
    (repo / "notes.txt").write_text("todo\n")  # untracked
    return repo
