"""How the checker names a TOML value's type in its problems ("expected a table, got
string"), shared by the checker and the `[[host]]` checks.

>>> type_name(True), type_name([]), type_name(1.5)
('boolean', 'array', 'float')
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from orchestra_tui.config_locate import Path as KeyPath


def type_name(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, datetime.datetime):
        return "datetime"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, datetime.time):
        return "time"
    return type(value).__name__


class TableChecker(Protocol):
    """What the table checks of `config/` (hosts, tools, notify, rules, budgets) use of the
    checker (`checker.Checker` is one): its problems, the host and tool names seen so far, and
    its typed readers of a table's keys."""

    problems: list[tuple[KeyPath, str, bool]]
    host_names: set[str]
    tool_names: set[str]

    def problem(self, where: KeyPath, message: str) -> None: ...

    def unknown_keys(self, table: Mapping[str, Any], known: Sequence[str], where: KeyPath,
                     label: str) -> None: ...

    def text(self, table: Mapping[str, Any], key: str, where: KeyPath, *,
             required: bool = False, default: str = "") -> str: ...

    def strings(self, table: Mapping[str, Any], key: str, where: KeyPath) -> list[str]: ...

    def number(self, table: Mapping[str, Any], key: str, where: KeyPath,
               schema: type) -> float: ...

    def boolean(self, table: Mapping[str, Any], key: str, where: KeyPath,
                default: bool) -> bool: ...
