"""`orchestra inbox [--json]`: open PRs in the agents' repos, their gates and review threads."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Sequence

from orchestra_tui.agents.inert import visible_controls
from orchestra_tui.bootstrap import Boot, boot
from orchestra_tui.core.desk.inbox import (
    InboxData,
    build_inbox,
    inbox_to_json,
    repos_of,
    summary_line,
)
from orchestra_tui.models import AgentSpec


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inbox", help="review threads and merge gates of the agents' pull requests")
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    parser.set_defaults(func=run)


async def _fetch(booted: Boot, repos: list[str], timeout: float | None) -> InboxData:
    async with booted.github(timeout=timeout) as github:
        return await build_inbox(github, repos, booted.config.agents)


def run(args: argparse.Namespace) -> int:
    booted = boot(args, read_only=True)
    agents = booted.config.agents
    repos = repos_of(agents, booted.config.github.repos)
    if not repos:
        if args.json:
            print(json.dumps({"pulls": [], "rate_limit": {}}, indent=2))
        else:
            print("no repositories: give an [[agent]] a `repo`, or list them in [github] repos")
        return 0
    data = asyncio.run(_fetch(booted, repos, getattr(args, "timeout", None)))
    if args.json:
        print(json.dumps(inbox_to_json(data), indent=2, ensure_ascii=False))
    else:
        # GitHub's strings come with their controls visible already (services.github_parse);
        # the table is made safe once more as a whole: nothing printed here is ever obeyed.
        print(visible_controls(render_table(data, agents)))
    return 0


def render_table(data: InboxData, agents: Sequence[AgentSpec]) -> str:
    """Grouped by agent (config order, unassigned last), one block per PR."""
    lanes = {a.name: f"{a.repo} {a.branch}" for a in agents}
    lines: list[str] = []
    current: object = object()
    for item in data.pulls:
        pr, gate = item.pr, item.gate
        if pr.agent != current:
            current = pr.agent
            if lines:
                lines.append("")
            lines.append(f"{pr.agent}  ({lanes.get(pr.agent, '')})" if pr.agent
                         else "unassigned")
        verdict = (f"ready to merge at {gate.head_sha[:7]}" if gate.ready
                   else "not ready: " + "; ".join(gate.reasons))
        lines.append(f"  {pr.repo}#{pr.number}  {pr.title}")
        lines.append(f"      {verdict}")
        for thread in pr.threads:
            where = f"{thread.path}:{thread.line}" if thread.line is not None else thread.path
            severity = (thread.severity or "-").ljust(8)
            lines.append(f"      {severity} {where}  {thread.author}: "
                         f"{summary_line(thread.body, 70)}")
    if not data.pulls:
        lines.append("no open pull requests")
    limit = data.rate_limit
    if limit.remaining is not None:
        reset = (time.strftime(" (resets %H:%M)", time.localtime(limit.reset_at))
                 if limit.reset_at else "")
        cost = (f", this refresh cost {data.refresh_cost} points"
                if data.refresh_cost is not None else "")
        lines.append("")
        lines.append(f"GitHub rate limit: {limit.remaining}/{limit.limit} left{reset}{cost}")
    return "\n".join(lines)
