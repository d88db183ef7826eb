"""Which agent CLI runs in each tmux pane, from the pane's process tree.

`pane_current_command` alone is not enough: Claude Code and Codex run under `node` (or show a
version number), aider under `python`. So the processes below each pane's pid are read from
/proc (`task/*/children`, `cmdline`), falling back to one `ps -A` per call, and the closest
process whose command line names an agent decides. What a command line names is `agents`'
knowledge (`agents.tool_from_command`), the one place tool and shell names live.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass

from orchestra_tui.agents import tool_from_command
from orchestra_tui.models import PaneInfo
from orchestra_tui.services.tmux.port import ProcessTable, TmuxPort


@dataclass(frozen=True)
class DiscoveredPane:
    pane: PaneInfo
    argv: str  # command line of the process that decided (or the pane's own process)
    tool: str | None  # codex, claude, gemini, aider, shell or None


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
    return parse_ps(out)


def parse_ps(out: str) -> dict[int, tuple[int, str]]:
    """`ps -o pid=,ppid=,args=` output as pid -> (ppid, argv) (here, or from another host)."""
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


def classify_pane(pane: PaneInfo, table: ProcessTable) -> DiscoveredPane:
    """The nearest process under the pane that runs an agent decides; a shell only counts
    when no agent runs anywhere below it."""
    for pid in descendants(pane.pid, table):
        argv = table[pid][1]
        tool = tool_from_command(argv)
        if tool and tool != "shell":
            return DiscoveredPane(pane=pane, argv=argv, tool=tool)
    tool = tool_from_command(pane.current_command)
    own = table[pane.pid][1] if pane.pid in table else pane.current_command
    if tool == "shell" and pane.dead:
        tool = None
    return DiscoveredPane(pane=pane, argv=own, tool=tool)


async def discover_agent_panes(service: TmuxPort,
                               panes: list[PaneInfo] | None = None) -> list[DiscoveredPane]:
    """Every pane with the agent it runs (tool None when neither an agent nor a shell).

    One `list-panes` (skipped when `panes` is given) and one process-table read per machine
    per call: pids are per machine, so a host's table is read there."""
    if panes is None:
        panes = await service.list_panes()
    tables = await service.process_tables(panes)
    return [classify_pane(pane, tables.get(pane.host, {})) for pane in panes]
