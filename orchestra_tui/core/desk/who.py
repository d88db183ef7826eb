"""Who works on what: per issue, the agents on it (the person assigned it from the app, or an
agent's open PR names it: `#N` in its title, or a head branch ending in `-N`/`/N`, as
`orchestra new --issue N` names them); per PR, the issues it addresses. Pure, over the desk.

>>> from orchestra_tui.models import PullRequest
>>> pr = PullRequest("acme/api", 7, "Fix login (#12)", "u", "codex/api-31", "s", "main",
...                  agent="api")
>>> pull_issues(pr)
(12, 31)
"""

from __future__ import annotations

import re

from orchestra_tui.core.desk.snapshot import DeskSnapshot
from orchestra_tui.models import PullRequest

__all__ = ["agent_issues", "issue_workers", "pull_issues"]

_TITLE_ISSUE = re.compile(r"(?<![\w/&])#(\d+)\b")
_BRANCH_ISSUE = re.compile(r"[-/_](\d+)$")

IssueKey = tuple[str, int]  # (repository in lower case, number)


def pull_issues(pr: PullRequest) -> tuple[int, ...]:
    """The issues `pr` addresses: `#N` in its title, then a number ending its head branch."""
    found = [int(number) for number in _TITLE_ISSUE.findall(pr.title)]
    branch = _BRANCH_ISSUE.search(pr.head_ref)
    if branch:
        found.append(int(branch.group(1)))
    return tuple(dict.fromkeys(found))


def issue_workers(desk: DeskSnapshot) -> dict[IssueKey, tuple[str, ...]]:
    """Per issue, the agents that work on it, by name, sorted."""
    workers: dict[IssueKey, set[str]] = {}
    for assignment in desk.assignments.values():
        workers.setdefault((assignment.repo.lower(), assignment.number), set()).add(
            assignment.agent)
    for pull in desk.pulls:
        if pull.pr.agent:
            for number in pull_issues(pull.pr):
                workers.setdefault((pull.pr.repo.lower(), number), set()).add(pull.pr.agent)
    return {key: tuple(sorted(names)) for key, names in workers.items()}


def agent_issues(desk: DeskSnapshot) -> dict[str, tuple[str, ...]]:
    """Per agent, the issues it works on (`#N`), in number order."""
    found: dict[str, set[int]] = {}
    for (_repo, number), names in issue_workers(desk).items():
        for name in names:
            found.setdefault(name, set()).add(number)
    return {name: tuple(f"#{number}" for number in sorted(numbers))
            for name, numbers in found.items()}
