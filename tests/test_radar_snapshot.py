"""The radar's worktree snapshot takes in new untracked files (issue 23, item 5): two agents
that each create the same new file with different content are a predicted conflict on it, the
same content is none, ignored files stay out, and the worktree (its files, its index byte for
byte, its stash list, its refs) is as it was after, for hostile names, a huge new binary, a HEAD
that moves while the snapshot is made, and a worktree on another machine (one ssh round trip).
Real git everywhere."""

from __future__ import annotations

import hashlib
import os
import pathlib
import subprocess

import pytest

from orchestra_tui.pr_facts import PredictedConflict
from orchestra_tui.services.git.merge_tree import predict_merge, snapshot_worktree
from orchestra_tui.services.git.worktrees import GitError, SshGitRunner
from tests.ssh_fixtures import *  # noqa: F403
from tests.ssh_fixtures import ALIAS, needs_sshd
from tests.test_pr_loop import git, new_repo
from tests.test_radar import fleet_over
from tests.tmux_fixtures import *  # noqa: F403

HOSTILE = ("a b.py", "new\nline.py", "ünïcødé ✓.py", "-rf", "*.py", "[x].py")


def clone_with_worktrees(tmp_path: pathlib.Path, *names: str) -> dict[str, pathlib.Path]:
    clone = tmp_path / "shop"
    new_repo(clone)
    (clone / ".gitignore").write_text("build/\n*.log\n")
    git(clone, "add", ".gitignore")
    git(clone, "commit", "-qm", "ignore build output")
    trees = {}
    for name in names:
        trees[name] = tmp_path / f"wt-{name}"
        git(clone, "worktree", "add", "-q", "-b", f"agent/{name}", str(trees[name]), "main")
    return trees


def look(where: pathlib.Path, *args: str) -> str:
    """git that writes nothing (`git status` would otherwise refresh the index it reads)."""
    return subprocess.run(["git", "-C", str(where), *args], check=True, capture_output=True,
                          text=True, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"}).stdout


def state_of(worktree: pathlib.Path) -> dict[str, object]:
    """Everything a snapshot must leave as it was: each file's bytes (ignored and untracked
    ones too), the index's bytes, the stash list, every ref and HEAD."""
    files = {}
    for path in sorted(worktree.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[str(path.relative_to(worktree))] = hashlib.sha256(path.read_bytes()).hexdigest()
    index = pathlib.Path(look(worktree, "rev-parse", "--path-format=absolute",
                              "--git-path", "index").strip())
    return {"files": files, "index": index.read_bytes(), "stash": look(worktree, "stash", "list"),
            "refs": look(worktree, "for-each-ref"), "head": look(worktree, "rev-parse", "HEAD"),
            "status": look(worktree, "status", "--porcelain", "-z")}


def tree_names(where: pathlib.Path, commit: str) -> set[str]:
    listed = git(where, "ls-tree", "-r", "-z", "--name-only", commit)
    return {name for name in listed.split("\0") if name}


async def test_the_same_new_file_with_different_content_is_a_conflict_and_equal_is_none(
        tmux, tmp_path) -> None:
    trees = clone_with_worktrees(tmp_path, "a", "b", "c", "d")
    (trees["a"] / "rates.py").write_text("RATE = 2\n")  # new in both, never added
    (trees["b"] / "rates.py").write_text("RATE = 9\n")
    (trees["c"] / "shipping.py").write_text("FREE = 50\n")  # the same new file, same bytes
    (trees["d"] / "shipping.py").write_text("FREE = 50\n")
    for name, path in trees.items():  # ignored output differs everywhere: no conflict on it
        (path / "build").mkdir()
        (path / "build" / "out.bin").write_bytes(name.encode() * 100)
        (path / "run.log").write_text(f"{name}\n")
    before = {name: state_of(path) for name, path in trees.items()}
    fleet = fleet_over(tmux, trees)
    await fleet.refresh_work()
    found = await fleet.fleet_work.radar.scan()
    assert found == {"a": (PredictedConflict("b", ("rates.py",), 1, 1, "agent/a", "agent/b"),),
                     "b": (PredictedConflict("a", ("rates.py",), 1, 1, "agent/b", "agent/a"),)}
    assert {name: state_of(path) for name, path in trees.items()} == before
    snapshot = await snapshot_worktree(trees["a"], "main")
    assert snapshot is not None and snapshot.files == {"rates.py"}
    assert tree_names(trees["a"], snapshot.commit) == {".gitignore", "README.md", "cart.py",
                                                       "pricing.py", "rates.py"}
    again = await snapshot_worktree(trees["a"], "main")
    assert again == snapshot  # the same files on the same HEAD: the same commit


async def test_hostile_names_and_a_huge_new_binary_leave_the_worktree_byte_identical(
        tmp_path) -> None:
    trees = clone_with_worktrees(tmp_path, "a", "b")
    for n, name in enumerate(HOSTILE):
        (trees["a"] / name).write_text(f"a {n}\n")
        (trees["b"] / name).write_text(f"b {n}\n")
    (trees["a"] / "pricing.py").write_text("RATE = 3\nROUND = 2\n")
    git(trees["a"], "add", "pricing.py")  # staged, then edited again: the worktree's bytes win
    (trees["a"] / "pricing.py").write_text("RATE = 4\nROUND = 2\n")
    huge = trees["a"] / "dump.bin"
    with huge.open("wb") as handle:  # 64 MiB, a binary header on zeros
        handle.write(os.urandom(4096))
        handle.truncate(64 * 1024 * 1024)
    git(trees["a"], "stash", "list")
    clone = tmp_path / "shop"
    objects_before = git(clone, "count-objects", "-v")
    before = state_of(trees["a"])
    snapshot = await snapshot_worktree(trees["a"], "main")
    assert state_of(trees["a"]) == before
    assert snapshot is not None
    assert snapshot.files == {*HOSTILE, "pricing.py"}  # the huge binary is left out
    assert snapshot.lines["pricing.py"] == 2 and snapshot.lines["new\nline.py"] == 1
    assert git(trees["a"], "show", f"{snapshot.commit}:pricing.py") == "RATE = 4\nROUND = 2"
    size = {line.split(": ")[0]: int(line.split(": ")[1])
            for line in git(clone, "count-objects", "-v").splitlines()}
    was = {line.split(": ")[0]: int(line.split(": ")[1]) for line in objects_before.splitlines()}
    assert size["size"] + size["size-pack"] - was["size"] - was["size-pack"] < 1024  # KiB
    other = await snapshot_worktree(trees["b"], "main")
    assert other is not None
    merged = await predict_merge(clone, snapshot.commit, other.commit)
    assert merged is not None and set(merged.files) == set(HOSTILE)
    # Under the limit, a new binary is in; one byte over, it is not.
    small = await snapshot_worktree(trees["a"], "main", max_new_bytes=huge.stat().st_size)
    assert small is not None and "dump.bin" in small.files and small.lines["dump.bin"] == 0
    assert state_of(trees["a"]) == before
    assert git(clone, "stash", "list") == ""


async def test_a_head_that_moves_while_the_snapshot_is_made(tmp_path, monkeypatch) -> None:
    """The agent commits between the snapshot's reading of HEAD and of the index (a `mktemp`
    on PATH that commits first): the snapshot still holds the worktree's files as they are,
    the commit the agent made is kept, and nothing else moved."""
    trees = clone_with_worktrees(tmp_path, "a", "b")
    (trees["a"] / "pricing.py").write_text("RATE = 2\nROUND = 2\n")
    (trees["a"] / "rates.py").write_text("RATE = 2\n")  # new, untracked throughout
    (trees["b"] / "rates.py").write_text("RATE = 9\n")
    shim = tmp_path / "shim"
    shim.mkdir()
    real = subprocess.run(["sh", "-c", "command -v mktemp"], capture_output=True, text=True,
                          check=True).stdout.strip()
    (shim / "mktemp").write_text(
        "#!/bin/sh\n"
        f"git -C '{trees['a']}' commit -qam 'the agent commits' >/dev/null 2>&1\n"
        f"exec {real} \"$@\"\n")
    (shim / "mktemp").chmod(0o755)
    old_head = git(trees["a"], "rev-parse", "HEAD")
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")
    moving = await snapshot_worktree(trees["a"], "main")
    monkeypatch.undo()
    assert git(trees["a"], "rev-parse", "HEAD") != old_head  # the agent's commit landed
    assert git(trees["a"], "log", "-1", "--format=%s") == "the agent commits"
    assert moving is not None and moving.files == {"pricing.py", "rates.py"}
    assert git(trees["a"], "show", f"{moving.commit}:pricing.py") == "RATE = 2\nROUND = 2"
    settled = await snapshot_worktree(trees["a"], "main")
    assert settled is not None
    assert git(trees["a"], "rev-parse", f"{moving.commit}^{{tree}}") == git(
        trees["a"], "rev-parse", f"{settled.commit}^{{tree}}")  # the same files either way
    before = state_of(trees["a"])
    await snapshot_worktree(trees["a"], "main")
    assert state_of(trees["a"]) == before
    other = await snapshot_worktree(trees["b"], "main")
    assert other is not None
    merged = await predict_merge(trees["a"], moving.commit, other.commit)
    assert merged is not None and merged.files == ("rates.py",)


class CountingSsh(SshGitRunner):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.trips = 0

    def _ssh(self, line: str, what: str, timeout: float):
        self.trips += 1
        return super()._ssh(line, what, timeout)


@needs_sshd
async def test_a_worktree_on_a_host_is_snapshot_in_one_ssh_round_trip(ssh_host,
                                                                      tmp_path) -> None:
    trees = clone_with_worktrees(tmp_path, "a", "b")
    (trees["a"] / "new file ✓.py").write_text("A = 1\n")
    (trees["b"] / "new file ✓.py").write_text("A = 2\n")
    (trees["a"] / "build").mkdir()
    (trees["a"] / "build" / "x.o").write_bytes(b"\0" * 10)
    before = state_of(trees["a"])
    there = CountingSsh("gpu", ["ssh", *ssh_host.ssh_options, ALIAS])
    snapshot = await snapshot_worktree(str(trees["a"]), "main", runner=there)
    assert there.trips == 1
    assert snapshot is not None and snapshot.files == {"new file ✓.py"}
    assert snapshot.clone == str(tmp_path / "shop" / ".git")
    assert state_of(trees["a"]) == before
    other = await snapshot_worktree(str(trees["b"]), "main", runner=there)
    assert other is not None
    merged = await predict_merge(trees["a"], snapshot.commit, other.commit, runner=there)
    assert merged is not None and merged.files == ("new file ✓.py",)


async def test_a_worktree_with_no_commit_yet_or_an_unknown_base(tmp_path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    (empty / "x.py").write_text("x\n")
    assert await snapshot_worktree(empty, "main") is None
    trees = clone_with_worktrees(tmp_path, "a")
    with pytest.raises(GitError, match="snapshot"):
        await snapshot_worktree(trees["a"], "no-such-base")
    with pytest.raises(GitError):
        await snapshot_worktree(tmp_path / "gone", "main")


def test_the_snapshot_and_merge_parsers_keep_their_examples() -> None:
    import doctest

    from orchestra_tui.services.git import merge_tree

    result = doctest.testmod(merge_tree)
    assert result.attempted >= 4 and result.failed == 0
