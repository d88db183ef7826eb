"""git, for agents that work in their own worktree: the only module that runs `git`.

Everything is async (git runs in a worker thread, never a blocking call on the event loop) and
returns plain values or models. git's own refusals become `GitError` with git's first line, so a
command can print one line. git never prompts: `GIT_TERMINAL_PROMPT=0` and no stdin, so a fetch
that needs a password fails instead of hanging.

Where git runs is a `GitRunner` (the `runner=` of every function): this machine by default, or
another one through ssh (`SshGitRunner`, built on the ssh command line of that host's tmux
runner, so its options, batch mode and shared connection are the same ones). Branch figures
are in `git_figures`.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orchestra_tui.errors import OrchestraError

if TYPE_CHECKING:
    from orchestra_tui.services.tmux.port import TmuxPort

__all__ = ["LOCAL_GIT", "GitError", "GitRunner", "SshGitRunner", "WorktreeState", "add_worktree",
           "branch_exists", "current_branch", "default_base", "delete_branch", "fetch_remote",
           "head_commit", "is_merged", "ref_exists", "remote_path", "run_git",
           "remove_worktree", "repository_root", "valid_branch_name", "worktree_state"]

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


class GitRunner:
    """git on this machine: `git -C DIR ARGS` as a child process, in a worker thread."""

    host = ""  # "" is this machine

    def run(self, cwd: str, args: tuple[str, ...], timeout: float,
            env: dict[str, str]) -> _Result:
        try:
            done = subprocess.run(["git", "-C", cwd, *args], stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=timeout,
                                  env={**os.environ, **_ENV, **env})
        except FileNotFoundError:
            raise GitError("git is not installed (no `git` on PATH)") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took longer than {timeout:g}s; stopped it") from None
        return _decoded(done)

    def shell(self, cwd: str, script: str, args: Sequence[str], timeout: float) -> _Result:
        """`sh -c SCRIPT sh ARGS...` in `cwd`: a few git steps as one round trip (one ssh
        connection use on a host), with the arguments never spliced into the script."""
        try:
            done = subprocess.run(["sh", "-c", script, "sh", *args], cwd=cwd,
                                  stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=timeout, env={**os.environ, **_ENV})
        except FileNotFoundError as error:
            raise GitError(f"cannot run in {cwd}: {error.strerror}") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git took longer than {timeout:g}s; stopped it") from None
        return _decoded(done)

    def is_dir(self, path: str | Path) -> bool:
        return Path(path).is_dir()

    def make_parents(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)


class SshGitRunner(GitRunner):
    """git on another machine: `ssh_argv` (ssh and its options up to the destination, as the
    host's `SshTmuxRunner.ssh_argv()` gives them) then the command line for the shell there.
    ssh failing (exit 255) is a `GitError` naming the host and why."""

    def __init__(self, host: str, ssh_argv: Sequence[str]) -> None:
        self.host = host
        self.ssh_argv = list(ssh_argv)

    @classmethod
    def for_tmux(cls, host: str, service: TmuxPort) -> SshGitRunner:
        """git on the machine `service` (a TmuxService over ssh) runs tmux on, with the same
        ssh command line. Raises ValueError when it does not run tmux over ssh."""
        from orchestra_tui.services.tmux.ssh import ssh_runner_of

        ssh = ssh_runner_of(service.runner)
        if ssh is None:
            raise ValueError("its tmux is not reached through ssh")
        return cls(host, ssh.ssh_argv())

    def run(self, cwd: str, args: tuple[str, ...], timeout: float,
            env: dict[str, str]) -> _Result:
        settings = [f"{key}={value}" for key, value in {**_ENV, **env}.items()]
        line = "env " + shlex.join(settings) + " git -C " + remote_path(cwd)
        return self._ssh(line + " " + shlex.join(args), f"git {args[0]}", timeout)

    def shell(self, cwd: str, script: str, args: Sequence[str], timeout: float) -> _Result:
        settings = [f"{key}={value}" for key, value in _ENV.items()]
        line = (f"cd {remote_path(cwd)} && env {shlex.join(settings)} "
                f"sh -c {shlex.quote(script)} sh {shlex.join(args)}")
        return self._ssh(line, "git", timeout)

    def is_dir(self, path: str | Path) -> bool:
        return self._ssh(f"test -d {remote_path(str(path))}", "test -d",
                         GIT_TIMEOUT).returncode == 0

    def make_parents(self, path: str | Path) -> None:
        """Nothing: `git worktree add` makes the leading folders itself."""

    def _ssh(self, line: str, what: str, timeout: float) -> _Result:
        from orchestra_tui.services.tmux.ssh import ssh_reason

        try:
            done = subprocess.run([*self.ssh_argv, line], stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=timeout,
                                  start_new_session=True)  # ssh can never prompt here
        except FileNotFoundError:
            raise GitError(f"host {self.host}: ssh is not installed here") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"host {self.host}: {what} took longer than {timeout:g}s; "
                           "stopped it") from None
        result = _decoded(done)
        if result.returncode == 255:
            raise GitError(f"host {self.host}: {ssh_reason(result.stderr)}")
        if result.returncode == 127 and what.startswith("git"):
            raise GitError(f"host {self.host}: git is not installed there")
        return result


def remote_path(path: str) -> str:
    """`path` quoted for the shell of another machine, a leading `~` being its home there.

    >>> print(remote_path("~/src/my shop"), remote_path("/srv/x"))
    "$HOME"'/src/my shop' /srv/x
    """
    if path == "~" or path.startswith("~/"):
        return '"$HOME"' + (shlex.quote(path[1:]) if path[1:] else "")
    return shlex.quote(path)


def _decoded(done: subprocess.CompletedProcess[bytes]) -> _Result:
    return _Result(done.returncode, done.stdout.decode("utf-8", "replace"),
                   done.stderr.decode("utf-8", "replace"))


LOCAL_GIT = GitRunner()


async def run_git(cwd: str | Path, *args: str, check: bool = True, timeout: float = GIT_TIMEOUT,
               env: dict[str, str] | None = None, runner: GitRunner = LOCAL_GIT) -> _Result:
    # A thread, not an asyncio subprocess: a task cancelled while asyncio starts a child can
    # leave the loop's shutdown waiting for it forever (one-shot commands end that way).
    result = await asyncio.to_thread(runner.run, str(cwd), args, timeout, env or {})
    if check and result.returncode != 0:
        raise GitError(f"git {args[0]}: {_first_line(result.stderr) or 'failed'}")
    return result


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""


# -- repositories and branches ------------------------------------------------------------------


async def repository_root(path: str | Path, *,
                  runner: GitRunner = LOCAL_GIT) -> Path | None:
    """The top of the (non-bare) git working tree `path` is in, or None when it is not one."""
    if not await asyncio.to_thread(runner.is_dir, path):
        return None
    result = await run_git(path, "rev-parse", "--show-toplevel", check=False, runner=runner)
    top = result.stdout.strip()
    return Path(top) if result.returncode == 0 and top else None


async def valid_branch_name(clone: str | Path, name: str, *,
                  runner: GitRunner = LOCAL_GIT) -> bool:
    result = await run_git(clone, "check-ref-format", "--branch", name, check=False, runner=runner)
    return result.returncode == 0


async def branch_exists(clone: str | Path, name: str, *,
                  runner: GitRunner = LOCAL_GIT) -> bool:
    result = await run_git(clone, "show-ref", "--verify", "--quiet", f"refs/heads/{name}",
                        check=False, runner=runner)
    return result.returncode == 0


async def ref_exists(clone: str | Path, ref: str, *,
                  runner: GitRunner = LOCAL_GIT) -> bool:
    result = await run_git(clone, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                        check=False, runner=runner)
    return result.returncode == 0


async def head_commit(where: str | Path, ref: str = "HEAD", *,
                  runner: GitRunner = LOCAL_GIT) -> str:
    """The commit `ref` names there, "" when none."""
    result = await run_git(where, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                        check=False, runner=runner)
    return result.stdout.strip() if result.returncode == 0 else ""


async def current_branch(worktree: str | Path, *,
                  runner: GitRunner = LOCAL_GIT) -> str:
    """The branch checked out there; "" when HEAD is detached."""
    result = await run_git(worktree, "symbolic-ref", "--quiet", "--short", "HEAD", check=False,
                        runner=runner)
    return result.stdout.strip() if result.returncode == 0 else ""


async def _remote(clone: str | Path, *,
                  runner: GitRunner = LOCAL_GIT) -> str | None:
    names = (await run_git(clone, "remote", runner=runner)).stdout.split()
    return "origin" if "origin" in names else (names[0] if names else None)


async def fetch_remote(clone: str | Path, *,
                  runner: GitRunner = LOCAL_GIT) -> str:
    """Fetch the clone's remote (`origin`, else its first); "" when that worked or there is no
    remote, else a note saying that what was fetched before is used."""
    remote = await _remote(clone, runner=runner)
    if remote is None:
        return ""
    try:
        await run_git(clone, "fetch", "--quiet", "--prune", remote, timeout=FETCH_TIMEOUT,
                   runner=runner)
    except GitError as error:
        return f"could not fetch {remote} ({error}); using what was fetched before"
    return ""


async def default_base(clone: str | Path, *, fetch: bool = True,
        runner: GitRunner = LOCAL_GIT) -> tuple[str, str]:
    """`(base, note)`: the ref a new branch starts from and, when something went wrong that the
    person should hear about, a note. With a remote: its default branch as just fetched
    (`origin/main`); a fetch that fails falls back to what was fetched before, saying so.
    Without one: the local `main`, `master`, or the branch checked out."""
    remote = await _remote(clone, runner=runner)
    note = await fetch_remote(clone, runner=runner) if fetch and remote is not None else ""
    if remote is not None:
        head = await run_git(clone, "symbolic-ref", "--quiet", "--short",
                          f"refs/remotes/{remote}/HEAD", check=False, runner=runner)
        candidates = [head.stdout.strip()] if head.returncode == 0 else []
        if not candidates and fetch and not note:
            listed = await run_git(clone, "ls-remote", "--symref", remote, "HEAD", check=False,
                                timeout=FETCH_TIMEOUT, runner=runner)
            match = re.search(r"^ref: refs/heads/(\S+)\s+HEAD", listed.stdout, re.M)
            candidates = [f"{remote}/{match[1]}"] if match else []
        candidates += [f"{remote}/main", f"{remote}/master"]
        for candidate in candidates:
            if candidate and await ref_exists(clone, f"refs/remotes/{candidate}", runner=runner):
                return candidate, note
    for local in ("main", "master"):
        if await branch_exists(clone, local, runner=runner):
            return local, note
    checked_out = await current_branch(clone, runner=runner)
    if checked_out:
        return checked_out, note
    raise GitError(f"{clone}: has no branch to start from (no commits yet?)")


async def add_worktree(clone: str | Path, path: str | Path, branch: str, base: str, *,
                  runner: GitRunner = LOCAL_GIT) -> None:
    """`git worktree add -b BRANCH PATH BASE`, the new branch tracking nothing (a branch that
    tracked `origin/main` would push there)."""
    await asyncio.to_thread(runner.make_parents, path)
    await run_git(clone, "worktree", "add", "--quiet", "--no-track", "-b", branch, str(path), base,
               runner=runner)


async def remove_worktree(clone: str | Path, path: str | Path, *, force: bool = False,
        runner: GitRunner = LOCAL_GIT) -> None:
    """Remove the worktree (its files too); a worktree already gone is pruned from git's list."""
    if await asyncio.to_thread(runner.is_dir, path):
        args = ["worktree", "remove"] + (["--force", "--force"] if force else []) + [str(path)]
        await run_git(clone, *args, runner=runner)
    await run_git(clone, "worktree", "prune", check=False, runner=runner)


async def delete_branch(clone: str | Path, branch: str, *,
                  runner: GitRunner = LOCAL_GIT) -> None:
    await run_git(clone, "branch", "-D", "--quiet", branch, runner=runner)


# -- what an agent's worktree holds --------------------------------------------------------------


@dataclass(frozen=True)
class WorktreeState:
    """What retiring would throw away: uncommitted paths and commits on no remote branch."""

    uncommitted: tuple[str, ...] = ()  # `git status --porcelain` lines
    unpushed: tuple[str, ...] = ()  # short hashes of commits no remote branch nor base holds


async def worktree_state(worktree: str | Path, base: str, *,
                  runner: GitRunner = LOCAL_GIT) -> WorktreeState:
    status = await run_git(worktree, "status", "--porcelain", "--untracked-files=normal",
                        runner=runner)
    known_base = base and await ref_exists(worktree, base, runner=runner)
    exclude = ["--not", "--remotes"] + ([base] if known_base else [])
    unpushed = await run_git(worktree, "rev-list", "--abbrev-commit", "HEAD", *exclude,
                          runner=runner)
    return WorktreeState(uncommitted=tuple(line for line in status.stdout.splitlines() if line),
                         unpushed=tuple(unpushed.stdout.split()))


async def is_merged(clone: str | Path, branch: str, base: str, *,
                  runner: GitRunner = LOCAL_GIT) -> bool:
    """True when `branch`'s work is in `base`: its tip is an ancestor of `base` (merged), each
    of its commits is a patch `base` has (rebased onto it), or its whole change since they
    parted is one patch `base` already has (a squash merge, as GitHub's squash button
    makes)."""
    if not (await ref_exists(clone, base, runner=runner)
            and await ref_exists(clone, branch, runner=runner)):
        return False
    ancestor = await run_git(clone, "merge-base", "--is-ancestor", branch, base, check=False,
                          runner=runner)
    if ancestor.returncode == 0:
        return True
    cherry = await run_git(clone, "cherry", base, branch, check=False, runner=runner)
    replayed = cherry.stdout.split()[::2]  # "-" or "+" per commit, then its hash
    if cherry.returncode == 0 and replayed and set(replayed) == {"-"}:
        return True  # every commit is in `base` as an equal patch (a rebase merge)
    fork = (await run_git(clone, "merge-base", base, branch, check=False,
                       runner=runner)).stdout.strip()
    if not fork:
        return False
    squashed = await run_git(clone, "commit-tree", f"{branch}^{{tree}}", "-p", fork,
                          "-m", "orchestra: squash check", check=False, runner=runner)
    if squashed.returncode != 0:
        return False
    cherry = await run_git(clone, "cherry", base, squashed.stdout.strip(), check=False,
                           runner=runner)
    return cherry.returncode == 0 and cherry.stdout.startswith("-")
