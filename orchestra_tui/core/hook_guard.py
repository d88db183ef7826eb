"""Guardrails that stop the command: the pre-tool hook's check of a shell command against the
lane's forbidden commands, for agents whose `[[agent]]` says `enforce = true`.

The hook program calls `check_command` for every shell command an agent is about to run. It
costs nothing for a config that never says `enforce` (the file's bytes are looked at first);
otherwise it finds the agent the pane belongs to (named on the hook's command line when
orchestra started the agent, else by matching the configured targets against this tmux
server's panes), matches the command with the same rules as the screen watch
(`core.guardrails`: the defaults plus the lane's `forbid`), and on a match journals an alert
and returns the verdict the hook turns into the tool's deny output.

>>> from orchestra_tui.models import AgentSpec
>>> spec = AgentSpec(name="infra", policy="ArgoCD watches k8s/", enforce=True)
>>> first_forbidden("cd infra && terraform destroy -auto-approve", spec)
('terraform destroy', 'terraform destroy -auto-approve')
>>> first_forbidden("terraform plan", spec) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchestra_tui.models import AgentSpec

# A config where no line sets `enforce` to anything but false enforces nothing: no need to
# parse it (a wrong value such as "yes" is parsed, and reported).
MARKER = re.compile(rb"(?m)^[ \t]*enforce[ \t]*=(?![ \t]*false\b)")
COMMAND_LIMIT = 200


@dataclass(frozen=True)
class Verdict:
    """A command denied before it ran: whose (`agent`), what rule (`label`), and the `reason`
    the agent's model reads."""

    agent: str
    label: str
    command: str
    reason: str


def first_forbidden(command: str, spec: AgentSpec) -> tuple[str, str] | None:
    """(label, offending command) of the first forbidden command in `command` (every line, every
    `&&`/`;`/`|` segment, wrappers such as `sudo` or `sh -c` looked through), else None."""
    from orchestra_tui.core.guardrails import forbidden_in, lane_rules

    rules = lane_rules(spec)
    for line in command.splitlines():
        found = forbidden_in(line, rules)
        if found:
            return found[0]
    return None


def deny_reason(spec: AgentSpec, label: str, command: str) -> str:
    policy = f" Lane policy: {spec.policy.strip()}" if spec.policy.strip() else ""
    return (f"orchestra denied this command before it ran: `{_clip(command)}` is forbidden for "
            f"agent {spec.name} ({label}).{policy} Do not work around this rule; if the change "
            "is needed, stop and ask the person.")


def agent_for(agents: Sequence[AgentSpec], name: str, pane_id: str) -> AgentSpec | None:
    """The configured agent running in `pane_id`: by `name` when the hook was told it, else the
    enforcing agent whose target is this pane."""
    if name:
        return next((spec for spec in agents if spec.name == name), None)
    enforcing = [spec for spec in agents if spec.enforce]
    if not enforcing or not pane_id:
        return None
    direct = [spec for spec in enforcing if (spec.target or "").startswith("%")]
    for spec in direct:
        if spec.target == pane_id:
            return spec
    named = [spec for spec in enforcing if spec not in direct]
    if not named:
        return None
    from orchestra_tui.core.binding import find_pane
    from orchestra_tui.services.hooks_tmux import panes_of_this_server

    panes = panes_of_this_server()
    for spec in named:
        pane = find_pane(spec.target or spec.name, panes)
        if pane is not None and pane.pane_id == pane_id:
            return spec
    return None


def check_command(command: str, *, config: Path, data_dir: Path | None, agent: str = "",
                  pane_id: str = "", now: float = 0.0) -> Verdict | None:
    """The verdict on `command` for the agent in `pane_id` under `config`, journaled when it
    denies; None when it may run (or nothing enforces, or the config cannot be read)."""
    try:
        data = Path(config).read_bytes()
    except OSError:
        return None
    if MARKER.search(data) is None:
        return None
    from orchestra_tui.config import load_config
    from orchestra_tui.errors import OrchestraError

    try:
        loaded = load_config(config)
    except OrchestraError as error:
        _journal(data_dir, "alert", agent or None, kind="hook", at=now,
                 text=f"enforcement skipped, the config is broken: {error}")
        return None
    spec = agent_for(loaded.agents, agent, pane_id)
    if spec is None or not spec.enforce:
        return None
    found = first_forbidden(command, spec)
    if found is None:
        return None
    label, offending = found
    verdict = Verdict(agent=spec.name, label=label, command=_clip(command),
                      reason=deny_reason(spec, label, offending))
    _journal(data_dir, "alert", spec.name, kind="forbid", at=now, denied=True, source="hook",
             text=f"{_clip(offending)} (forbidden: {label}; denied before it ran)",
             key=f"hook-deny:{pane_id}:{now:.6f}")
    return verdict


def _journal(data_dir: Path | None, event: str, agent: str | None, **fields: object) -> None:
    from orchestra_tui.services.journal import FILE_NAME, Journal

    path = Path(data_dir) / FILE_NAME if data_dir is not None else None
    try:
        Journal(path).append(event, agent, **fields)
    except OSError:
        pass  # the denial stands even when the record cannot be written


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= COMMAND_LIMIT else text[:COMMAND_LIMIT - 1] + "…"
