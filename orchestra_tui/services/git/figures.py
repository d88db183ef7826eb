"""An agent's branch at a glance (`BranchFigures`), read where its worktree is: this machine or
a host through ssh (the `runner`). Reading changes nothing in the worktree: new files are
counted through a scratch copy of the index.

>>> parse_shortstat(" 3 files changed, 10 insertions(+), 2 deletions(-)")
(3, 10, 2)
>>> parse_shortstat(" 1 file changed, 1 deletion(-)")
(1, 0, 1)
>>> parse_shortstat("")
(0, 0, 0)
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from orchestra_tui.models import BranchFigures
from orchestra_tui.services.git.worktrees import (
    GIT_TIMEOUT,
    LOCAL_GIT,
    GitError,
    GitRunner,
    current_branch,
    default_base,
    head_commit,
    is_merged,
    ref_exists,
    repository_root,
    run_git,
)

__all__ = ["figures", "parse_shortstat"]

_SHORTSTAT = re.compile(r"(\d+) (file|insertion|deletion)")

# `git diff --shortstat FORK` of the working tree with new files counted: they are marked
# intent-to-add in a scratch copy of the index, so the real index and the object store stay as
# they are. One script, so a worktree on a host costs one round trip. $1 is the fork point.
# `cp -p` keeps the index's mtime: git checks a file whose mtime is not older than the index's
# by content ("racy git"); a copy stamped now hid a same-size edit made in the index's second.
SHORTSTAT_SCRIPT = r"""
index=$(git rev-parse --path-format=absolute --git-path index) || exit 1
scratch=$(mktemp -d "${TMPDIR:-/tmp}/orchestra-index-XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
if [ -f "$index" ]; then cp -p "$index" "$scratch/index" || exit 1; fi
GIT_INDEX_FILE="$scratch/index" git add --intent-to-add --all >/dev/null 2>&1
GIT_INDEX_FILE="$scratch/index" git diff --shortstat "$1"
"""


def parse_shortstat(text: str) -> tuple[int, int, int]:
    """`(files changed, insertions, deletions)` from `git diff --shortstat`."""
    found = {kind: int(count) for count, kind in _SHORTSTAT.findall(text)}
    return found.get("file", 0), found.get("insertion", 0), found.get("deletion", 0)


async def _shortstat(worktree: str | Path, fork: str, runner: GitRunner) -> str:
    done = await asyncio.to_thread(runner.shell, str(worktree), SHORTSTAT_SCRIPT, (fork,),
                                   GIT_TIMEOUT)
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        raise GitError(f"git diff: {said[-1] if said else 'failed'}")
    return done.stdout


async def figures(worktree: str | Path, base: str | None = None, start: str = "", *,
                  runner: GitRunner = LOCAL_GIT) -> BranchFigures | None:
    """The agent's work at a glance: its branch, commits ahead of and behind `base` (default:
    the clone's default branch as last fetched, never fetched here) and the files changed
    since it left `base`, uncommitted edits and new files included; with `start` (the commit
    the branch was made at), whether work it made since is merged. None when `worktree` is
    no git tree."""
    if await repository_root(worktree, runner=runner) is None:
        return None
    branch = await current_branch(worktree, runner=runner)
    if not base:
        try:
            base, _ = await default_base(worktree, fetch=False, runner=runner)
        except GitError:
            base = ""
    if not base or not await ref_exists(worktree, base, runner=runner):
        return BranchFigures(branch=branch)
    counts = (await run_git(worktree, "rev-list", "--left-right", "--count", f"{base}...HEAD",
                            runner=runner)).stdout.split()
    behind, ahead = (int(counts[0]), int(counts[1])) if len(counts) == 2 else (0, 0)
    fork = (await run_git(worktree, "merge-base", base, "HEAD", check=False,
                          runner=runner)).stdout.strip()
    files = insertions = deletions = 0
    if fork:
        files, insertions, deletions = parse_shortstat(await _shortstat(worktree, fork, runner))
    merged = False
    if start and branch and await head_commit(worktree, runner=runner) not in ("", start):
        merged = await is_merged(worktree, branch, base, runner=runner)
    return BranchFigures(branch=branch, base=base, ahead=ahead, behind=behind,
                         files_changed=files, insertions=insertions, deletions=deletions,
                         merged=merged)
