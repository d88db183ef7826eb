"""How the checker names a TOML value's type in its problems ("expected a table, got
string"), shared by the checker and the `[[host]]` checks.

>>> type_name(True), type_name([]), type_name(1.5)
('boolean', 'array', 'float')
"""

from __future__ import annotations

import datetime


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
