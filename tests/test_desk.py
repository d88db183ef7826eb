"""The desk (core, no UI) against the GitHub stand-in over loopback HTTP: refresh with gates,
error states instead of exceptions, merges pinned to the gate's SHA and journalled, admin merge
only with a reason, snoozes, issues and the "which issue is each agent on" state."""

from __future__ import annotations

import json

import pytest

from orchestra_tui.bootstrap import build_desk
from orchestra_tui.core.desk.desk import Desk, assign_prompt, thread_fingerprint
from orchestra_tui.errors import GitHubError
from orchestra_tui.models import AgentSpec, Issue
from orchestra_tui.services.github.service import GitHubService
from orchestra_tui.services.store.desk import DeskStore
from orchestra_tui.services.store.journal import Journal
from tests.github_fixtures import *  # noqa: F403
from tests.github_fixtures import TOKEN

AGENTS = (AgentSpec("api", repo="acme/shop", branch="api/*"),
          AgentSpec("web", repo="acme/shop", branch="web/*"),
          AgentSpec("docs", repo="acme/docs"))


class Clock:
    def __init__(self, now: float = 1_790_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "journal.jsonl")


@pytest.fixture
def desk(github, journal, tmp_path) -> Desk:
    return Desk(github, AGENTS, journal=journal, store=DeskStore(tmp_path / "desk.json"))


def bugbot(snapshot):
    return next(entry for _, pulls in snapshot.inbox() for _, entries in pulls
                for entry in entries if entry.thread.author == "cursor")


async def test_refresh_lists_pulls_with_gates_and_grouped_threads(desk):
    snapshot = await desk.refresh()
    assert snapshot.error is None and snapshot.loaded
    numbers = {(p.pr.repo, p.pr.number) for p in snapshot.pulls}
    assert ("acme/shop", 103) in numbers and ("acme/docs", 7) in numbers
    assert snapshot.pull("acme/shop", 103).gate.ready
    failing = snapshot.pull("acme/shop", 101)
    assert not failing.gate.ready
    assert "check 'ci/test' failing" in failing.gate.reasons
    groups = snapshot.inbox()
    assert [agent for agent, _ in groups] == ["api", None]  # config order, unassigned last
    entry = bugbot(snapshot)
    assert entry.thread.severity == "high" and entry.thread.author_is_bot
    threads = [e.thread.created_at for e in groups[0][1][0][1]]
    assert threads == sorted(threads, reverse=True)  # newest first
    assert snapshot.rate_limit.remaining is not None


@pytest.mark.parametrize("status,kind", [(401, "auth"), (429, "rate_limited"),
                                         (500, "server")])
async def test_refresh_failure_is_a_state_not_an_exception(desk, standin, status, kind):
    first = await desk.refresh()
    standin.inject(status, times=None)
    snapshot = await desk.refresh()
    assert snapshot.error is not None and snapshot.error.kind == kind
    assert "\n" not in snapshot.error.message
    assert TOKEN not in snapshot.error.message
    assert snapshot.pulls == first.pulls  # the last good PRs stay on screen
    if kind == "rate_limited":
        assert snapshot.error.reset_at is not None


async def test_unreachable_github_is_a_network_state(refused_url, tmp_path):
    service = GitHubService(TOKEN, api_url=refused_url, timeout=2.0)
    desk = Desk(service, AGENTS, store=DeskStore(tmp_path / "desk.json"))
    snapshot = await desk.refresh()
    await service.aclose()
    assert snapshot.error.kind == "network"


async def test_merge_is_squash_pinned_and_journalled(desk, standin, journal):
    snapshot = await desk.refresh()
    ready = snapshot.pull("acme/shop", 103)
    outcome = await desk.merge(ready.pr, ready.gate.head_sha)
    assert outcome.merged
    assert standin.merges == [("acme/shop", 103, ready.gate.head_sha)]
    assert standin.pull("acme/shop", 103).state == "MERGED"
    [entry] = journal.read(events=["merge"])
    assert entry["agent"] == "api" and entry["sha"] == ready.gate.head_sha
    assert entry["method"] == "squash" and entry["gate"] == [] and entry["reason"] is None
    assert desk.snapshot.notice.ok
    after = await desk.refresh()
    assert after.pull("acme/shop", 103) is None


async def test_merge_after_the_head_moved_is_refused(desk, standin, journal):
    snapshot = await desk.refresh()
    ready = snapshot.pull("acme/shop", 103)
    standin.push("acme/shop", 103)
    with pytest.raises(GitHubError, match="head moved") as caught:
        await desk.merge(ready.pr, ready.gate.head_sha)
    assert caught.value.kind == "head_moved"
    assert standin.merges == []
    assert journal.read(events=["merge"]) == []
    assert journal.read(events=["merge_refused"])[0]["error"] == "head_moved"
    assert not desk.snapshot.notice.ok
    # exactly one merge request: never retried
    assert sum(1 for m, p, _ in standin.log if m == "PUT" and p.endswith("/merge")) == 1


async def test_merge_of_a_pull_that_is_not_ready_never_reaches_github(desk, standin):
    snapshot = await desk.refresh()
    failing = snapshot.pull("acme/shop", 101)
    with pytest.raises(GitHubError, match="not ready") as caught:
        await desk.merge(failing.pr, failing.gate.head_sha)
    assert caught.value.kind == "not_ready"
    assert not any(p.endswith("/merge") for _, p, _ in standin.log)


async def test_405_shows_githubs_reason(desk, standin):
    snapshot = await desk.refresh()
    ready = snapshot.pull("acme/shop", 103)
    standin.inject(405, path="/merge$", message="Required status check \"ci/test\" is expected.")
    with pytest.raises(GitHubError, match="ci/test") as caught:
        await desk.merge(ready.pr, ready.gate.head_sha)
    assert caught.value.kind == "not_mergeable"
    assert standin.merges == []


async def test_admin_merge_needs_a_reason_and_journals_it(desk, standin, journal):
    snapshot = await desk.refresh()
    behind = snapshot.pull("acme/shop", 102)
    assert not behind.gate.ready
    with pytest.raises(GitHubError, match="reason"):
        await desk.admin_merge(behind.pr, behind.gate.head_sha, "   ")
    assert not any(p.endswith("/merge") for _, p, _ in standin.log)
    standin.repo("acme/shop").strict = False  # the admin may merge a branch that is behind
    await desk.admin_merge(behind.pr, behind.gate.head_sha, "hotfix for the outage")
    assert standin.merges == [("acme/shop", 102, behind.gate.head_sha)]
    [entry] = journal.read(events=["merge"])
    assert entry["reason"] == "hotfix for the outage" and entry["admin"] is True
    assert entry["gate"] == list(behind.gate.reasons) and entry["agent"] == "web"


async def test_update_branch_uses_the_head_shown(desk, standin, journal):
    snapshot = await desk.refresh()
    behind = snapshot.pull("acme/shop", 102)
    text = await desk.update_branch(behind.pr)
    assert "Updating" in text
    standin.push("acme/shop", 106)
    conflicted = snapshot.pull("acme/shop", 106)
    with pytest.raises(GitHubError) as caught:
        await desk.update_branch(conflicted.pr)
    assert caught.value.kind == "head_moved"
    assert [e["number"] for e in journal.read(events=["update_branch"])] == [102]


async def test_resolve_removes_the_thread_at_the_next_refresh(desk):
    entry = bugbot(await desk.refresh())
    assert await desk.resolve(entry.thread.id)
    after = await desk.refresh()
    ids = {e.thread.id for _, pulls in after.inbox() for _, es in pulls for e in es}
    assert entry.thread.id not in ids


async def test_snooze_until_changed_or_for_hours_persists(github, standin, tmp_path):
    clock = Clock()
    path = tmp_path / "desk.json"
    desk = Desk(github, AGENTS, store=DeskStore(path), clock=clock)
    entry = bugbot(await desk.refresh())
    await desk.snooze(entry.thread)
    assert entry.thread.id in desk.snapshot.snoozed
    assert entry.thread.id not in {e.thread.id for _, ps in desk.snapshot.inbox()
                                   for _, es in ps for e in es}
    # a second desk (the app restarted) still hides it
    again = Desk(github, AGENTS, store=DeskStore(path), clock=clock)
    assert entry.thread.id in (await again.refresh()).snoozed
    # the thread changes: it comes back
    for thread in standin.pull("acme/shop", 101).threads:
        if thread.id == entry.thread.id:
            thread.line = 58
    assert entry.thread.id not in (await again.refresh()).snoozed
    # for N hours: back after they pass
    fresh = bugbot(again.snapshot)
    await again.snooze(fresh.thread, hours=2)
    assert fresh.thread.id in again.snapshot.snoozed
    clock.now += 2 * 3600 + 1
    assert fresh.thread.id not in (await again.refresh()).snoozed
    assert fresh.thread.id not in json.loads(path.read_text())["snoozed"]


async def test_issues_guidance_and_assignment(desk, standin, journal, tmp_path):
    snapshot = await desk.load_issues()
    lanes = {lane.repo: lane for lane in snapshot.issues}
    assert [i.number for i in lanes["acme/shop"].issues] == [91, 90]
    assert lanes["acme/shop"].agents == ("api", "web")
    assert [i.number for i in await desk.lane_issues("docs")] == [3]
    issue = await desk.issue("acme/shop", 90)
    assert [c.author for c in issue.comments] == ["maria"]
    await desk.post_guidance("acme/shop", 90, "Touch only app/webhooks.py; verify with pytest.")
    assert standin.repo("acme/shop").issues[90].comments[-1].body.startswith("Touch only")
    assert len(desk.snapshot.details[("acme/shop", 90)].comments) == 2
    prompt = desk.assign_prompt(issue, "api")
    assert "#90" in prompt and "api/*" in prompt
    await desk.set_current_issue("api", issue)
    assert desk.current_issue("api") == "#90"
    assert desk.snapshot.current_issue("api") == "#90"
    assert desk.current_issue("web") is None
    stored = json.loads((tmp_path / "desk.json").read_text())
    assert stored["assignments"]["api"]["number"] == 90
    assert journal.read(events=["issue_assigned"])[0]["agent"] == "api"
    # closed on GitHub: the assignment is cleared when the issues are next read
    standin.repo("acme/shop").issues[90].state = "closed"
    await desk.load_issues()
    assert desk.current_issue("api") is None


async def test_issue_errors_are_a_state(desk, standin):
    standin.inject(401, times=None)
    snapshot = await desk.load_issues()
    assert snapshot.issues_error.kind == "auth"


def test_assign_prompt_fields_and_unknown_ones():
    issue = Issue("acme/shop", 7, "Fix it", "", "https://github.com/acme/shop/issues/7")
    spec = AgentSpec("api", repo="acme/shop", branch="api/*")
    assert assign_prompt(issue, spec, "{repo}#{number} {url} on {branch}: {title} {nope}") == (
        "acme/shop#7 https://github.com/acme/shop/issues/7 on api/*: Fix it {nope}")
    assert "branch matching *" in assign_prompt(issue, None, "{oops")  # broken: the default


def test_fingerprint_changes_with_the_thread():
    from orchestra_tui.models import ReviewThread

    thread = ReviewThread("T", "o/r", 1, "a.py", 3, "cursor", True, "body", "u", "2026")
    from dataclasses import replace

    assert thread_fingerprint(thread) == thread_fingerprint(replace(thread, url="other"))
    assert thread_fingerprint(thread) != thread_fingerprint(replace(thread, body="edited"))


def test_desk_from_config_only_with_repos(tmp_path):
    from orchestra_tui.config import Config, GitHubConfig

    assert build_desk(Config(tmp_path / "c.toml")) is None
    config = Config(tmp_path / "c.toml", github=GitHubConfig(repos=("acme/shop",),
                                                             refresh_seconds=30))
    desk = build_desk(config, state_path=tmp_path / "d.json")
    assert desk is not None and desk.repos == ("acme/shop",) and desk.refresh_seconds == 30


async def test_no_repos_is_not_configured_state(github, tmp_path):
    desk = Desk(github, (AgentSpec("x"),), store=DeskStore(tmp_path / "d.json"))
    snapshot = await desk.refresh()
    assert "not configured" in snapshot.error.message


@pytest.mark.parametrize("name", ["orchestra_tui.core.desk.snapshot",
                                  "orchestra_tui.services.store.desk"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted and result.failed == 0


def test_desk_does_not_import_textual():
    import subprocess
    import sys

    code = ("import sys, orchestra_tui.core.desk.desk; "
            "print('textual' in sys.modules, 'orchestra_tui.ui' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "False"]
