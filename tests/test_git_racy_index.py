"""A same-size edit made in the index's own second ("racy git"): git trusts an index entry's
stat data only for files older than the index, and checks the others by content. A scratch
copy of the index stamped now would make the edit look clean; the diff, the branch figures and
the radar's snapshot each copy it keeping its time (`cp -p`) and see the edit.

The demo met this on its first `d`: its api worktree is written in the second `git worktree
add` wrote the index, and its diff read "nothing changed" until something refreshed the index.
"""

from __future__ import annotations

import os
import pathlib
import time

from orchestra_tui.diff_models import LineKind
from orchestra_tui.services.git.diff import worktree_diff
from orchestra_tui.services.git.figures import figures
from orchestra_tui.services.git.merge_tree import snapshot_worktree
from tests.test_pr_loop import git, new_repo
from tests.test_radar_snapshot import look


def racy_edit(worktree: pathlib.Path, name: str, text: str) -> None:
    """The demo's worktree seconds after it was made, when `d` is pressed: `text` (the file's
    size) written with the very mtime the index recorded for the file, in the index's own
    second. The file's clock is set back first and the index refreshed, so its second is over
    now; the clone's `core.trustctime=false` stands for the ctime second that matched in the
    demo (a test cannot set a ctime). Only a content check tells the edit apart."""
    path = worktree / name
    assert len(text.encode()) == path.stat().st_size
    past = time.time_ns() - 10 * 1_000_000_000
    os.utime(path, ns=(past, past))
    look(worktree, "update-index", "--refresh")  # GIT_OPTIONAL_LOCKS does not hold it back
    path.write_text(text)
    os.utime(path, ns=(past, past))
    os.utime(index_of(worktree), ns=(past, past))


def index_of(worktree: pathlib.Path) -> pathlib.Path:
    return pathlib.Path(look(worktree, "rev-parse", "--path-format=absolute", "--git-path",
                             "index").strip())


async def test_a_same_size_edit_in_the_index_second_is_seen_by_diff_figures_and_radar(
        tmp_path) -> None:
    clone = tmp_path / "shop"
    new_repo(clone)
    git(clone, "config", "core.trustctime", "false")
    tree = tmp_path / "wt"
    git(clone, "worktree", "add", "-q", "-b", "agent/a", str(tree), "main")
    racy_edit(tree, "pricing.py", "RATE = 1\nROUND = 4\n")
    index = index_of(tree)
    before = index.read_bytes(), index.stat().st_mtime_ns

    diff = await worktree_diff(tree, "main")
    assert [file.path for file in diff.files] == ["pricing.py"]
    [hunk] = diff.files[0].hunks
    assert [(line.kind, line.text) for line in hunk.lines if line.kind is not LineKind.CONTEXT] == [
        (LineKind.REMOVED, "ROUND = 2"), (LineKind.ADDED, "ROUND = 4")]
    counted = await figures(tree, "main")
    assert counted is not None and counted.files_changed == 1
    snapshot = await snapshot_worktree(tree, "main")
    assert snapshot is not None and snapshot.files == {"pricing.py"}
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before  # the index untouched
