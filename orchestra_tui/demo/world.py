"""The demo's world: an isolated tmux server with four simulated agents in their lanes, and the
GitHub stand-in with their PRs, both inside that one tmux server so that killing it leaves
nothing behind.

The stand-in runs in a window of the demo's own tmux server rather than in orchestra's process:
`orchestra demo --keep` can then leave everything running after the app quits.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import tomli_w

from orchestra_tui.errors import OrchestraError
from orchestra_tui.services.store import QueueStore
from orchestra_tui.services.tmux import TmuxService

DEMO_TOKEN = "demo-token-not-a-secret"
STANDIN_READY = re.compile(r"GitHub stand-in at (http://127\.0\.0\.1:\d+)")


@dataclass(frozen=True)
class DemoAgent:
    name: str
    flavor: str
    repo: str
    branch: str
    policy: str
    first_prompt: str | None = None
    context: int | None = None
    queue: tuple[str, ...] = ()


DEMO_AGENTS = (
    DemoAgent("api", "claude", "acme/shop", "api/*",
              "Migrations run through CI only; never against the shared database.",
              first_prompt="Fix the webhook retry limit from PR #101 [work 6] "
                           "[approve alembic upgrade head]"),
    DemoAgent("web", "codex", "acme/shop", "web/*",
              "Front-end only; keep bundle size under 200 KB.",
              first_prompt="Work on issue #91: export orders as CSV [work 900]"),
    DemoAgent("docs", "codex", "acme/docs", "*",
              "Docs only; every page builds with `make docs`.",
              queue=("Proofread webhooks.md and fix the typo Maria found",
                     "Then add a 'Retries' section that links PR #101")),
    DemoAgent("ingest", "claude", "acme/shop", "ingest/*",
              "ArgoCD watches k8s/: every change goes through git, never kubectl apply.",
              context=14),
)


@dataclass
class DemoWorld:
    socket_name: str
    directory: Path
    config_path: Path
    data_dir: Path
    api_url: str
    token: str = DEMO_TOKEN

    def reach_instructions(self) -> str:
        return (f"The demo is still running.\n"
                f"  app:       GH_TOKEN={self.token} orchestra --config {self.config_path}\n"
                f"  agents:    tmux -L {self.socket_name} attach\n"
                f"  GitHub:    {self.api_url}  (token {self.token})\n"
                f"  stop it:   tmux -L {self.socket_name} kill-server; rm -r {self.directory}")


def _agent_argv(agent: DemoAgent, directory: Path) -> list[str]:
    argv = [sys.executable, "-m", "orchestra_tui.demo.fake_agent", "--flavor", agent.flavor,
            "--name", agent.name, "--log", str(directory / f"{agent.name}.prompts.jsonl"),
            "--work-seconds", "6"]
    if agent.context is not None:
        argv += ["--context", str(agent.context)]
    return argv


def _config(world_socket: str, api_url: str, directory: Path) -> dict:
    return {
        "tmux": {"socket_name": world_socket},
        "github": {"api_url": api_url, "refresh_seconds": 15},
        "agent": [{"name": agent.name, "tool": agent.flavor, "repo": agent.repo,
                   "branch": agent.branch, "target": agent.name, "policy": agent.policy,
                   "cwd": str(directory),
                   # Restart (R) starts this: the same simulated agent, context back to full.
                   "command": shlex.join(_agent_argv(replace(agent, context=None), directory))}
                  for agent in DEMO_AGENTS],
    }


async def start_world(directory: Path | None = None) -> DemoWorld:
    directory = directory or Path(tempfile.mkdtemp(prefix="orchestra-demo-"))
    socket_name = f"orchestra-demo-{uuid.uuid4().hex[:8]}"
    tmux = TmuxService.from_options(socket_name=socket_name, config_file="/dev/null")
    try:
        api_url = await _start_standin(tmux, directory)
        for agent in DEMO_AGENTS:
            await tmux.start(_agent_argv(agent, directory), cwd=str(directory),
                             session=agent.name, width=110, height=32)
        config_path = directory / "config.toml"
        config_path.write_text(tomli_w.dumps(_config(socket_name, api_url, directory)), encoding="utf-8")
        data_dir = directory / "data"
        _seed_queues(data_dir)
        await _first_prompts(tmux)
    except BaseException:
        await tmux.kill_server()
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return DemoWorld(socket_name=socket_name, directory=directory, config_path=config_path,
                     data_dir=data_dir, api_url=api_url)


async def stop_world(world: DemoWorld) -> None:
    tmux = TmuxService.from_options(socket_name=world.socket_name, config_file="/dev/null")
    await tmux.kill_server()
    shutil.rmtree(world.directory, ignore_errors=True)


async def _start_standin(tmux: TmuxService, directory: Path) -> str:
    pane = await tmux.start([sys.executable, "-m", "orchestra_tui.demo.github_standin",
                             "--port", "0"], cwd=str(directory), session="github")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        screen = (await tmux.capture([pane.pane_id])).get(pane.pane_id, "")
        if found := STANDIN_READY.search(screen):
            return found.group(1)
        await _pause()
    raise OrchestraError("the demo's GitHub stand-in did not start within 15 s")


def _seed_queues(data_dir: Path) -> None:
    store = QueueStore(data_dir)
    store.load()
    for agent in DEMO_AGENTS:
        for text in agent.queue:
            store.add(agent.name, text, source="demo")
        if agent.queue:
            # Held so the new user sees a queue; `p` resumes and orchestra sends it on idle.
            store.set_paused(agent.name, True)


async def _first_prompts(tmux: TmuxService) -> None:
    panes = {pane.session_name: pane.pane_id for pane in await tmux.list_panes()}
    deadline = time.monotonic() + 15
    for agent in DEMO_AGENTS:
        if not agent.first_prompt:
            continue
        pane_id = panes[agent.name]
        while "for shortcuts" not in (await tmux.capture([pane_id])).get(pane_id, ""):
            if time.monotonic() > deadline:
                raise OrchestraError(f"the demo agent {agent.name} did not start")
            await _pause()
        await tmux.send_text(pane_id, agent.first_prompt)


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.1)
