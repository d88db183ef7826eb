"""The config read for enforcement only, leniently: which agents and lanes ask to `enforce`,
whatever is wrong elsewhere in the file.

The app refuses a config with any problem (`check.load_config`); the pre-tool hook must not:
a typo in `[ui]` leaves every lane's enforcement as it was. Here every `[[agent]]` and
`[[lane]]` is kept as far as it reads, and a problem is tied to the table it is in. An agent
that asks to enforce (`enforce` set to anything but `false`, by itself or its lane) and has a
problem in its own table or its lane's is `broken`: the hook then denies its shell commands
(it cannot know what the lane forbids) and says why. A file that does not parse as TOML at all
is `unreadable`; its tables are salvaged one by one (each `[...]` header to the next), so an
agent that can still be seen to enforce is told apart from one that cannot.

>>> import tempfile; path = Path(tempfile.mkdtemp()) / "config.toml"
>>> _ = path.write_text('[ui]\\nthem = "x"\\n[[agent]]\\n"enforce" = true\\nname = "infra"\\n')
>>> read = read_enforcement(path)
>>> [a.name for a in read.agents if a.enforce], read.wants, read.broken, len(read.others)
(['infra'], frozenset({'infra'}), {}, 1)
>>> _ = path.write_text('[[agent]]\\nname = "infra"\\nenforce = true\\n[ui\\n')
>>> read = read_enforcement(path)
>>> read.wants, "TOML syntax error" in read.unreadable
(frozenset({'infra'}), True)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestra_tui.config.check import _name, _syntax_message
from orchestra_tui.config.checker import Checker
from orchestra_tui.config_locate import line_of, locate
from orchestra_tui.models import AgentSpec, LaneSpec
from orchestra_tui.paths import display_path

__all__ = ["Enforcement", "asks_to_enforce", "read_enforcement"]

_MISSING = object()
_HEADER = re.compile(r"^[ \t]*\[")
_TABLE = re.compile(r"^[ \t]*\[\[[ \t]*[\"']?(agent|lane)[\"']?[ \t]*\]\]")
_STRING_KEY = r"""^[ \t]*["']?{key}["']?[ \t]*=[ \t]*["']([^"'\n]*)["']"""
_ENFORCE_OFF = re.compile(r"""^[ \t]*["']?enforce["']?[ \t]*=[ \t]*false\b""", re.M)


@dataclass(frozen=True)
class Enforcement:
    """What the config says about enforcement. `agents`/`lanes`: every named table as far as it
    reads; `wants`/`lanes_wanting`: the names that ask to enforce; `broken` (agent name) and
    `broken_lanes` (lane name): the first problem of a table that asks to enforce, as an error
    line (`FILE:LINE: key: message`); `others`: the problems of the rest of the file (they turn
    nothing off); `unreadable`: why the file is not TOML at all ("" when it is)."""

    path: Path
    exists: bool = True
    agents: tuple[AgentSpec, ...] = ()
    lanes: tuple[LaneSpec, ...] = ()
    wants: frozenset[str] = frozenset()
    lanes_wanting: frozenset[str] = frozenset()
    broken: Mapping[str, str] = field(default_factory=dict)
    broken_lanes: Mapping[str, str] = field(default_factory=dict)
    others: tuple[str, ...] = ()
    unreadable: str = ""

    def agent(self, name: str) -> AgentSpec | None:
        return next((spec for spec in self.agents if spec.name == name), None)

    def lane(self, name: str) -> LaneSpec | None:
        return next((lane for lane in self.lanes if lane.name == name), None)


def asks_to_enforce(value: object) -> bool:
    """`enforce` written with any value but `false` asks for enforcement (`"yes"` is a wrong
    way to ask, not a way to decline)."""
    return value is not _MISSING and value is not False


def read_enforcement(path: Path, data: bytes | None = None) -> Enforcement:
    """The config at `path` (its bytes `data`, when already read) for enforcement."""
    path = Path(path)
    shown = display_path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return Enforcement(path, exists=False)
        except OSError as error:
            return Enforcement(path, unreadable=f"{shown}: cannot read: {error.strerror or error}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        return _salvaged(path, data.decode("utf-8", "replace"),
                         f"{shown}:{line}: not UTF-8 text (byte {error.start})")
    text = text.removeprefix("\ufeff")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return _salvaged(path, text, _syntax_message(shown, text, str(error)))
    except RecursionError:
        return _salvaged(path, text, f"{shown}:1: TOML nested too deeply")
    return _checked(path, text, document)


def _checked(path: Path, text: str, document: dict[str, Any]) -> Enforcement:
    shown = display_path(path)
    checker = Checker(keep_broken=True)
    config = checker.config(document, path)
    try:
        lines = locate(text)
    except RecursionError:
        lines = {}
    agent_tables = _tables(document, "agent")
    lane_tables = _tables(document, "lane")
    own: dict[tuple[str, int], list[tuple[int, str]]] = {}
    others: list[tuple[int, str]] = []
    for where, message, named in checker.problems:
        line = line_of(lines, where)
        rendered = (line, f"{shown}:{line}: {_name(where) if named else ''}{message}")
        if len(where) >= 2 and where[0] in ("agent", "lane") and isinstance(where[1], int):
            own.setdefault((str(where[0]), where[1]), []).append(rendered)
        else:
            others.append(rendered)
    lanes_wanting = {_text(table, "name") for table in lane_tables
                     if asks_to_enforce(table.get("enforce", _MISSING))}
    broken_lanes: dict[str, str] = {}
    for index, table in enumerate(lane_tables):
        name = _text(table, "name")
        if name in lanes_wanting and ("lane", index) in own and name not in broken_lanes:
            broken_lanes[name] = min(own[("lane", index)])[1]
    wants: set[str] = set()
    broken: dict[str, str] = {}
    for index, table in enumerate(agent_tables):
        name, lane = _text(table, "name"), _text(table, "lane")
        raw = table.get("enforce", _MISSING)
        if not (asks_to_enforce(raw) or (raw is _MISSING and lane in lanes_wanting)):
            continue
        wants.add(name)
        problems = own.get(("agent", index))
        if problems:
            broken.setdefault(name, min(problems)[1])
        elif lane in broken_lanes:
            broken.setdefault(name, broken_lanes[lane])
    for key, problems in own.items():
        if key[0] == "agent" and _text(agent_tables[key[1]], "name") not in wants:
            others.extend(problems)
        elif key[0] == "lane" and _text(lane_tables[key[1]], "name") not in lanes_wanting:
            others.extend(problems)
    return Enforcement(
        path, agents=tuple(a for a in config.agents if a.name), lanes=config.lanes,
        wants=frozenset(wants - {""}), lanes_wanting=frozenset(lanes_wanting - {""}),
        broken=broken, broken_lanes=broken_lanes,
        others=tuple(line for _, line in sorted(others)))


def _salvaged(path: Path, text: str, why: str) -> Enforcement:
    """A file that is not TOML: each table (`[...]` header to the next) read on its own; one
    that still fails gives its name, target and lane and whether it mentions `enforce`."""
    chunks: list[str] = []
    current: list[str] = []
    for line in text.splitlines(keepends=True):
        if _HEADER.match(line) and current:
            chunks.append("".join(current))
            current = []
        current.append(line)
    chunks.append("".join(current))
    agents: list[dict[str, Any]] = []
    lanes: list[dict[str, Any]] = []
    for chunk in chunks:
        try:
            document = tomllib.loads(chunk)
        except (tomllib.TOMLDecodeError, RecursionError):
            header = _TABLE.match(chunk)
            if header is not None:
                (agents if header[1] == "agent" else lanes).append(_guessed(chunk))
            continue
        agents += _tables(document, "agent")
        lanes += _tables(document, "lane")
    lanes_wanting = {_text(t, "name") for t in lanes if asks_to_enforce(t.get("enforce", _MISSING))}
    specs, wants = [], set()
    for table in agents:
        name, lane, raw = _text(table, "name"), _text(table, "lane"), table.get("enforce", _MISSING)
        enforce = asks_to_enforce(raw) or (raw is _MISSING and lane in lanes_wanting)
        if name:
            specs.append(AgentSpec(name=name, target=_text(table, "target"), lane=lane,
                                   tool=_text(table, "tool") or "auto",
                                   host=_text(table, "host"), enforce=enforce))
            if enforce:
                wants.add(name)
    lane_specs = tuple(LaneSpec(name=_text(t, "name"), enforce=_text(t, "name") in lanes_wanting)
                       for t in lanes if _text(t, "name"))
    return Enforcement(path, agents=tuple(specs), lanes=lane_specs, wants=frozenset(wants),
                       lanes_wanting=frozenset(lanes_wanting - {""}), unreadable=why)


def _guessed(chunk: str) -> dict[str, Any]:
    """The keys of a table that does not parse, as far as plain lines tell them."""
    table: dict[str, Any] = {}
    for key in ("name", "target", "lane", "tool", "host"):
        match = re.search(_STRING_KEY.format(key=key), chunk, re.M)
        if match is not None:
            table[key] = match[1]
    if "enforce" in chunk or "\\u" in chunk or "\\U" in chunk:
        table["enforce"] = _ENFORCE_OFF.search(chunk) is None
    return table


def _tables(document: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The tables of array `key`, a non-table as {} (indices stay the checker's)."""
    value = document.get(key, [])
    return [table if isinstance(table, dict) else {} for table in value] if isinstance(
        value, list) else []


def _text(table: Mapping[str, Any], key: str) -> str:
    value = table.get(key, "")
    return value if isinstance(value, str) else ""
