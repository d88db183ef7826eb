"""Checking `[[host]]` tables (machines reached with OpenSSH) and an agent's `host` key, with the
checker's own helpers (`TableChecker`, which `checker.Checker` is), so their problems read like
every other one (file, line, key).

>>> from orchestra_tui.config.checker import Checker
>>> checker = Checker()
>>> [host.name for host in check_hosts(checker, [{"name": "gpu", "ssh": "me@gpu"}])]
['gpu']
>>> check_agent_host(checker, {"host": "cpu"}, ("agent", 0)), checker.problems[0][1]
('cpu', 'no [[host]] named "cpu" (hosts: gpu)')
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from orchestra_tui.config.schema import HOST_NAME_PATTERN, HostConfig
from orchestra_tui.config.values import TableChecker
from orchestra_tui.config.values import type_name as _type_name
from orchestra_tui.config_locate import Path as KeyPath


def check_hosts(checker: TableChecker, value: object) -> tuple[HostConfig, ...]:
    """The `[[host]]` tables; their names go to `checker.host_names` for `agent.host`."""
    if isinstance(value, list) and not value:
        return ()
    if not isinstance(value, list):
        checker.problem(("host",), "expected [[host]] tables (an array of tables), got "
                        + _type_name(value))
        return ()
    hosts: list[HostConfig] = []
    for index, table in enumerate(value):
        where: KeyPath = ("host", index)
        if not isinstance(table, dict):
            checker.problem(where, f"expected a table, got {_type_name(table)}")
            continue
        host = _host(checker, table, where)
        if host is not None:
            checker.host_names.add(host.name)
            hosts.append(host)
    return tuple(hosts)


def _host(checker: TableChecker, table: dict[str, Any], where: KeyPath) -> HostConfig | None:
    checker.unknown_keys(table, [f.name for f in fields(HostConfig)], where, "in [[host]]")
    before = len(checker.problems)
    name = checker.text(table, "name", where, required=True)
    if isinstance(table.get("name"), str) and not HOST_NAME_PATTERN.match(name):
        checker.problem(where + ("name",), f'"{name}" is not a host name (letters, digits, '
                        "_ . - only: it prefixes its pane ids, as in gpu:%3)")
    elif name in checker.host_names:
        checker.problem(where + ("name",), f'duplicate host name "{name}"')
    ssh = checker.text(table, "ssh", where, required=True)
    if isinstance(table.get("ssh"), str) and (not ssh.strip() or ssh.startswith("-")
                                              or any(c.isspace() for c in ssh)):
        checker.problem(where + ("ssh",), f'"{ssh}" is not an ssh destination (an alias of '
                        "~/.ssh/config, user@host or ssh://user@host:port)")
    socket_name = checker.text(table, "socket_name", where) or None
    socket_path = checker.text(table, "socket_path", where) or None
    if socket_name and socket_path:
        checker.problem(where + ("socket_path",),
                        "set socket_name or socket_path, not both (as tmux -L or -S)")
    host = HostConfig(
        name=name, ssh=ssh, ssh_options=tuple(checker.strings(table, "ssh_options", where)),
        socket_name=socket_name, socket_path=socket_path,
        connect_timeout=checker.number(table, "connect_timeout", where, HostConfig),
        tmux=checker.text(table, "tmux", where) or "tmux")
    return host if len(checker.problems) == before else None


def check_agent_host(checker: TableChecker, table: dict[str, Any], where: KeyPath) -> str:
    """An agent's `host`: "" (this machine) or the name of a `[[host]]` of the file."""
    host = checker.text(table, "host", where)
    if "host" in table and isinstance(table["host"], str) and host not in checker.host_names:
        names = ", ".join(sorted(checker.host_names)) or "none in this file"
        checker.problem(where + ("host",), f'no [[host]] named "{host}" (hosts: {names})')
    return host
