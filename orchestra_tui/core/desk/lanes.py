"""Which agent owns a pull request: its lane is a repository and a glob of head branches.

>>> from orchestra_tui.models import AgentSpec
>>> agents = [AgentSpec("api", repo="acme/shop", branch="api/*"),
...           AgentSpec("any", repo="acme/shop")]
>>> owner_of("Acme/Shop", "api/retry", agents)
'api'
>>> owner_of("acme/shop", "docs/typo", agents)
'any'
>>> owner_of("acme/other", "api/retry", agents) is None
True
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from orchestra_tui.models import AgentSpec


def owner_of(pr_repo: str, head_ref: str, agents: Sequence[AgentSpec]) -> str | None:
    """The first agent, in config order, whose `repo` is the PR's repository (case-insensitive,
    as GitHub names are) and whose `branch` glob matches the head branch (case-sensitive, as git
    branches are). None when no lane claims it: the PR is unassigned and still shown."""
    repo = pr_repo.strip().lower()
    for agent in agents:
        if not agent.repo or agent.repo.strip().lower() != repo:
            continue
        if fnmatch.fnmatchcase(head_ref, agent.branch or "*"):
            return agent.name
    return None
