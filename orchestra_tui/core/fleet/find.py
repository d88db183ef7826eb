"""Find and group agents: the one matching the app's `/` filter, the grid and
`orchestra status --filter` share, and the groups of `G` (host, lane/repo, state).

A filter is words; an agent matches when every word is found, case-insensitively, in one of its
fields (name, lane, repo, branch, host, tool, issue, state, reason). `field:word` looks in that
field alone (`host:gpu`, `state:approval`, `issue:90`).

>>> from orchestra_tui.models import AgentSpec, AgentStatus, State
>>> spec = AgentSpec(name="api-1", repo="acme/api", host="gpu", lane="api")
>>> view = AgentView(AgentStatus(name="api-1", pane_id="%1", tool="codex", state=State.IDLE,
...                              reason="idle: composer ready", spec=spec))
>>> [matches(view, text) for text in ("", "api", "API gpu", "host:gpu", "host:api", "web")]
[True, True, True, True, False, False]
>>> matches(view, "#90", issue="#90"), matches(view, "issue:9", issue="#90")
(True, True)
>>> group_key(view, Grouping.HOST), group_key(view, Grouping.LANE), Grouping.NONE.next()
('gpu', 'api', <Grouping.HOST: 'host'>)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from orchestra_tui.core.fleet.state import AgentView
from orchestra_tui.models import ATTENTION_ORDER, State

__all__ = ["FIELDS", "Group", "Grouping", "agent_fields", "filter_views", "group_key",
           "group_views", "matches"]

FIELDS = ("name", "lane", "repo", "branch", "host", "tool", "issue", "state", "reason")
LOCAL_HOST = "local"  # the group and the `host:` field of agents on this machine's tmux
NO_LANE = "no lane"


class Grouping(StrEnum):
    """What `G` groups the fleet by, in the order it cycles."""

    NONE = "none"
    HOST = "host"
    LANE = "lane"
    STATE = "state"

    def next(self) -> Grouping:
        order = list(Grouping)
        return order[(order.index(self) + 1) % len(order)]


@dataclass(frozen=True)
class Group:
    """The agents of one group, in the order they came, and how many of them need the person."""

    key: str
    views: tuple[AgentView, ...]

    @property
    def needing(self) -> int:
        return sum(1 for view in self.views if view.needs_person)


def _host(view: AgentView) -> str:
    spec, pane = view.status.spec, view.pane
    host = (spec.host if spec is not None else "") or (pane.host if pane is not None else "")
    return host or LOCAL_HOST


def agent_fields(view: AgentView, issue: str = "") -> dict[str, str]:
    """What the filter looks in, lower-cased: an agent's every name for itself and its work."""
    status, spec = view.status, view.status.spec
    fields = {
        "name": status.name,
        "lane": spec.lane if spec is not None else "",
        "repo": spec.repo if spec is not None else "",
        "branch": (view.work.branch if view.work is not None
                   else spec.branch if spec is not None and spec.branch != "*" else ""),
        "host": _host(view),
        "tool": status.tool,
        "issue": issue,
        "state": str(status.state),
        "reason": status.reason,
    }
    return {key: value.lower() for key, value in fields.items()}


def _word_matches(word: str, fields: Mapping[str, str]) -> bool:
    field, colon, wanted = word.partition(":")
    if colon and field in FIELDS:
        return wanted in fields[field]
    return any(word in value for value in fields.values())


def matches(view: AgentView, text: str, *, issue: str = "") -> bool:
    """`view` is among what `text` asks for (no text: everyone)."""
    words = text.lower().split()
    if not words:
        return True
    fields = agent_fields(view, issue)
    return all(_word_matches(word, fields) for word in words)


def filter_views(views: Iterable[AgentView], text: str,
                 issues: Mapping[str, str] | None = None) -> tuple[AgentView, ...]:
    """The views `text` matches, in their order; `issues` names each agent's issue ("#90")."""
    known = issues or {}
    return tuple(view for view in views if matches(view, text, issue=known.get(view.name, "")))


def group_key(view: AgentView, grouping: Grouping) -> str:
    if grouping is Grouping.HOST:
        return _host(view)
    if grouping is Grouping.LANE:
        spec = view.status.spec
        if spec is None:
            return NO_LANE
        return spec.lane or spec.repo or NO_LANE
    if grouping is Grouping.STATE:
        return str(view.status.state)
    return ""


def _group_rank(grouping: Grouping) -> Callable[[Group], tuple[int, int, str]]:
    def rank(group: Group) -> tuple[int, int, str]:
        # Groups where someone needs the person first; states in attention order.
        if grouping is Grouping.STATE:
            return (0, ATTENTION_ORDER.get(State(group.key), 99), group.key)
        return (0 if group.needing else 1, 0, group.key)
    return rank


def group_views(views: Iterable[AgentView], grouping: Grouping) -> tuple[Group, ...]:
    """`views` cut into groups (one group of all for `NONE`), each keeping the order given."""
    ordered = tuple(views)
    if grouping is Grouping.NONE:
        return (Group("", ordered),)
    buckets: dict[str, list[AgentView]] = {}
    for view in ordered:
        buckets.setdefault(group_key(view, grouping), []).append(view)
    groups = [Group(key, tuple(members)) for key, members in buckets.items()]
    return tuple(sorted(groups, key=_group_rank(grouping)))
