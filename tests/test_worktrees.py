"""git for agents' worktrees, on real repositories in temporary folders (a bare "remote", the
lane's clone, another clone that pushes and merges): the base a new branch starts from, the
worktree itself, branch figures, what retiring would lose, and whether a branch is merged."""

from __future__ import annotations

import asyncio
import pathlib

import pytest

from orchestra_tui.models import BranchFigures
from orchestra_tui.services.git import figures as git_figures
from orchestra_tui.services.git import worktrees
from tests.helpers import async_wait_until
from tests.lifecycle_fixtures import *  # noqa: F403 (the repository fixtures)
from tests.lifecycle_fixtures import commit_file, git


async def test_a_clone_with_a_remote_starts_from_its_default_branch_as_just_fetched(repos):
    pushed = commit_file(repos.other, "later.txt", "later\n", "pushed after the clone")
    git(repos.other, "push", "-q", "origin", "main")
    base, note = await worktrees.default_base(repos.clone)
    assert (base, note) == ("origin/main", "")
    assert git(repos.clone, "rev-parse", base) == pushed  # fetched, not as cloned


async def test_a_clone_whose_remote_is_gone_uses_what_it_fetched_before_and_says_so(repos):
    git(repos.clone, "remote", "set-url", "origin", str(repos.remote.parent / "gone.git"))
    base, note = await worktrees.default_base(repos.clone)
    assert base == "origin/main"
    assert note.startswith("could not fetch origin (") and "fetched before" in note


async def test_a_repository_without_a_remote_starts_from_main(local_repo):
    git(local_repo, "checkout", "-q", "-b", "elsewhere")
    assert await worktrees.default_base(local_repo) == ("main", "")


async def test_what_is_a_repository_and_a_branch(repos, tmp_path):
    assert await worktrees.repository_root(repos.clone / ".git" / "..") is not None
    assert await worktrees.repository_root(tmp_path) is None  # tmp_path is no git tree
    assert await worktrees.repository_root(tmp_path / "missing") is None
    assert await worktrees.branch_exists(repos.clone, "main")
    assert not await worktrees.branch_exists(repos.clone, "codex/7")
    assert await worktrees.valid_branch_name(repos.clone, "codex/7-export")
    assert not await worktrees.valid_branch_name(repos.clone, "codex/7 export")
    assert not await worktrees.valid_branch_name(repos.clone, "codex/..")


async def test_worktree_branch_figures_and_what_retiring_would_lose(repos, tmp_path):
    place = tmp_path / "trees" / "shop" / "w2"
    await worktrees.add_worktree(repos.clone, place, "codex/7", "origin/main")
    assert git(place, "branch", "--show-current") == "codex/7"
    # The new branch tracks nothing: a push never lands on main by accident.
    assert git(place, "for-each-ref", "--format=%(upstream)", "refs/heads/codex/7") == ""

    assert await git_figures.figures(place, "origin/main") == BranchFigures(
        branch="codex/7", base="origin/main", ahead=0, behind=0, files_changed=0,
        insertions=0, deletions=0)
    assert await worktrees.worktree_state(place, "origin/main") == worktrees.WorktreeState()
    # A branch that is still where it started has nothing merged, though git calls it so.
    start = await worktrees.head_commit(repos.clone, "origin/main")
    assert await worktrees.is_merged(repos.clone, "codex/7", "origin/main")
    assert not (await git_figures.figures(place, "origin/main", start)).merged

    # The agent commits one file, edits another and makes a new one it has not added yet.
    commit_file(place, "export.py", "a\nb\nc\n", "export as csv")
    (place / "README.md").write_text("shop\nmore\n", encoding="utf-8")
    (place / "notes.txt").write_text("one\ntwo\n", encoding="utf-8")
    # Meanwhile main moves on.
    commit_file(repos.other, "other.txt", "x\n", "someone else")
    git(repos.other, "push", "-q", "origin", "main")
    await worktrees.fetch_remote(repos.clone)

    figures = await git_figures.figures(place, "origin/main")
    assert (figures.branch, figures.ahead, figures.behind) == ("codex/7", 1, 1)
    assert (figures.files_changed, figures.insertions, figures.deletions) == (3, 6, 0)
    # Reading the figures changed nothing: the new file is still untracked, the index clean.
    assert git(place, "status", "--porcelain").splitlines() == ["M README.md", "?? notes.txt"]

    state = await worktrees.worktree_state(place, "origin/main")
    assert sorted(state.uncommitted) == [" M README.md", "?? notes.txt"]
    assert len(state.unpushed) == 1
    git(place, "push", "-q", "origin", "codex/7")
    assert (await worktrees.worktree_state(place, "origin/main")).unpushed == ()

    await worktrees.remove_worktree(repos.clone, place, force=True)
    assert not place.exists()
    assert "w2" not in git(repos.clone, "worktree", "list")
    await worktrees.delete_branch(repos.clone, "codex/7")
    assert not await worktrees.branch_exists(repos.clone, "codex/7")


async def test_figures_of_a_folder_that_is_no_repository_are_none(tmp_path):
    assert await git_figures.figures(tmp_path) is None


@pytest.mark.parametrize("how", ["merge", "squash", "rebase", "none"])
async def test_a_branch_is_merged_when_its_work_is_in_the_base(repos, tmp_path, how):
    place = tmp_path / "w2"
    await worktrees.add_worktree(repos.clone, place, "codex/7", "origin/main")
    commit_file(place, "a.txt", "a\n", "first part")
    commit_file(place, "b.txt", "b\n", "second part")
    git(place, "push", "-q", "origin", "codex/7")
    git(repos.other, "fetch", "-q", "origin")
    commit_file(repos.other, "other.txt", "x\n", "someone else")  # main moved on meanwhile
    if how == "merge":
        git(repos.other, "merge", "-q", "--no-edit", "origin/codex/7")
    elif how == "squash":
        git(repos.other, "merge", "-q", "--squash", "origin/codex/7")
        git(repos.other, "commit", "-q", "-m", "Export as CSV (#8)")
    elif how == "rebase":
        git(repos.other, "cherry-pick", "origin/main..origin/codex/7")
    git(repos.other, "push", "-q", "origin", "main")
    await worktrees.fetch_remote(repos.clone)
    merged = await worktrees.is_merged(repos.clone, "codex/7", "origin/main")
    assert merged is (how != "none")
    # The figures say so too, given the commit the branch started at.
    start = git(place, "rev-parse", "HEAD~2")
    assert (await git_figures.figures(place, "origin/main", start)).merged is (how != "none")


async def test_a_branch_with_no_commits_of_its_own_is_merged(local_repo, tmp_path):
    await worktrees.add_worktree(local_repo, tmp_path / "w", "codex/1", "main")
    assert await worktrees.is_merged(local_repo, "codex/1", "main")
    assert not await worktrees.is_merged(local_repo, "codex/nope", "main")


async def test_git_refusing_is_one_line(repos, tmp_path):
    await worktrees.add_worktree(repos.clone, tmp_path / "w", "codex/7", "origin/main")
    with pytest.raises(worktrees.GitError) as caught:
        await worktrees.add_worktree(repos.clone, tmp_path / "w2", "codex/7", "origin/main")
    assert str(caught.value).startswith("git worktree: ") and "\n" not in str(caught.value)
    assert "codex/7" in str(caught.value)


async def test_git_through_a_command_prefix_quotes_every_path_for_the_shell_there(tmp_path):
    # `sh -c` stands for `ssh ... DEST`: both hand the last word to a shell to run.
    there = worktrees.SshGitRunner("box", ["sh", "-c"])
    repo = tmp_path / "it's $(mkdir pwned) shop"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit_file(repo, "README.md", "x\n", "first")
    place = tmp_path / "trees; rm -rf ~" / "w2"

    assert await asyncio.to_thread(there.is_dir, "~")  # the home there
    assert await worktrees.repository_root(repo, runner=there) == repo
    assert await worktrees.default_base(repo, runner=there) == ("main", "")
    await worktrees.add_worktree(repo, place, "codex/7", "main", runner=there)
    assert git(place, "branch", "--show-current") == "codex/7"
    (place / "draft.txt").write_text("draft\n")
    state = await worktrees.worktree_state(place, "main", runner=there)
    assert state.uncommitted == ("?? draft.txt",)
    await worktrees.remove_worktree(repo, place, force=True, runner=there)
    assert not place.exists() and not pathlib.Path("pwned").exists()
    assert await worktrees.repository_root(tmp_path / "missing", runner=there) is None


async def test_ssh_failing_is_one_line_naming_the_host():
    refused = worktrees.SshGitRunner("box", [
        "sh", "-c", "echo 'ssh: connect to host box port 22: Connection refused' >&2; exit 255"])
    with pytest.raises(worktrees.GitError, match="^host box: connection refused$"):
        await worktrees.repository_root("/srv/shop", runner=refused)


async def test_agents_in_one_folder_share_one_read_of_its_figures(repos, tmux, monkeypatch):
    from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
    from orchestra_tui.models import AgentSpec
    from tests.tmux_fixtures import fake_agent_argv

    asked: list[tuple[str, ...]] = []
    real_run = worktrees.GitRunner.run

    def counted(self, cwd, args, timeout, env):  # a spy: git still runs
        asked.append(args)
        return real_run(self, cwd, args, timeout, env)

    monkeypatch.setattr(worktrees.GitRunner, "run", counted)
    for name in ("api", "web"):
        await tmux.start(fake_agent_argv("codex", repos.clone / f"{name}.jsonl"),
                         cwd=str(repos.clone), session=name)
    specs = [AgentSpec(name=name, tool="codex", target=name) for name in ("api", "web")]
    fleet = Fleet(tmux, specs, settings=FleetSettings(idle_debounce=0.3), discover=False)

    async def both_read() -> bool:
        await fleet.refresh()
        return set(fleet.work) == {"api", "web"}

    await async_wait_until(both_read, timeout=30, message="both agents' figures")
    assert fleet.work["api"] == fleet.work["web"]
    assert sum(args[:2] == ("rev-list", "--left-right") for args in asked) == 1
    # `status` asks for figures now: git is asked again, once for the folder.
    await fleet.refresh_work()
    assert sum(args[:2] == ("rev-list", "--left-right") for args in asked) == 2
