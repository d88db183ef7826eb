"""Checking `[[tool]]` tables: a CLI orchestra has no built-in profile for, defined by its
markers, into the same `Profile` the built-in tools have (the engine reads it exactly as
theirs). Every pattern is compiled here, at load, so a bad one is a config problem naming its
file, line and key, never an error in the middle of a poll.

>>> from orchestra_tui.config.checker import Checker
>>> checker = Checker()
>>> [tool] = check_tools(checker, [{"name": "tinker", "composer": "^tinker> ",
...                                 "approve": ["a"], "deny": ["d"]}])
>>> tool.name, tool.keys.approve, checker.tool_names
('tinker', ('a',), {'tinker'})
>>> check_tools(checker, [{"name": "claude", "composer": "(", "typo": 1}])
()
>>> [message for _, message, _ in checker.problems]  # doctest: +NORMALIZE_WHITESPACE
['unknown key "typo" in [[tool]]', '"claude" is a built-in tool: name yours otherwise',
 "bad regular expression '(': missing ), unterminated subpattern at position 0"]
"""

from __future__ import annotations

import re
from typing import Any

from orchestra_tui.agents.names import RESERVED_TOOL_NAMES
from orchestra_tui.agents.profiles.base import Dialog, Keys, Marker, Profile, Rx
from orchestra_tui.config.values import TableChecker, type_name
from orchestra_tui.config_locate import Path as KeyPath

# The keys of a `[[tool]]`, in the order the README lists them.
TOOL_KEYS = ("name", "command", "signatures", "composer", "working", "finished", "errors",
             "dialog", "options", "approve", "deny", "continue_text", "types_while_working")
# A tool's name is written in `tool = "…"` and `--tool …`, and shown in every row.
TOOL_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
# Each signature found on a screen adds this much to the tool's score (detect_tool picks the
# best score of at least 2), as the strongest signatures of the built-in profiles weigh.
SIGNATURE_WEIGHT = 5


def check_tools(checker: TableChecker, value: object) -> tuple[Profile, ...]:
    """The `[[tool]]` tables as profiles; their names go to `checker.tool_names`, which the
    `tool` key of `[[agent]]` and `[[lane]]` accepts."""
    if isinstance(value, list) and not value:
        return ()
    if not isinstance(value, list):
        checker.problem(("tool",), "expected [[tool]] tables (an array of tables), got "
                        + type_name(value))
        return ()
    profiles: list[Profile] = []
    for index, table in enumerate(value):
        where: KeyPath = ("tool", index)
        if not isinstance(table, dict):
            checker.problem(where, f"expected a table, got {type_name(table)}")
            continue
        profile = _tool(checker, table, where)
        if profile is not None:
            checker.tool_names.add(profile.name)
            profiles.append(profile)
    return tuple(profiles)


def _tool(checker: TableChecker, table: dict[str, Any], where: KeyPath) -> Profile | None:
    checker.unknown_keys(table, TOOL_KEYS, where, "in [[tool]]")
    before = len(checker.problems)
    name = checker.text(table, "name", where, required=True)
    if isinstance(table.get("name"), str):
        if name in RESERVED_TOOL_NAMES:
            checker.problem(where + ("name",), f'"{name}" is a built-in tool: name yours '
                            "otherwise")
        elif not TOOL_NAME_PATTERN.match(name):
            checker.problem(where + ("name",), f'"{name}" is not a tool name (lower-case '
                            "letters, digits, - and _, starting with a letter)")
        elif name in checker.tool_names:
            checker.problem(where + ("name",), f'duplicate tool name "{name}"')
    if "composer" not in table:
        checker.problem(where + ("composer",), "missing (the row where the tool takes input: "
                        "without it the tool is never idle)")
    composer = _pattern(checker, table, "composer", where)
    dialog = _patterns(checker, table, "dialog", where)
    options = _pattern(checker, table, "options", where)
    keys = Keys(approve=_keys(checker, table, "approve", where),
                deny=_keys(checker, table, "deny", where))
    if dialog and not (keys.approve and keys.deny):
        checker.problem(where + ("approve" if not keys.approve else "deny",),
                        "missing: a tool with a dialog needs the keys that answer it")
    profile = Profile(
        name=name,
        command=_pattern(checker, table, "command", where),
        signatures=tuple((pattern, SIGNATURE_WEIGHT)
                         for pattern in _patterns(checker, table, "signatures", where)),
        composer=composer,
        working=_markers(checker, table, "working", where, "working row"),
        finished=_markers(checker, table, "finished", where, "turn over"),
        failed=_markers(checker, table, "errors", where, "error"),
        # A numbered list of `options` rows under a question is a dialog too, as the
        # built-in tools' are read (its last row is taken for the highlighted one).
        dialog=Dialog(standalone=tuple(("exec", pattern) for pattern in dialog),
                      cursor=options, option=options, default_kind="exec", structural=False),
        keys=keys,
        continue_text=checker.text(table, "continue_text", where, default="continue"),
        types_while_working=checker.boolean(table, "types_while_working", where, False),
    )
    return profile if len(checker.problems) == before else None


def _compile(checker: TableChecker, pattern: str, where: KeyPath) -> Rx | None:
    try:
        # As the built-in profiles' patterns are (`profiles.base.rx`): ^ and $ at each row.
        return re.compile(pattern, re.MULTILINE)
    except re.error as error:
        checker.problem(where, f"bad regular expression {pattern!r}: {error}")
        return None


def _pattern(checker: TableChecker, table: dict[str, Any], key: str,
             where: KeyPath) -> Rx | None:
    if key not in table:
        return None
    text = checker.text(table, key, where)
    if isinstance(table[key], str) and not text.strip():
        checker.problem(where + (key,), "must not be empty (an empty pattern matches any row)")
        return None
    return _compile(checker, text, where + (key,)) if text else None


def _patterns(checker: TableChecker, table: dict[str, Any], key: str,
              where: KeyPath) -> tuple[Rx, ...]:
    """An array of patterns; one string is taken as an array of one."""
    value = table.get(key, [])
    texts = [value] if isinstance(value, str) else checker.strings(table, key, where)
    compiled: list[Rx] = []
    for index, text in enumerate(texts):
        at = where + ((key,) if isinstance(value, str) else (key, index))
        if not text.strip():
            checker.problem(at, "must not be empty (an empty pattern matches any row)")
        elif (pattern := _compile(checker, text, at)) is not None:
            compiled.append(pattern)
    return tuple(compiled)


def _markers(checker: TableChecker, table: dict[str, Any], key: str, where: KeyPath,
             label: str) -> tuple[Marker, ...]:
    return tuple(Marker(label, pattern) for pattern in _patterns(checker, table, key, where))


def _keys(checker: TableChecker, table: dict[str, Any], key: str,
          where: KeyPath) -> tuple[str, ...]:
    """tmux key names, sent in order ("Enter", "Escape", "a", "C-c")."""
    value = table.get(key, [])
    names = [value] if isinstance(value, str) else checker.strings(table, key, where)
    for index, name in enumerate(names):
        if not name or any(ch.isspace() for ch in name):
            checker.problem(where + (key, index), f'"{name}" is not a tmux key name (as '
                            'send-keys takes it: "Enter", "Escape", "y", "C-c")')
            return ()
    return tuple(names)
