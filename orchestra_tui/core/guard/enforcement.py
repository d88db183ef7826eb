"""Where enforcement stands: which agents ask the pre-tool hook to deny their lane's forbidden
commands, which of them the hook must deny everything for (their settings cannot be read), and
every way enforcement an agent asks for is off, as one line each (`enforcement_problems`).

Enforcement is never silently off. The hook reads the config leniently (`config.lenient`): a
problem outside an agent's own table (or its lane's) changes nothing for it; a problem in it,
or a file that is not TOML at all, makes the hook deny that agent's shell commands with the
reason, when it can tell the agent enforces (its table, salvaged, or its record in
`agents.json`, written when `orchestra new` started it from an enforcing lane). When it cannot
tell, it lets the command run and the problem is here, for `orchestra hooks status`, the
fleet's alert and `orchestra status`.

>>> import tempfile; home = Path(tempfile.mkdtemp()); config = home / "config.toml"
>>> _ = config.write_text('[[agent]]\\nname = "infra"\\ntool = "aider"\\nenforce = true\\n'
...                       '[[agent]]\\nname = "web"\\nenforce = "yes"\\n')
>>> problems = enforcement_problems(config)
>>> problems["infra"]
'enforce is on, but aider has no pre-tool hook: its forbidden commands are only spotted on \
screen, not stopped'
>>> problems["web"].split("(", 1)[0], problems["web"].split(": ", 2)[1]
('enforce is on, but its settings have a problem ', 'agent[2].enforce')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from orchestra_tui.config.lenient import Enforcement, read_enforcement
from orchestra_tui.models import AgentRecord, AgentSpec
from orchestra_tui.paths import display_path

__all__ = ["HOOKED", "Standing", "enforcement_problems", "standing"]

HOOKED = ("claude", "codex", "gemini", "qwen", "copilot", "opencode")  # pre-tool hooks it runs
NO_HOOK = ("aider", "shell")
LANE_ENFORCED = ("policy", "forbid", "enforce")  # what a recorded agent takes from its lane now


@dataclass(frozen=True)
class Standing:
    """The agents the hook may have to enforce: `specs` (configured, then recorded agents
    another of the same name does not shadow), `wants` (names that ask to enforce), `broken`
    (name -> the problem that makes the hook deny everything for it), `unreadable` (why the
    config cannot be read at all, "" when it can)."""

    specs: tuple[AgentSpec, ...] = ()
    wants: frozenset[str] = frozenset()
    broken: Mapping[str, str] = field(default_factory=dict)
    unreadable: str = ""

    def enforcing(self) -> tuple[AgentSpec, ...]:
        return tuple(spec for spec in self.specs if spec.name in self.wants)


def standing(read: Enforcement, records: Sequence[AgentRecord] = ()) -> Standing:
    """The config as read for enforcement, with the recorded agents: a recorded agent takes
    its lane's policy, forbid and enforce as the config says them now, and keeps what it was
    started with when the lane is gone or the config unreadable."""
    unreadable = read.unreadable
    specs = list(read.agents)
    wants = set(read.wants)
    broken = dict(read.broken)
    names = {spec.name for spec in specs}
    for record in records:
        spec = record.spec
        if spec.name in names:
            continue
        names.add(spec.name)
        lane = read.lane(spec.lane) if spec.lane else None
        if lane is not None and not unreadable:
            spec = replace(spec, **{key: getattr(lane, key) for key in LANE_ENFORCED})
            if spec.lane in read.lanes_wanting:
                wants.add(spec.name)
                if spec.lane in read.broken_lanes:
                    broken[spec.name] = read.broken_lanes[spec.lane]
        elif spec.enforce or (lane is not None and lane.enforce):
            wants.add(spec.name)
        specs.append(spec)
    if not read.exists and wants:  # recorded agents that enforce, their config gone
        unreadable = f"{display_path(read.path)}: no such config file"
    if unreadable:
        broken.update({name: unreadable for name in wants})
    return Standing(specs=tuple(specs), wants=frozenset(wants), broken=broken,
                    unreadable=unreadable)


def enforcement_problems(config_path: Path, records: Sequence[AgentRecord] = ()
                         ) -> dict[str, str]:
    """Agent name -> one line saying how the enforcement it asks for is off or failing closed;
    "" -> a problem tied to no one agent (the config cannot be read, so the hook cannot tell
    which panes enforce). Empty when every agent that asks to enforce is enforced. The agents
    `orchestra new` recorded (`records`) are included."""
    now = standing(read_enforcement(Path(config_path)), records)
    problems: dict[str, str] = {}
    if now.unreadable:
        problems[""] = (f"orchestra cannot read its config ({now.unreadable}): the hook lets "
                        "run the commands of every agent it cannot tell enforces")
    for spec in now.enforcing():
        why = now.broken.get(spec.name)
        if why == now.unreadable and why:
            problems[spec.name] = ("enforce is on, but orchestra cannot read its config: the "
                                   "hook denies every shell command of this agent until it is "
                                   "fixed")
        elif why:
            problems[spec.name] = (f"enforce is on, but its settings have a problem ({why}): "
                                   "the hook denies every shell command of this agent until "
                                   "it is fixed")
        elif spec.tool in NO_HOOK or (spec.tool and spec.tool not in HOOKED):
            # a [[tool]]: orchestra runs no pre-tool hook of theirs.
            problems[spec.name] = (f"enforce is on, but {spec.tool} has no pre-tool hook: its "
                                   "forbidden commands are only spotted on screen, not stopped")
        elif spec.host:
            problems[spec.name] = (f"enforce is on, but it runs on host {spec.host}, where its "
                                   "hooks only report state: its forbidden commands are only "
                                   "spotted on screen, not stopped")
    return problems
