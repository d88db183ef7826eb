"""Reading the config: TOML read with `tomllib`, checked by `checker.Checker` into the schema's
frozen dataclasses, every problem collected into one `ConfigError` whose message has one line per
problem, each naming the file, the line (`config_locate`) and the key.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

from orchestra_tui.config.checker import Checker
from orchestra_tui.config.schema import Config
from orchestra_tui.config_locate import Path as KeyPath
from orchestra_tui.config_locate import line_of, locate
from orchestra_tui.errors import ConfigError
from orchestra_tui.paths import config_path, config_path_is_explicit, display_path


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read the config at `path`, else `$ORCHESTRA_CONFIG`, else the user config dir's.

    The default file missing gives an empty config (`exists=False`); a file the person named
    that is missing, unreadable or wrong raises `ConfigError`.
    """
    resolved = config_path(path)
    shown = display_path(resolved)
    try:
        data = resolved.read_bytes()
    except FileNotFoundError:
        if config_path_is_explicit(path):
            source = "--config" if path else "$ORCHESTRA_CONFIG"
            raise ConfigError(f"{shown}: no such config file (named by {source})") from None
        return Config(path=resolved, exists=False)
    except IsADirectoryError:
        raise ConfigError(f"{shown}: is a directory, not a config file") from None
    except OSError as error:
        raise ConfigError(f"{shown}: cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ConfigError(f"{shown}:{line}: not UTF-8 text (byte {error.start})") from None
    return parse_config(text, resolved)


def parse_config(text: str, path: Path) -> Config:
    """Check TOML `text` read from `path` into a `Config`, or raise one `ConfigError`. A
    byte order mark some editors put first (TOML has none) is not part of the document."""
    shown = display_path(path)
    text = text.removeprefix("\ufeff")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_syntax_message(shown, text, str(error))) from None
    except RecursionError:
        raise ConfigError(f"{shown}:1: TOML nested too deeply") from None
    try:
        lines = locate(text)
    except RecursionError:
        lines = {}
    checker = Checker()
    config = checker.config(document, path)
    if checker.problems:
        rendered = sorted(
            ((line_of(lines, where), _name(where) if named else "", message)
             for where, message, named in checker.problems),
            key=lambda problem: problem[0],
        )
        problems = [f"{shown}:{line}: {name}{message}" for line, name, message in rendered]
        raise ConfigProblems(problems)
    return config


class ConfigProblems(ConfigError):
    """Every problem the checker found in a file, one line each (`problems`), as one error."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


_SYNTAX = re.compile(r"^(?P<message>.*?) \((?:at line (?P<line>\d+), column (?P<column>\d+)"
                     r"|at end of document)\)$", re.S)
_LINE_KEY = re.compile(r"""^\s*\[*\s*(?P<key>[A-Za-z0-9_.\-"' ]+?)\s*(?:=|\])""")


def _syntax_message(shown: str, text: str, raw: str) -> str:
    match = _SYNTAX.match(raw)
    if match is None:
        return f"{shown}:1: TOML syntax error: {raw}"
    message = match["message"]
    if match["line"]:
        line, where = int(match["line"]), f"{match['line']}:{match['column']}"
    else:
        line = text.count("\n") + (0 if text.endswith("\n") else 1) or 1
        where = str(line)
    source_lines = text.splitlines()
    key = ""
    if 0 < line <= len(source_lines):
        key_match = _LINE_KEY.match(source_lines[line - 1])
        if key_match:
            key = f' near key "{key_match["key"].strip()}"'
    return f"{shown}:{where}: TOML syntax error{key}: {message}"


def _name(where: KeyPath) -> str:
    """`("agent", 1, "forbid")` -> `agent[2].forbid: ` (indices from 1); () -> ``."""
    if not where:
        return ""
    out = ""
    for part in where:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out + ": "
