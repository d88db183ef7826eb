"""Which agent owns a PR: repo (case-insensitive) and branch glob, first match in config order."""

from __future__ import annotations

from orchestra_tui.core.desk.inbox import repos_of
from orchestra_tui.core.desk.lanes import owner_of
from orchestra_tui.models import AgentSpec

AGENTS = (
    AgentSpec("api", repo="acme/shop", branch="api/*"),
    AgentSpec("api-2", repo="acme/shop", branch="api/*"),
    AgentSpec("web", repo="Acme/Shop", branch="web/*"),
    AgentSpec("docs", repo="acme/docs"),
    AgentSpec("local", repo="", branch="*"),
)


def test_owner_by_repo_and_branch_glob() -> None:
    assert owner_of("acme/shop", "api/retry", AGENTS) == "api"  # first in config order
    assert owner_of("ACME/shop", "web/cart", AGENTS) == "web"
    assert owner_of("acme/docs", "anything/at-all", AGENTS) == "docs"  # default glob "*"


def test_unassigned_when_no_lane_matches() -> None:
    assert owner_of("acme/shop", "renovate/httpx", AGENTS) is None
    assert owner_of("acme/shop", "API/retry", AGENTS) is None  # git branches are case-sensitive
    assert owner_of("other/repo", "api/x", AGENTS) is None  # an agent without repo owns nothing
    assert owner_of("acme/shop", "api/x", ()) is None


def test_repos_of_agents_then_config_without_duplicates() -> None:
    assert repos_of(AGENTS, ["acme/docs", "acme/extra", "ACME/EXTRA", " "]) == [
        "acme/shop", "acme/docs", "acme/extra"]
