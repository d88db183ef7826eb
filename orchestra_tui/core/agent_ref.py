"""Which agent a name given on the command line means: every name the app shows is accepted.

An agent is named by its name (`api`), by its name qualified with its host (`devbox:r2`, as the
fleet view shows an agent on a `[[host]]`), or by its pane's id (`%3` on this machine's tmux
server, `devbox:%3` on a host's). A name the fleet holds as it is comes first: a discovered
agent may be named after its pane's tmux target (`work:1.0`).

>>> from orchestra_tui.models import AgentSpec
>>> specs = [AgentSpec(name="api"), AgentSpec(name="r2", host="devbox", target="%3")]
>>> [resolve_agent(text, specs, ()) for text in ("api", "devbox:r2", "r2", "devbox:%3")]
['api', 'r2', 'r2', 'r2']
>>> resolve_agent("%9", specs, ()) is None  # a pane that is no agent: for `send` alone
True
>>> resolve_agent("gpu:r2", specs, ())
Traceback (most recent call last):
...
orchestra_tui.errors.AgentNotFound: no agent named 'gpu:r2' (known: api, devbox:r2)
"""

from __future__ import annotations

from collections.abc import Iterable

from orchestra_tui.core.fleet.state import AgentView
from orchestra_tui.errors import AgentNotFound
from orchestra_tui.models import AgentSpec

__all__ = ["is_pane_id", "resolve_agent", "shown_name"]


def is_pane_id(text: str) -> bool:
    """`%3` or `host:%3`."""
    pane = text.rpartition(":")[2] if ":%" in text else text
    return pane.startswith("%") and pane[1:].isdigit()


def shown_name(spec: AgentSpec, host: str = "") -> str:
    """The name as the fleet view shows it: `host:name` for an agent on a host."""
    where = spec.host or host
    return f"{where}:{spec.name}" if where else spec.name


def _pane_id(spec: AgentSpec) -> str | None:
    """The pane id a spec's target names, qualified with its host (`devbox:%3`)."""
    target = spec.target
    if not target or not target.startswith("%"):
        return None
    return f"{spec.host}:{target}" if spec.host else target


def resolve_agent(text: str, specs: Iterable[AgentSpec],
                  views: Iterable[AgentView]) -> str | None:
    """The fleet's name of the agent `text` means; None when `text` is a pane id that no agent
    of the fleet holds (a bare pane, which only `send` takes). `specs` are the fleet's agents,
    `views` its last snapshot (pane ids and hosts of discovered agents; empty before the first
    tick). Raises `AgentNotFound`, naming the agents as the fleet view shows them."""
    specs = list(specs)
    views = list(views)
    hosts = {view.name: view.pane.host for view in views if view.pane is not None}
    by_name = {spec.name: spec for spec in specs}
    if text in by_name:
        return text
    if is_pane_id(text):
        for view in views:
            if view.status.pane_id == text:
                return view.name
        for spec in specs:
            if _pane_id(spec) == text:
                return spec.name
        return None
    host, _, name = text.partition(":")
    named = by_name.get(name)
    if name and named is not None and (named.host or hosts.get(name, "")) == host:
        return name
    known = ", ".join(shown_name(spec, hosts.get(spec.name, "")) for spec in specs)
    raise AgentNotFound(f"no agent named {text!r} (known: {known or 'none'})")
