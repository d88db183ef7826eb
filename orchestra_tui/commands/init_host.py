"""`orchestra init --host NAME [--print]`: find the agents running in tmux on a `[[host]]` of the
config (over ssh) and add one `[[agent]]` with `host = NAME` per agent pane to the config (or
print them). The config must exist and name the host: its `[[host]]` table says how to reach
it. Agents already in the config (same host and target) are left out."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace
from typing import Any

from orchestra_tui.commands.init_specs import specs_from_panes
from orchestra_tui.config import load_config, parse_config, render_config
from orchestra_tui.errors import ConfigError, OrchestraError
from orchestra_tui.paths import atomic_write, display_path


def run(args: argparse.Namespace) -> int:
    config = load_config(getattr(args, "config", None))
    shown = display_path(config.path)
    if not config.exists:
        raise ConfigError(f"{shown}: no config yet; write one with `orchestra init`, add a "
                          f"[[host]] named {args.host!r}, then run `orchestra init --host` again")
    host = config.host(args.host)
    if host is None:
        known = ", ".join(h.name for h in config.hosts) or "none"
        raise ConfigError(f"{shown}: no [[host]] named {args.host!r} (hosts: {known}); add "
                          'one with name and ssh (e.g. ssh = "me@gpu-box")')
    discovered = asyncio.run(_discover(args, host))
    taken = {spec.name for spec in config.agents}
    known_targets = {spec.target for spec in config.agents if spec.host == host.name}
    specs = []
    for spec in specs_from_panes(discovered):
        if spec.target in known_targets:
            continue
        name = spec.name if spec.name not in taken else f"{host.name}-{spec.name}"
        suffix = 2
        while name in taken:
            name, suffix = f"{host.name}-{spec.name}-{suffix}", suffix + 1
        taken.add(name)
        specs.append(replace(spec, name=name, host=host.name))
    if not specs:
        print(f"orchestra: no new AI coding agents found on host {host.name} "
              f"({len(discovered)} pane(s) there)", file=sys.stderr)
        return 1
    tables = render_config(specs)
    if getattr(args, "print_only", False):
        sys.stdout.write(tables)
        return 0
    text = config.path.read_text("utf-8")
    text = text + ("" if text.endswith("\n") or not text else "\n") + "\n" + tables
    parse_config(text, config.path)  # what is written loads back
    atomic_write(config.path, text.encode("utf-8"), mode=0o644)
    names = ", ".join(spec.name for spec in specs)
    print(f"added {len(specs)} agent(s) on host {host.name} to {shown}: {names}")
    return 0


async def _discover(args: argparse.Namespace, host: Any) -> list[Any]:
    from orchestra_tui.bootstrap import router_for, tmux_service
    from orchestra_tui.services.tmux.discovery import discover_agent_panes

    router = router_for(tmux_service(args), [host])
    try:
        panes = [pane for pane in await router.list_panes() if pane.host == host.name]
        if host.name in router.host_errors:
            raise OrchestraError(router.host_errors[host.name])
        found = await discover_agent_panes(router, panes=panes)
    finally:
        await router.aclose()
    return list(found)  # targets are `session:window.pane` there, read on the host
