"""Would two commits merge cleanly? `git merge-tree --write-tree` answers without touching a
worktree or the index (git 2.38+): it writes the merged tree's objects and lists the files that
would conflict. A worktree takes part as it is (`snapshot_worktree`): a commit of its files,
uncommitted edits and new untracked files included, made through a scratch index, so its own
index, its stash list, its files and its refs stay byte for byte as they were.

>>> parse_merge_tree(1, "4b825dc642cb6eb9a060e54bf8d69288fbee4904\\0f.txt\\0a\\nb.txt\\0")
MergePrediction(clean=False, files=('f.txt', 'a\\nb.txt'))
>>> parse_merge_tree(0, "4b825dc642cb6eb9a060e54bf8d69288fbee4904\\0")
MergePrediction(clean=True, files=())
>>> found = parse_snapshot("c0ffee\\0/src/shop/.git\\0" "3\\t1\\ta b.py\\0-\\t-\\tx\\ny.bin\\0")
>>> found.commit, found.clone, sorted(found.files)
('c0ffee', '/src/shop/.git', ['a b.py', 'x\\ny.bin'])
>>> found.lines["a b.py"], found.lines["x\\ny.bin"]
(4, 0)
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from orchestra_tui.pr_facts import MergePrediction
from orchestra_tui.services.git.worktrees import (
    GIT_TIMEOUT,
    LOCAL_GIT,
    GitError,
    GitRunner,
    run_git,
)

__all__ = ["MAX_NEW_FILE_BYTES", "WorktreeSnapshot", "parse_merge_tree", "parse_snapshot",
           "predict_merge", "snapshot_worktree"]

# A new untracked file larger than this is left out of a snapshot: hashing a build artefact or
# a data dump into the object store at every sweep costs more than the prediction is worth.
MAX_NEW_FILE_BYTES = 8 * 1024 * 1024

# The worktree as a commit, in one script (a worktree on a host costs one round trip). The
# scratch index starts as a copy of the worktree's (`cp -p` keeps its mtime, so git trusts its
# stat data as it would the original's: see figures.py), takes the tracked files' edits
# (`add -u`) and the new files that are neither ignored nor over $2 bytes (the names go from
# `ls-files -z` to one `find` per batch, each prefixed `./` so no name reads as an option), and
# is written as a tree; a tree equal to HEAD's is HEAD itself. The commit has fixed names and
# dates: the same files on the same HEAD make the same commit, so the radar sees nothing moved.
# Out: the commit, the clone's common git dir, then `--numstat` of the files changed since $1
# (the base: "added<TAB>deleted<TAB>path", "-" for a binary file's counts), each
# NUL-terminated. Exit 3: no commit yet.
SNAPSHOT_SCRIPT = r"""
head=$(git rev-parse --verify --quiet 'HEAD^{commit}') || exit 3
top=$(git rev-parse --show-toplevel) && cd "$top" || exit 1
clone=$(git rev-parse --path-format=absolute --git-common-dir) || exit 1
index=$(git rev-parse --path-format=absolute --git-path index) || exit 1
scratch=$(mktemp -d "${TMPDIR:-/tmp}/orchestra-radar-XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
if [ -f "$index" ]; then cp -p "$index" "$scratch/index" || exit 1; fi
GIT_INDEX_FILE="$scratch/index"
export GIT_INDEX_FILE
git add -u >/dev/null || exit 1
git ls-files -z --others --exclude-standard > "$scratch/new" || exit 1
xargs -0 sh -c '
  max=$1; shift; [ $# -gt 0 ] || exit 0
  for f; do set -- "$@" "./$f"; shift; done
  find "$@" -prune \( -type l -o -type f -size -"$((max + 1))"c \) -print0 2>/dev/null
  exit 0' sh "$2" < "$scratch/new" > "$scratch/take"
git update-index --add -z --stdin < "$scratch/take" 2>/dev/null
tree=$(git write-tree) || exit 1
if [ "$tree" = "$(git rev-parse "$head^{tree}")" ]; then
  commit=$head
else
  commit=$(GIT_AUTHOR_NAME=orchestra GIT_AUTHOR_EMAIL=orchestra@localhost \
    GIT_COMMITTER_NAME=orchestra GIT_COMMITTER_EMAIL=orchestra@localhost \
    GIT_AUTHOR_DATE='@0 +0000' GIT_COMMITTER_DATE='@0 +0000' \
    git commit-tree "$tree" -p "$head" -m 'orchestra: the worktree as it is') || exit 1
fi
printf '%s\0%s\0' "$commit" "$clone"
git diff --numstat -z --no-renames "$1...$commit" || exit 1
"""


@dataclass(frozen=True)
class WorktreeSnapshot:
    """A worktree as a commit: `commit` holds its files as they are (HEAD when nothing is
    uncommitted); `clone` is the absolute common git dir (worktrees of one clone share it);
    `files` are those it changed since its base, `lines` how many lines of each (added and
    removed; 0 for a binary file)."""

    commit: str
    clone: str
    files: frozenset[str]
    lines: Mapping[str, int] = field(default_factory=dict)


def parse_merge_tree(returncode: int, stdout: str) -> MergePrediction | None:
    """`--name-only --no-messages -z` output: the tree, then each conflicted file (unquoted,
    NUL-terminated: a name may hold a newline); None when git could not merge at all (exit
    status above 1: an unknown ref, an old git)."""
    if returncode not in (0, 1):
        return None
    lines = [name for name in stdout.split("\0")[1:] if name]
    if returncode == 0:
        return MergePrediction(True)
    return MergePrediction(False, tuple(dict.fromkeys(lines)))


def parse_snapshot(stdout: str) -> WorktreeSnapshot | None:
    """`SNAPSHOT_SCRIPT`'s output; None when it is cut short."""
    fields = stdout.split("\0")
    if len(fields) < 3 or not fields[0] or not fields[1]:
        return None
    lines: dict[str, int] = {}
    for row in fields[2:]:
        added, _, rest = row.partition("\t")
        deleted, _, name = rest.partition("\t")
        if name:
            lines[name] = sum(int(count) for count in (added, deleted) if count.isdigit())
    return WorktreeSnapshot(fields[0], fields[1], frozenset(lines), lines)


async def predict_merge(where: str | Path, ours: str, theirs: str, *,
                        runner: GitRunner = LOCAL_GIT) -> MergePrediction | None:
    """Merge `theirs` into `ours` in the repository at `where`, writing no ref; None when git
    cannot tell (a ref it does not have)."""
    done = await run_git(where, "merge-tree", "--write-tree", "--name-only", "--no-messages",
                         "-z", ours, theirs, check=False, runner=runner)
    return parse_merge_tree(done.returncode, done.stdout)


async def snapshot_worktree(worktree: str | Path, base: str, *,
                            max_new_bytes: int = MAX_NEW_FILE_BYTES,
                            runner: GitRunner = LOCAL_GIT) -> WorktreeSnapshot | None:
    """The worktree as it is (tracked edits and new files that are not ignored and at most
    `max_new_bytes` long) as a commit, with the files it changed since `base`; None when it
    has no commit yet. Raises `GitError` when git fails there (no worktree, an unknown base)."""
    done = await asyncio.to_thread(runner.shell, str(worktree), SNAPSHOT_SCRIPT,
                                   (base, str(max_new_bytes)), GIT_TIMEOUT)
    if done.returncode == 3:
        return None
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        raise GitError(f"git snapshot of {worktree}: {said[-1] if said else 'failed'}")
    return parse_snapshot(done.stdout)
