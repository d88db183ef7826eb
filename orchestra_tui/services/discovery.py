"""Which agent CLI runs in each tmux pane, from the pane's process tree.

`pane_current_command` alone is not enough: Claude Code and Codex run under `node` (or show a
version number), aider under `python`. So the processes below each pane's pid are read from
/proc (`task/*/children`, `cmdline`), falling back to one `ps -A` per call, and the closest
process whose command line names an agent decides.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from orchestra_tui.models import PaneInfo
from orchestra_tui.services.tmux import TmuxService

AGENTS = ("claude", "codex", "gemini", "aider")
SHELLS = frozenset({"bash", "zsh", "fish", "sh", "dash", "ksh", "tcsh", "csh", "nu", "xonsh"})
_PACKAGES = {
    "claude": re.compile(r"@anthropic-ai/claude-code|/claude/versions/"),
    "codex": re.compile(r"@openai/codex|(^|/)codex-\w+-(unknown|apple|pc)-"),
    "gemini": re.compile(r"@google/gemini-cli"),
    "aider": re.compile(r"aider/(main|__main__)\.py$"),
}
# Launchers whose following words name the real program: node cli.js, python -m aider, ...
_LAUNCHERS = re.compile(r"^(node|nodejs|bun|deno|npx|pnpm|yarn|env|uv|uvx|pipx|exec"
                        r"|python[\d.]*|pypy[\d.]*|run|x|dlx|-m)$")
_FAKE = "orchestra_tui.demo.fake_agent"


@dataclass(frozen=True)
class DiscoveredPane:
    pane: PaneInfo
    argv: str  # command line of the process that decided (or the pane's own process)
    tool: str | None  # codex, claude, gemini, aider, shell or None


# pid -> (ppid, argv as one string)
ProcessTable = Mapping[int, tuple[int, str]]


def local_tool_from_command(argv: str) -> str | None:
    """codex, claude, gemini or aider when `argv` runs one (directly, or under node, bun,
    python, npx); the simulated agent counts as its --flavor; None otherwise."""
    try:
        words = shlex.split(argv)
    except ValueError:
        words = argv.split()
    if _FAKE in words or any(word.endswith("demo/fake_agent.py") for word in words):
        flavor = re.search(r"--flavor[= ](\w+)", argv)
        return flavor.group(1) if flavor else "codex"
    for word in words[:8]:
        base = os.path.basename(word)
        stem = base.removesuffix(".js").removesuffix(".exe").removesuffix(".mjs")
        if stem in AGENTS:
            return stem
        for tool, pattern in _PACKAGES.items():
            if pattern.search(word):
                return tool
        if not (_LAUNCHERS.match(base) or word.startswith("-") or "=" in word):
            return None
    return None


def _tool_mapper() -> Callable[[str], str | None]:
    """The shared `agents.tool_from_command` when it exists; this module's own otherwise."""
    try:
        from orchestra_tui.agents import tool_from_command
    except ImportError:
        return local_tool_from_command

    def mapped(argv: str) -> str | None:
        tool = tool_from_command(argv)
        if tool in (None, "shell"):
            return local_tool_from_command(argv) or tool
        return tool

    return mapped


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _proc_tree(roots: list[int]) -> dict[int, tuple[int, str]] | None:
    """The processes under `roots` from /proc; None when /proc cannot tell children."""
    table: dict[int, tuple[int, str]] = {}
    todo = [(root, 0) for root in roots]
    seen: set[int] = set()
    while todo:
        pid, ppid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        cmdline = _read(f"/proc/{pid}/cmdline")
        if cmdline is None:
            continue
        argv = " ".join(shlex.quote(part) if " " in part else part
                        for part in cmdline.decode("utf-8", "replace").split("\0") if part)
        table[pid] = (ppid, argv or _comm(pid))
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            children = _read(f"/proc/{pid}/task/{task}/children")
            if children is None:
                return None
            todo += [(int(child), pid) for child in children.split()]
    return table


def _comm(pid: int) -> str:
    return (_read(f"/proc/{pid}/comm") or b"").decode("utf-8", "replace").strip()


def _ps_table() -> dict[int, tuple[int, str]]:
    """Every process from one `ps -A` (macOS, or a Linux without /proc children)."""
    try:
        out = subprocess.run(["ps", "-ww", "-o", "pid=,ppid=,args=", "-A"], capture_output=True,
                             text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    table: dict[int, tuple[int, str]] = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            table[int(parts[0])] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    return table


def process_table(roots: list[int]) -> ProcessTable:
    """pid -> (ppid, argv) for the processes under `roots` (blocking: call in a thread)."""
    table = _proc_tree(roots) if os.path.isdir("/proc/self/task") else None
    return table if table is not None else _ps_table()


def descendants(root: int, table: ProcessTable) -> list[int]:
    """`root` and the processes below it, nearest first."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _argv) in table.items():
        children.setdefault(ppid, []).append(pid)
    order, level = [], [root]
    while level:
        order += [pid for pid in level if pid in table]
        level = [child for pid in level for child in sorted(children.get(pid, ()))]
    return order


def classify_pane(pane: PaneInfo, table: ProcessTable,
                  mapper: Callable[[str], str | None] = local_tool_from_command) -> DiscoveredPane:
    """The nearest process under the pane that runs an agent decides; a shell only counts
    when no agent runs anywhere below it."""
    for pid in descendants(pane.pid, table):
        argv = table[pid][1]
        tool = mapper(argv)
        if tool and tool != "shell":
            return DiscoveredPane(pane=pane, argv=argv, tool=tool)
    tool = mapper(pane.current_command)
    own = table[pane.pid][1] if pane.pid in table else pane.current_command
    if tool and tool != "shell":
        return DiscoveredPane(pane=pane, argv=own, tool=tool)
    if not pane.dead and os.path.basename(pane.current_command).lstrip("-") in SHELLS:
        return DiscoveredPane(pane=pane, argv=own, tool="shell")
    return DiscoveredPane(pane=pane, argv=own, tool=None)


async def discover_agent_panes(service: TmuxService,
                               panes: list[PaneInfo] | None = None) -> list[DiscoveredPane]:
    """Every pane with the agent it runs (tool None when neither an agent nor a shell).

    One `list-panes` (skipped when `panes` is given) and one process-table read per call.
    The process table is read on this machine: for a remote runner this must move there."""
    if panes is None:
        panes = await service.list_panes()
    roots = [pane.pid for pane in panes if not pane.dead and pane.pid > 0]
    table = await asyncio.to_thread(process_table, roots)
    mapper = _tool_mapper()
    return [classify_pane(pane, table, mapper) for pane in panes]
