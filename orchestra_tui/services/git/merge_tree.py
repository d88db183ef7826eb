"""Would two commits merge cleanly? `git merge-tree --write-tree` answers without touching a
worktree or the index (git 2.38+): it writes the merged tree's objects and lists the files that
would conflict. A worktree's uncommitted edits take part through `git stash create`, which
makes a commit of them and changes no ref, no file and no stash entry.

>>> parse_merge_tree(1, "4b825dc642cb6eb9a060e54bf8d69288fbee4904\\nf.txt\\ng.txt\\n")
MergePrediction(clean=False, files=('f.txt', 'g.txt'))
>>> parse_merge_tree(0, "4b825dc642cb6eb9a060e54bf8d69288fbee4904\\n")
MergePrediction(clean=True, files=())
"""

from __future__ import annotations

from pathlib import Path

from orchestra_tui.pr_facts import MergePrediction
from orchestra_tui.services.git.worktrees import LOCAL_GIT, GitRunner, head_commit, run_git

__all__ = ["changed_files", "parse_merge_tree", "predict_merge", "worktree_commit"]


def parse_merge_tree(returncode: int, stdout: str) -> MergePrediction | None:
    """`--name-only --no-messages` output: the tree, then each conflicted file; None when git
    could not merge at all (exit status above 1: an unknown ref, an old git)."""
    if returncode not in (0, 1):
        return None
    lines = [line for line in stdout.splitlines()[1:] if line.strip()]
    if returncode == 0:
        return MergePrediction(True)
    return MergePrediction(False, tuple(dict.fromkeys(lines)))


async def predict_merge(where: str | Path, ours: str, theirs: str, *,
                        runner: GitRunner = LOCAL_GIT) -> MergePrediction | None:
    """Merge `theirs` into `ours` in the repository at `where`, writing no ref; None when git
    cannot tell (a ref it does not have)."""
    done = await run_git(where, "merge-tree", "--write-tree", "--name-only", "--no-messages",
                         ours, theirs, check=False, runner=runner)
    return parse_merge_tree(done.returncode, done.stdout)


async def worktree_commit(worktree: str | Path, *, runner: GitRunner = LOCAL_GIT) -> str:
    """A commit of the worktree as it is (uncommitted edits of tracked files included), or its
    HEAD when nothing is uncommitted; "" when it is no worktree."""
    done = await run_git(worktree, "stash", "create", check=False, runner=runner)
    made = done.stdout.strip()
    if done.returncode == 0 and made:
        return made
    return await head_commit(worktree, runner=runner)


async def changed_files(where: str | Path, base: str, commit: str, *,
                        runner: GitRunner = LOCAL_GIT) -> frozenset[str]:
    """Files `commit` changed since it left `base` (their merge base)."""
    done = await run_git(where, "diff", "--name-only", f"{base}...{commit}", check=False,
                         runner=runner)
    if done.returncode != 0:
        return frozenset()
    return frozenset(line for line in done.stdout.splitlines() if line.strip())
