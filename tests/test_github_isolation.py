"""One repository that fails (404, 403, a timeout, a 5xx) fails only its own rows: the desk's
refresh keeps the other repositories' PRs and issues, and names the failed one. Over loopback
against the stand-in, where one repository is missing or one repository's queries are faulted
(GraphQL queries all go to one path: the fault picks them by the repository in the body)."""

from __future__ import annotations

import pytest

from orchestra_tui.core.desk.desk import Desk
from orchestra_tui.models import AgentSpec
from orchestra_tui.services.github.service import GitHubService
from orchestra_tui.services.store.desk import DeskStore
from tests.github_fixtures import *  # noqa: F403
from tests.github_fixtures import TOKEN

AGENTS = (AgentSpec("api", repo="acme/shop", branch="api/*"),
          AgentSpec("docs", repo="acme/docs"))
DOCS_QUERIES = r'"name":\s*"docs"'


@pytest.fixture
async def quick_github(standin):
    """A service that gives up after half a second, so a stalled repository times out."""
    service = GitHubService(TOKEN, api_url=standin.url, timeout=0.5)
    yield service
    await service.aclose()


def repos_of(snapshot) -> set[str]:
    return {p.pr.repo for p in snapshot.pulls}


async def test_a_missing_repository_fails_only_its_own_rows(github, tmp_path):
    agents = (*AGENTS, AgentSpec("ghost", repo="acme/gone"))
    desk = Desk(github, agents, store=DeskStore(tmp_path / "desk.json"))
    snapshot = await desk.refresh()
    assert snapshot.error is None
    assert repos_of(snapshot) == {"acme/shop", "acme/docs"}
    assert set(snapshot.repo_errors) == {"acme/gone"}
    error = snapshot.repo_errors["acme/gone"]
    assert error.kind == "not_found" and "acme/gone" in error.message
    assert "\n" not in error.message and TOKEN not in error.message


@pytest.mark.parametrize("fault,kind", [
    (dict(status=502), "server"),
    (dict(status=403, rate_limited=False, message="Resource not accessible by integration"),
     "auth"),
    (dict(delay=3.0), "timeout"),
], ids=["502", "403", "timeout"])
async def test_one_failing_repository_keeps_its_last_rows_and_the_others_refresh(
        quick_github, standin, tmp_path, fault, kind):
    desk = Desk(quick_github, AGENTS, store=DeskStore(tmp_path / "desk.json"))
    first = await desk.refresh()
    docs_before = [p for p in first.pulls if p.pr.repo == "acme/docs"]
    assert docs_before and not first.repo_errors
    standin.push("acme/shop", 103)  # a change the next refresh must show
    standin.inject(**fault, times=None, path="graphql", body=DOCS_QUERIES)
    snapshot = await desk.refresh()
    assert snapshot.error is None
    assert set(snapshot.repo_errors) == {"acme/docs"}
    assert snapshot.repo_errors["acme/docs"].kind == kind
    assert snapshot.pull("acme/shop", 103).pr.head_sha == standin.pull("acme/shop", 103).head_sha
    assert [p for p in snapshot.pulls if p.pr.repo == "acme/docs"] == docs_before
    standin.clear_faults()
    healed = await desk.refresh()
    assert healed.repo_errors == {} and healed.error is None


async def test_every_repository_failing_is_the_desk_error(github, standin, tmp_path):
    desk = Desk(github, AGENTS, store=DeskStore(tmp_path / "desk.json"))
    first = await desk.refresh()
    standin.inject(502, times=None, path="graphql")
    snapshot = await desk.refresh()
    assert snapshot.error is not None and snapshot.error.kind == "server"
    assert snapshot.repo_errors == {}
    assert snapshot.pulls == first.pulls


async def test_a_repository_whose_issues_fail_is_its_lanes_error(github, standin, tmp_path):
    desk = Desk(github, AGENTS, store=DeskStore(tmp_path / "desk.json"))
    first = await desk.load_issues()
    standin.inject(404, times=None, path="^/repos/acme/docs/issues")
    snapshot = await desk.load_issues()
    assert snapshot.issues_error is None
    lanes = {lane.repo: lane for lane in snapshot.issues}
    assert lanes["acme/shop"].error is None and [i.number for i in lanes["acme/shop"].issues]
    assert lanes["acme/docs"].error.kind == "not_found"
    assert lanes["acme/docs"].issues == {ln.repo: ln for ln in first.issues}["acme/docs"].issues
    standin.inject(404, times=None, path="^/repos/acme/shop/issues")
    assert (await desk.load_issues()).issues_error.kind == "not_found"
