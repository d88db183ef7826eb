"""Checking what orchestra does while the person is away: `[notify]`, `[[rule]]`, and the
`resume_after_limit` / `resume_per_day` / `auto_approve` keys of agents and lanes, with the
checker's own helpers so their problems read like every other one (file, line, key).

A channel URL holds secrets: no message here quotes one (a bad URL is named by its position).

>>> from orchestra_tui.config.checker import Checker
>>> checker = Checker()
>>> check_notify(checker, {"quiet_hours": "22:00-07:00", "kinds": {"approval": ["push"]}})
... # doctest: +ELLIPSIS
NotifyConfig(terminal='osc9', ..., quiet_hours='22:00-07:00', ..., kinds=(('approval', ('push',)),))
>>> seconds("10m"), seconds("1h30m"), seconds(90), seconds("soon")
(600.0, 5400.0, 90.0, None)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from orchestra_tui.config.schema import (
    NOTIFY_KINDS,
    RULE_ACTIONS,
    RULE_STATES,
    TERMINAL_STYLES,
    NotifyConfig,
    RuleConfig,
)
from orchestra_tui.config.values import TableChecker, type_name
from orchestra_tui.config_locate import Path as KeyPath

CHANNEL_NAMES = ("terminal", "desktop", "push", "command")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$", re.I)


def seconds(value: object) -> float | None:
    """A duration: a number of seconds, or words like "90s", "10m", "1h30m"; None if neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) and value >= 0 else None
    if not isinstance(value, str):
        return None
    found = _DURATION.match(value)
    if not found or not any(found.groups()):
        return None
    hours, minutes, secs = (int(part or 0) for part in found.groups())
    return float(hours * 3600 + minutes * 60 + secs)


def quiet_hours_problem(text: str) -> str | None:
    try:
        start, end = text.split("-")
        dt.time.fromisoformat(start.strip())
        dt.time.fromisoformat(end.strip())
    except ValueError:
        return f'"{text}" is not HH:MM-HH:MM (e.g. "22:00-07:00")'
    return None


def regex_problem(pattern: str) -> str | None:
    """Why RE2 (linear time: agents' reasons are untrusted text) cannot run `pattern`."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        re2.compile(pattern, options)
    except Exception as error:  # re2 raises its own error type
        return f"bad regular expression {pattern!r} (RE2: {error})"
    return None


def _count(checker: TableChecker, table: Mapping[str, Any], key: str, where: KeyPath,
           default: int, least: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        checker.problem(where + (key,), f"expected an integer, got {type_name(value)}")
        return default
    if value < least:
        checker.problem(where + (key,), f"{value} is out of range (at least {least})")
        return default
    return value


def _flag(checker: TableChecker, table: Mapping[str, Any], key: str, where: KeyPath) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        checker.problem(where + (key,), f"expected true or false, got {type_name(value)}")
        return False
    return value


def check_notify(checker: TableChecker, table: Mapping[str, Any]) -> NotifyConfig:
    where: KeyPath = ("notify",)
    checker.unknown_keys(table, [f.name for f in fields(NotifyConfig)], where, "in [notify]")
    terminal = checker.text(table, "terminal", where, default="osc9")
    if terminal not in TERMINAL_STYLES:
        checker.problem(where + ("terminal",),
                        f'"{terminal}" is not one of {", ".join(TERMINAL_STYLES)}')
        terminal = "osc9"
    urls = checker.strings(table, "urls", where)
    for index, url in enumerate(urls):
        if "://" not in url:  # the URL itself is never quoted: it may hold a token
            checker.problem(where + ("urls", index),
                            "is not an apprise URL (scheme://…, e.g. ntfy://topic)")
    command = checker.strings(table, "command", where)
    if "command" in table and isinstance(table["command"], list) and not command:
        checker.problem(where + ("command",), "must name a program (an argv list)")
    quiet = checker.text(table, "quiet_hours", where)
    if quiet and (problem := quiet_hours_problem(quiet)):
        checker.problem(where + ("quiet_hours",), problem)
        quiet = ""
    return NotifyConfig(
        terminal=terminal, desktop=_flag(checker, table, "desktop", where), urls=tuple(urls),
        command=tuple(command), quiet_hours=quiet,
        per_minute=_count(checker, table, "per_minute", where, 6, 1),
        when_focused=_flag(checker, table, "when_focused", where),
        kinds=_kinds(checker, table.get("kinds", {}), where + ("kinds",)))


def _kinds(checker: TableChecker, value: object, where: KeyPath
           ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        checker.problem(where, f"expected a [notify.kinds] table, got {type_name(value)}")
        return ()
    routes = []
    for kind in value:
        if kind not in NOTIFY_KINDS:
            checker.problem(where + (kind,), f'"{kind}" is not an event kind '
                            f'({", ".join(NOTIFY_KINDS)})')
            continue
        names = checker.strings(value, kind, where)
        bad = [name for name in names if name not in CHANNEL_NAMES]
        if bad:
            checker.problem(where + (kind,), f'"{bad[0]}" is not a channel '
                            f'({", ".join(CHANNEL_NAMES)})')
            continue
        routes.append((kind, tuple(names)))
    return tuple(routes)


def check_rules(checker: TableChecker, value: object) -> tuple[RuleConfig, ...]:
    if isinstance(value, list) and not value:
        return ()
    if not isinstance(value, list):
        checker.problem(("rule",), "expected [[rule]] tables (an array of tables), got "
                        + type_name(value))
        return ()
    rules: list[RuleConfig] = []
    for index, table in enumerate(value):
        where: KeyPath = ("rule", index)
        if not isinstance(table, dict):
            checker.problem(where, f"expected a table, got {type_name(table)}")
            continue
        rule = _rule(checker, table, where)
        if rule is not None and any(other.name == rule.name for other in rules):
            checker.problem(where + ("name",), f'duplicate rule name "{rule.name}"')
        elif rule is not None:
            rules.append(rule)
    return tuple(rules)


def _rule(checker: TableChecker, table: Mapping[str, Any], where: KeyPath) -> RuleConfig | None:
    checker.unknown_keys(table, [f.name for f in fields(RuleConfig)], where, "in [[rule]]")
    before = len(checker.problems)
    name = checker.text(table, "name", where)
    if not name.strip():
        checker.problem(where + ("name",), "missing (every [[rule]] needs a name)")
    state = checker.text(table, "state", where, required=True)
    if state and state not in RULE_STATES:
        checker.problem(where + ("state",), f'"{state}" is not one of {", ".join(RULE_STATES)}')
    action = checker.text(table, "action", where, required=True)
    if action and action not in RULE_ACTIONS:
        checker.problem(where + ("action",),
                        f'"{action}" is not one of {", ".join(RULE_ACTIONS)}')
    if state == "approval" and action not in ("notify", ""):
        checker.problem(where + ("action",), "a rule never answers a permission dialog: "
                        'with state = "approval" only action = "notify" is allowed')
    prompt = checker.text(table, "prompt", where)
    if action == "queue" and not prompt.strip():
        checker.problem(where + ("prompt",), 'missing (action "queue" queues this prompt)')
    after = seconds(table.get("after", 600))
    if after is None:
        checker.problem(where + ("after",), 'expected seconds or a duration like "10m", got '
                        + (repr(table["after"]) if isinstance(table.get("after"), str)
                           else type_name(table.get("after"))))
    reason = checker.text(table, "reason", where)
    if reason and (problem := regex_problem(reason)):
        checker.problem(where + ("reason",), problem)
    per_day = _count(checker, table, "per_day", where, 3, 1)
    if len(checker.problems) != before:
        return None
    return RuleConfig(name=name, state=state, action=action, after=after or 0.0, reason=reason,
                      prompt=prompt, per_day=per_day)


def away_keys(checker: TableChecker, table: Mapping[str, Any], where: KeyPath
              ) -> dict[str, Any]:
    """The keys `[[agent]]` and `[[lane]]` share for the person's absence. `auto_approve`
    entries are commands, parsed by the guardrails' shell parser when the fleet is built."""
    approve = checker.strings(table, "auto_approve", where)
    for index, command in enumerate(approve):
        if not command.strip():
            checker.problem(where + ("auto_approve", index), "must not be empty")
    return dict(resume_after_limit=_flag(checker, table, "resume_after_limit", where),
                resume_per_day=_count(checker, table, "resume_per_day", where, 3, 1),
                auto_approve=tuple(approve))
