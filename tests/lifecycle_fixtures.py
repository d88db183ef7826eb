"""Real git repositories in temporary folders for the lifecycle tests: a bare "remote", the
lane's clone of it, and a second clone standing for everyone else (who pushes to main and merges
branches); a repository with no remote; and a Lifecycle over real tmux, the simulated agent as
the lane's command, and a data dir of its own."""

from __future__ import annotations

import pathlib
import shlex
import subprocess
from dataclasses import dataclass, field
from typing import Any

import pytest

from orchestra_tui.config import parse_config
from orchestra_tui.core.lifecycle.lifecycle import Lifecycle
from orchestra_tui.services.store.agents_registry import AgentsRegistry
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.tmux_fixtures import fake_agent_argv

__all__ = ["Repos", "World", "commit_file", "config_text", "git", "lane_command", "local_repo",
           "make_world", "repos"]

_IDENTITY = ["-c", "user.name=Test Person", "-c", "user.email=test@example.com",
             "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]


def git(cwd: pathlib.Path | str, *args: str) -> str:
    """Run git in `cwd` for the test's own set-up; its output, stripped."""
    done = subprocess.run(["git", *_IDENTITY, "-C", str(cwd), *args], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} in {cwd}: {done.stderr.strip()}")
    return done.stdout.strip()


def commit_file(repo: pathlib.Path | str, name: str, text: str, message: str) -> str:
    (pathlib.Path(repo) / name).write_text(text, encoding="utf-8")
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class Repos:
    remote: pathlib.Path  # bare
    clone: pathlib.Path  # the lane's `path`
    other: pathlib.Path  # everyone else's clone: pushes to main, merges


@pytest.fixture
def repos(tmp_path: pathlib.Path) -> Repos:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    git(other, "checkout", "-q", "-b", "main")
    commit_file(other, "README.md", "shop\n", "first")
    git(other, "push", "-q", "origin", "main")
    clone = tmp_path / "shop"
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    return Repos(remote=remote, clone=clone, other=other)


@pytest.fixture
def local_repo(tmp_path: pathlib.Path) -> pathlib.Path:
    """A repository with no remote (a person's experiment)."""
    repo = tmp_path / "local"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit_file(repo, "README.md", "local\n", "first")
    return repo


def lane_command(log: pathlib.Path, *, work: float = 0.3) -> str:
    return shlex.join(fake_agent_argv("codex", log, work=work))


def config_text(clone: pathlib.Path, log: pathlib.Path, *, repo: str = "acme/shop",
                extra: str = "", command: str | None = None) -> str:
    command = command if command is not None else lane_command(log)
    return (f'[[lane]]\nname = "shop"\nrepo = "{repo}"\npath = "{clone}"\n'
            f'branch = "codex/*"\ncommand = {command!r}\npolicy = "all changes via PRs"\n'
            + extra)


@dataclass
class World:
    """A Lifecycle and what it writes to, for assertions."""

    lifecycle: Lifecycle
    registry: AgentsRegistry
    store: QueueStore
    journal: Journal
    data: pathlib.Path
    log: pathlib.Path
    extra: dict[str, Any] = field(default_factory=dict)

    def events(self, *names: str) -> list[dict]:
        return self.journal.read(events=names)


def make_world(tmux, tmp_path: pathlib.Path, clone: pathlib.Path, *, text: str | None = None,
               ready_timeout: float = 30.0, issue_lookup=None, log_name: str = "prompts.jsonl",
               repo: str = "acme/shop") -> World:
    data = tmp_path / "data"
    log = tmp_path / log_name
    config = parse_config(text if text is not None else config_text(clone, log, repo=repo),
                          tmp_path / "config.toml")
    store = QueueStore(data)
    store.load()
    registry = AgentsRegistry(data)
    journal = Journal(data / "journal.jsonl")
    lifecycle = Lifecycle(config, tmux=tmux, registry=registry, worktrees_dir=data / "worktrees",
                          store=store, journal=journal, issue_lookup=issue_lookup,
                          ready_timeout=ready_timeout, settle=0.3)
    return World(lifecycle, registry, store, journal, data, log)
