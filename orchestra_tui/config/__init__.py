"""The config file: TOML read with `tomllib`, checked into frozen dataclasses, written with
`tomli_w`. The schema (`schema.py`), the checker (`check.py`) and the writer (`write.py`) are
modules of this package; everything is imported from here.

Every problem is a `ConfigError` whose message has one line per problem, each naming the file,
the line and the key:

    ~/.config/orchestra/config.toml:14: agent[2].forbid: expected an array of strings, got integer
    ~/.config/orchestra/config.toml:7: unknown key "comand" in [[agent]] (did you mean "command"?)

`agent[2]` counts `[[agent]]` tables from 1, as a person reads the file.
"""

from __future__ import annotations

from orchestra_tui.config.check import load_config, parse_config
from orchestra_tui.config.schema import (
    ASSIGN_TEMPLATE_FIELDS,
    DEFAULT_ASSIGN_TEMPLATE,
    REPO_PATTERN,
    TOOL_CHOICES,
    Config,
    GitHubConfig,
    TmuxConfig,
    UiConfig,
    default_of,
    minimum_of,
)
from orchestra_tui.config.write import (
    STARTER_HEADER,
    render_config,
    render_starter_config,
    write_starter_config,
)

__all__ = [
    "ASSIGN_TEMPLATE_FIELDS", "Config", "DEFAULT_ASSIGN_TEMPLATE", "GitHubConfig", "REPO_PATTERN",
    "STARTER_HEADER", "TOOL_CHOICES", "TmuxConfig", "UiConfig", "default_of", "load_config",
    "minimum_of", "parse_config", "render_config", "render_starter_config",
    "write_starter_config",
]
