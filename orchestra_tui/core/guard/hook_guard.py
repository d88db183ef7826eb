"""Guardrails that stop the command: the pre-tool hook's check of a shell command against the
lane's forbidden commands, for agents whose `[[agent]]` says `enforce = true`.

The hook program calls `check_command` for every shell command an agent is about to run. It
costs nothing for a config that never says `enforce` (the file's bytes are looked at first);
otherwise it finds the agent the pane belongs to (named on the hook's command line when
orchestra started the agent, else by matching the configured targets against this tmux
server's panes), judges the commands it would run (`core.shell_judge`: a shell parser, the
built-in rules with the screen watch's labels, the lane's `forbid` regexes), and on a match
journals an alert and returns the verdict the hook turns into the tool's deny output. A command
that cannot be judged within the budget (too long, too slow, not shell) is denied: an
enforcing lane fails closed.

>>> from orchestra_tui.models import AgentSpec
>>> spec = AgentSpec(name="infra", policy="ArgoCD watches k8s/", enforce=True)
>>> first_forbidden("cd infra && terraform destroy -auto-approve", spec)
('terraform destroy', 'terraform destroy -auto-approve')
>>> first_forbidden("terraform plan", spec) is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestra_tui.models import AgentRecord, AgentSpec, PaneInfo

if TYPE_CHECKING:
    from orchestra_tui.core.guard.shell_judge import Judgement

# A config whose bytes hold none of these asks for no enforcement: no need to parse it. Any
# TOML key spelling `enforce` (bare, quoted, in an inline table) holds the word itself, or a
# \u / \U escape (the only escapes that make letters).
MARKERS = (b"enforce", b"\\u", b"\\U")
COMMAND_LIMIT = 200
ALLOWED = "allowed"
# Why a command could not be judged, as the agent's model reads it.
UNJUDGED_WHY = {
    "too_slow": "in time",
    "too_large": "(it, or a script it runs, is too long)",
    "too_deep": "(shells and scripts are nested too deep in it)",
    "unparsable": "(it does not parse as a shell command)",
    "error": "(orchestra's check of it failed)",
}


@dataclass(frozen=True)
class HookIO:
    """What the check reads and writes outside itself, handed in by the hook program
    (`commands/hook.py` builds it over the services, imported only when one is called, so a
    config that never says `enforce` costs no import): the agents file's bytes (None: none),
    the agents `orchestra new` recorded, this tmux server's panes, and a journal write."""

    agents_file: Callable[[], bytes | None]
    records: Callable[[], tuple[AgentRecord, ...]]
    panes: Callable[[], Sequence[PaneInfo]]
    journal: Callable[..., Any]  # (event, agent, **fields), like `Journal.append`


@dataclass(frozen=True)
class Verdict:
    """A command denied before it ran: whose (`agent`), what rule (`label`), and the `reason`
    the agent's model reads."""

    agent: str
    label: str
    command: str
    reason: str


def first_forbidden(command: str, spec: AgentSpec,
                    cwd: str | Path | None = None) -> tuple[str, str] | None:
    """(label, offending command) of the first forbidden command `command` would run (every
    simple command of every list, pipeline, substitution, wrapper and shell string, scripts it
    runs from `cwd`; see `core.shell_judge`), else None. A command that could not be judged is
    forbidden for an enforcing lane (fail closed) and allowed for an observing one.

    >>> first_forbidden("echo 'terraform destroy' | sh", AgentSpec("infra", enforce=True))
    ('terraform destroy', 'terraform destroy')
    >>> first_forbidden("x" * (3 << 20), AgentSpec("infra", enforce=True))[0]
    'too long to judge'
    >>> first_forbidden("x" * (3 << 20), AgentSpec("infra", enforce=False)) is None
    True
    """
    found = judge_for(command, spec, cwd)
    return (found.label, found.command) if found is not None else None


def judge_for(command: str, spec: AgentSpec, cwd: str | Path | None = None) -> Judgement | None:
    """The judgement that denies `command` for `spec`, else None (allowed)."""
    from orchestra_tui.core.guard.shell_judge import FORBIDDEN, judge

    found = judge(command, spec, cwd=cwd)
    if found.kind == FORBIDDEN or (found.kind != ALLOWED and spec.enforce):
        return found
    return None


def deny_reason(spec: AgentSpec, label: str, command: str, kind: str = "forbidden") -> str:
    policy = f" Lane policy: {spec.policy.strip()}" if spec.policy.strip() else ""
    if kind != "forbidden":
        return (f"orchestra could not judge this command {UNJUDGED_WHY.get(kind, kind)}; denied "
                f"because the lane enforces (agent {spec.name}).{policy} Run simpler, shorter "
                "commands, or stop and ask the person.")
    return (f"orchestra denied this command before it ran: `{_clip(command)}` is forbidden for "
            f"agent {spec.name} ({label}).{policy} Do not work around this rule; if the change "
            "is needed, stop and ask the person.")


def agent_for(agents: Sequence[AgentSpec], name: str, pane_id: str,
              panes: Callable[[], Sequence[PaneInfo]]) -> AgentSpec | None:
    """The agent running in `pane_id` among `agents` (those that ask to enforce): by `name`
    when the hook was told it, else the one whose target is this pane."""
    if name:
        return next((spec for spec in agents if spec.name == name), None)
    if not agents or not pane_id:
        return None
    direct = [spec for spec in agents if (spec.target or "").startswith("%")]
    for spec in direct:
        if spec.target == pane_id:
            return spec
    named = [spec for spec in agents if spec not in direct and not spec.host]
    if not named:
        return None
    from orchestra_tui.core.pane_binding import find_pane

    listed = panes()
    for spec in named:
        pane = find_pane(spec.target or spec.name, listed)
        if pane is not None and pane.pane_id == pane_id:
            return spec
    return None


def nothing_enforces(config_bytes: bytes, agents_file: bytes | None) -> bool:
    """True when neither the config nor the agents `orchestra new` recorded can ask for
    enforcement: the config never says `enforce` (a TOML key is those bytes, bare or quoted,
    unless a `\\u` escape spells it) and no record says `"enforce": true`."""
    if any(marker in config_bytes for marker in MARKERS):
        return False
    return agents_file is None or b'"enforce": true' not in agents_file


def check_command(command: str, *, config: Path, io: HookIO, agent: str = "",
                  pane_id: str = "", now: float = 0.0, cwd: str | Path | None = None,
                  started_enforcing: bool = False) -> Verdict | None:
    """The verdict on `command` (run in `cwd`) for the agent in `pane_id` under `config`,
    journaled when it denies; None when it may run. A problem elsewhere in the config changes
    nothing; an enforcing agent whose settings cannot be read, or whose command cannot be
    judged, is denied (fail closed); when the hook cannot tell whether the pane's agent
    enforces, the command runs and the journal says enforcement is unknown. An `agent` the
    hook was told was `started_enforcing` (at launch) is denied when the config cannot be read
    at all, even when no part of it can be salvaged."""
    try:
        data: bytes | None = Path(config).read_bytes()
    except FileNotFoundError:
        data = b""
    except OSError:
        data = None  # unreadable: `read_enforcement` says why
    if data is not None and not started_enforcing and nothing_enforces(data, io.agents_file()):
        return None
    from orchestra_tui.config.lenient import read_enforcement
    from orchestra_tui.core.guard.enforcement import standing

    read = read_enforcement(Path(config), data if data else None)
    state = standing(read, io.records())
    spec = agent_for(state.enforcing(), agent, pane_id, io.panes)
    if spec is None and agent and started_enforcing and not read.exists:
        state = replace(state, unreadable=f"{config}: no such config file")
    if spec is None and agent and started_enforcing and state.unreadable:
        spec = AgentSpec(name=agent, enforce=True)
        state = replace(state, broken={**state.broken, agent: state.unreadable})
    if spec is None:
        known = bool(agent) and any(other.name == agent for other in state.specs)
        if not known and (state.unreadable or state.broken):
            problem = state.unreadable or next(iter(state.broken.values()))
            _journal(io, "alert", agent or None, kind="hook", at=now,
                     text=f"enforcement skipped for this pane ({pane_id or 'no pane'}): "
                          f"orchestra cannot tell whether its agent enforces: {problem}")
        return None
    why = state.broken.get(spec.name)
    if why:
        label = "config unreadable"
        reason = (f"orchestra cannot read its config ({why}); denied because this lane "
                  f"enforces (agent {spec.name}). Ask the person to fix the config.")
        found_command, kind = command, "config"
    else:
        try:
            found = judge_for(command, spec, cwd)
        except Exception as error:  # an enforcing lane fails closed
            label, found_command, kind = f"check failed: {type(error).__name__}", command, "error"
        else:
            if found is None:
                return None
            label, found_command, kind = found.label, found.command, found.kind
        reason = deny_reason(spec, label, found_command, kind)
    verdict = Verdict(agent=spec.name, label=label, command=_clip(command), reason=reason)
    how = "forbidden" if kind == "forbidden" else "not judged"
    _journal(io, "alert", spec.name, kind="forbid", at=now, denied=True, source="hook",
             text=f"{_clip(found_command)} ({how}: {label}; denied before it ran)",
             key=f"hook-deny:{pane_id}:{now:.6f}")
    return verdict


def _journal(io: HookIO, event: str, agent: str | None, **fields: object) -> None:
    try:
        io.journal(event, agent, **fields)
    except Exception:
        pass  # the denial stands even when the record cannot be written


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= COMMAND_LIMIT else text[:COMMAND_LIMIT - 1] + "…"
