"""An agent's whole change as a `Diff`, read where its worktree is (this machine, or a host
through ssh: the `runner`, as for `git_figures`): everything since its branch left the base,
committed and not, new files included and listed as untracked. Reading changes nothing in the
worktree: new files are shown through a scratch copy of the index.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from orchestra_tui.diff_models import Diff
from orchestra_tui.services.diff_parse import parse_unified
from orchestra_tui.services.git.worktrees import (
    GIT_TIMEOUT,
    LOCAL_GIT,
    GitError,
    GitRunner,
    current_branch,
    default_base,
    head_commit,
    ref_exists,
    repository_root,
    run_git,
)

__all__ = ["MAX_DIFF_CHARS", "worktree_diff"]

# More than this is not drawn: the rest of the files are left out (and the diff says so).
MAX_DIFF_CHARS = 4_000_000
_UNTRACKED = "\0orchestra-untracked\0"  # no NUL is in git's diff text: binary files are named

# The diff against the fork point with new files in it (intent-to-add in a scratch index: the
# real index and the object store stay as they are), then the untracked names, NUL-separated.
# One script, so a worktree on a host costs one round trip. $1 is the fork point.
DIFF_SCRIPT = r"""
index=$(git rev-parse --path-format=absolute --git-path index) || exit 1
scratch=$(mktemp -d "${TMPDIR:-/tmp}/orchestra-index-XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
if [ -f "$index" ]; then cp "$index" "$scratch/index" || exit 1; fi
git ls-files -z --others --exclude-standard > "$scratch/untracked" || exit 1
GIT_INDEX_FILE="$scratch/index" git add --intent-to-add --all >/dev/null 2>&1
GIT_INDEX_FILE="$scratch/index" git -c core.quotePath=true diff --no-color --no-ext-diff \
    --no-textconv -M --find-renames "$1" || exit 1
printf '\0orchestra-untracked\0'
cat "$scratch/untracked"
"""


async def worktree_diff(worktree: str | Path, base: str | None = None, *, title: str = "",
                        runner: GitRunner = LOCAL_GIT) -> Diff:
    """The worktree's change since it left `base` (default: the clone's default branch as
    last fetched; never fetched here). Raises `GitError` when `worktree` is no git tree or
    has no base to compare with."""
    if await repository_root(worktree, runner=runner) is None:
        raise GitError(f"{worktree}: not a git worktree")
    if not base:
        base, _ = await default_base(worktree, fetch=False, runner=runner)
    if not await ref_exists(worktree, base, runner=runner):
        raise GitError(f"{worktree}: its base {base} is not known there")
    fork = (await run_git(worktree, "merge-base", base, "HEAD", check=False,
                          runner=runner)).stdout.strip()
    if not fork:
        raise GitError(f"{worktree}: has no commit in common with {base}")
    done = await asyncio.to_thread(runner.shell, str(worktree), DIFF_SCRIPT, (fork,),
                                   GIT_TIMEOUT)
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        raise GitError(f"git diff: {said[-1] if said else 'failed'}")
    text, _, listed = done.stdout.rpartition(_UNTRACKED)
    truncated = len(text) > MAX_DIFF_CHARS
    if truncated:  # cut at a file's start: a hunk cut in half would not parse
        text = text[:text.rfind("\ndiff --git ", 0, MAX_DIFF_CHARS) + 1]
    untracked = [name for name in listed.split("\0") if name]
    branch = await current_branch(worktree, runner=runner)
    head = await head_commit(worktree, runner=runner)
    try:
        files = parse_unified(text, untracked)
    except ValueError as error:
        raise GitError(f"git diff: could not be read ({error})") from None
    return Diff(title=title or f"{branch or head[:7]} against {base}", files=files, base=base,
                head=head, truncated=truncated)
