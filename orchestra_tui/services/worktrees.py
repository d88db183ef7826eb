"""git, for agents that work in their own worktree: the only module that runs `git`.

Everything is async (git runs in a worker thread, never a blocking call on the event loop) and
returns plain values or models. git's own refusals become `GitError` with git's first line, so a
command can print one line. git never prompts: `GIT_TERMINAL_PROMPT=0` and no stdin, so a fetch
that needs a password fails instead of hanging.

>>> parse_shortstat(" 3 files changed, 10 insertions(+), 2 deletions(-)")
(3, 10, 2)
>>> parse_shortstat(" 1 file changed, 1 deletion(-)")
(1, 0, 1)
>>> parse_shortstat("")
(0, 0, 0)
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import BranchFigures

__all__ = ["GitError", "WorktreeState", "add_worktree", "branch_exists", "current_branch",
           "default_base", "delete_branch", "fetch_remote", "figures", "head_commit", "is_merged",
           "parse_shortstat", "remove_worktree", "repository_root", "valid_branch_name",
           "worktree_state"]

GIT_TIMEOUT = 30.0
FETCH_TIMEOUT = 60.0
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


class GitError(OrchestraError):
    """git refused or could not run; the message is git's first line."""


@dataclass(frozen=True)
class _Result:
    returncode: int
    stdout: str
    stderr: str


async def _git(cwd: str | Path, *args: str, check: bool = True, timeout: float = GIT_TIMEOUT,
               env: dict[str, str] | None = None) -> _Result:
    # A thread, not an asyncio subprocess: a task cancelled while asyncio starts a child can
    # leave the loop's shutdown waiting for it forever (one-shot commands end that way).
    result = await asyncio.to_thread(_run, str(cwd), args, timeout, env or {})
    if check and result.returncode != 0:
        raise GitError(f"git {args[0]}: {_first_line(result.stderr) or 'failed'}")
    return result


def _run(cwd: str, args: tuple[str, ...], timeout: float, env: dict[str, str]) -> _Result:
    try:
        done = subprocess.run(["git", "-C", cwd, *args], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout,
                              env={**os.environ, **_ENV, **env})
    except FileNotFoundError:
        raise GitError("git is not installed (no `git` on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {timeout:g}s; stopped it") from None
    return _Result(done.returncode, done.stdout.decode("utf-8", "replace"),
                   done.stderr.decode("utf-8", "replace"))


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""


# -- repositories and branches ------------------------------------------------------------------


async def repository_root(path: str | Path) -> Path | None:
    """The top of the (non-bare) git working tree `path` is in, or None when it is not one."""
    if not Path(path).is_dir():
        return None
    result = await _git(path, "rev-parse", "--show-toplevel", check=False)
    top = result.stdout.strip()
    return Path(top) if result.returncode == 0 and top else None


async def valid_branch_name(clone: str | Path, name: str) -> bool:
    result = await _git(clone, "check-ref-format", "--branch", name, check=False)
    return result.returncode == 0


async def branch_exists(clone: str | Path, name: str) -> bool:
    result = await _git(clone, "show-ref", "--verify", "--quiet", f"refs/heads/{name}",
                        check=False)
    return result.returncode == 0


async def _ref_exists(clone: str | Path, ref: str) -> bool:
    result = await _git(clone, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                        check=False)
    return result.returncode == 0


async def head_commit(where: str | Path, ref: str = "HEAD") -> str:
    """The commit `ref` names there, "" when none."""
    result = await _git(where, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                        check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


async def current_branch(worktree: str | Path) -> str:
    """The branch checked out there; "" when HEAD is detached."""
    result = await _git(worktree, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


async def _remote(clone: str | Path) -> str | None:
    names = (await _git(clone, "remote")).stdout.split()
    return "origin" if "origin" in names else (names[0] if names else None)


async def fetch_remote(clone: str | Path) -> str:
    """Fetch the clone's remote (`origin`, else its first); "" when that worked or there is no
    remote, else a note saying that what was fetched before is used."""
    remote = await _remote(clone)
    if remote is None:
        return ""
    try:
        await _git(clone, "fetch", "--quiet", "--prune", remote, timeout=FETCH_TIMEOUT)
    except GitError as error:
        return f"could not fetch {remote} ({error}); using what was fetched before"
    return ""


async def default_base(clone: str | Path, *, fetch: bool = True) -> tuple[str, str]:
    """`(base, note)`: the ref a new branch starts from and, when something went wrong that the
    person should hear about, a note. With a remote: its default branch as just fetched
    (`origin/main`); a fetch that fails falls back to what was fetched before, saying so.
    Without one: the local `main`, `master`, or the branch checked out."""
    remote = await _remote(clone)
    note = await fetch_remote(clone) if fetch and remote is not None else ""
    if remote is not None:
        head = await _git(clone, "symbolic-ref", "--quiet", "--short",
                          f"refs/remotes/{remote}/HEAD", check=False)
        candidates = [head.stdout.strip()] if head.returncode == 0 else []
        if not candidates and fetch and not note:
            listed = await _git(clone, "ls-remote", "--symref", remote, "HEAD", check=False,
                                timeout=FETCH_TIMEOUT)
            match = re.search(r"^ref: refs/heads/(\S+)\s+HEAD", listed.stdout, re.M)
            candidates = [f"{remote}/{match[1]}"] if match else []
        candidates += [f"{remote}/main", f"{remote}/master"]
        for candidate in candidates:
            if candidate and await _ref_exists(clone, f"refs/remotes/{candidate}"):
                return candidate, note
    for local in ("main", "master"):
        if await branch_exists(clone, local):
            return local, note
    checked_out = await current_branch(clone)
    if checked_out:
        return checked_out, note
    raise GitError(f"{clone}: has no branch to start from (no commits yet?)")


async def add_worktree(clone: str | Path, path: str | Path, branch: str, base: str) -> None:
    """`git worktree add -b BRANCH PATH BASE`, the new branch tracking nothing (a branch that
    tracked `origin/main` would push there)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    await _git(clone, "worktree", "add", "--quiet", "--no-track", "-b", branch, str(path), base)


async def remove_worktree(clone: str | Path, path: str | Path, *, force: bool = False) -> None:
    """Remove the worktree (its files too); a worktree already gone is pruned from git's list."""
    if Path(path).exists():
        args = ["worktree", "remove"] + (["--force", "--force"] if force else []) + [str(path)]
        await _git(clone, *args)
    await _git(clone, "worktree", "prune", check=False)


async def delete_branch(clone: str | Path, branch: str) -> None:
    await _git(clone, "branch", "-D", "--quiet", branch)


# -- what an agent's worktree holds --------------------------------------------------------------


@dataclass(frozen=True)
class WorktreeState:
    """What retiring would throw away: uncommitted paths and commits on no remote branch."""

    uncommitted: tuple[str, ...] = ()  # `git status --porcelain` lines
    unpushed: tuple[str, ...] = ()  # short hashes of commits no remote branch nor base holds


async def worktree_state(worktree: str | Path, base: str) -> WorktreeState:
    status = await _git(worktree, "status", "--porcelain", "--untracked-files=normal")
    exclude = ["--not", "--remotes"] + ([base] if base and await _ref_exists(worktree, base)
                                        else [])
    unpushed = await _git(worktree, "rev-list", "--abbrev-commit", "HEAD", *exclude)
    return WorktreeState(uncommitted=tuple(line for line in status.stdout.splitlines() if line),
                         unpushed=tuple(unpushed.stdout.split()))


async def is_merged(clone: str | Path, branch: str, base: str) -> bool:
    """True when `branch`'s work is in `base`: its tip is an ancestor of `base` (merged), each
    of its commits is a patch `base` has (rebased onto it), or its whole change since they
    parted is one patch `base` already has (a squash merge, as GitHub's squash button
    makes)."""
    if not await _ref_exists(clone, base) or not await _ref_exists(clone, branch):
        return False
    ancestor = await _git(clone, "merge-base", "--is-ancestor", branch, base, check=False)
    if ancestor.returncode == 0:
        return True
    cherry = await _git(clone, "cherry", base, branch, check=False)
    replayed = cherry.stdout.split()[::2]  # "-" or "+" per commit, then its hash
    if cherry.returncode == 0 and replayed and set(replayed) == {"-"}:
        return True  # every commit is in `base` as an equal patch (a rebase merge)
    fork = (await _git(clone, "merge-base", base, branch, check=False)).stdout.strip()
    if not fork:
        return False
    squashed = await _git(clone, "commit-tree", f"{branch}^{{tree}}", "-p", fork,
                          "-m", "orchestra: squash check", check=False)
    if squashed.returncode != 0:
        return False
    cherry = await _git(clone, "cherry", base, squashed.stdout.strip(), check=False)
    return cherry.returncode == 0 and cherry.stdout.startswith("-")


_SHORTSTAT = re.compile(r"(\d+) (file|insertion|deletion)")


def parse_shortstat(text: str) -> tuple[int, int, int]:
    """`(files changed, insertions, deletions)` from `git diff --shortstat`."""
    found = {kind: int(count) for count, kind in _SHORTSTAT.findall(text)}
    return found.get("file", 0), found.get("insertion", 0), found.get("deletion", 0)


async def _shortstat(worktree: str | Path, fork: str) -> str:
    """`git diff --shortstat FORK` of the working tree, new files counted too: they are marked
    intent-to-add in a copy of the index (the real one, and the object store, stay as they
    are)."""
    index = (await _git(worktree, "rev-parse", "--path-format=absolute", "--git-path",
                        "index")).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="orchestra-index-") as scratch:
        copy = Path(scratch) / "index"
        if Path(index).exists():
            await asyncio.to_thread(shutil.copyfile, index, copy)
        env = {"GIT_INDEX_FILE": str(copy)}
        await _git(worktree, "add", "--intent-to-add", "--all", env=env, check=False)
        return (await _git(worktree, "diff", "--shortstat", fork, env=env)).stdout


async def figures(worktree: str | Path, base: str | None = None, start: str = ""
                  ) -> BranchFigures | None:
    """The agent's work at a glance: its branch, commits ahead of and behind `base` (default:
    the clone's default branch as last fetched, never fetched here) and the files changed
    since it left `base`, uncommitted edits and new files included; with `start` (the commit
    the branch was made at), whether work it made since is merged. None when `worktree` is
    no git tree."""
    if await repository_root(worktree) is None:
        return None
    branch = await current_branch(worktree)
    if not base:
        try:
            base, _ = await default_base(worktree, fetch=False)
        except GitError:
            base = ""
    if not base or not await _ref_exists(worktree, base):
        return BranchFigures(branch=branch)
    counts = (await _git(worktree, "rev-list", "--left-right", "--count",
                         f"{base}...HEAD")).stdout.split()
    behind, ahead = (int(counts[0]), int(counts[1])) if len(counts) == 2 else (0, 0)
    fork = (await _git(worktree, "merge-base", base, "HEAD", check=False)).stdout.strip()
    files = insertions = deletions = 0
    if fork:
        files, insertions, deletions = parse_shortstat(await _shortstat(worktree, fork))
    merged = False
    if start and branch and await head_commit(worktree) not in ("", start):
        merged = await is_merged(worktree, branch, base)
    return BranchFigures(branch=branch, base=base, ahead=ahead, behind=behind,
                         files_changed=files, insertions=insertions, deletions=deletions,
                         merged=merged)
