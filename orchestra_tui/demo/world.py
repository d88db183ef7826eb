"""The demo's world: an isolated tmux server with four simulated agents in their lanes, and the
GitHub stand-in with their PRs, both inside that one tmux server so that killing it leaves
nothing behind. The shop's agents work in worktrees of a local clone (`shop_repo.py`), so the
PR loop reads real git: a conflict's files, the conflict radar's pair.

The stand-in runs in a window of the demo's own tmux server rather than in orchestra's process:
`orchestra demo --keep` can then leave everything running after the app quits.

A world records its owner (the `orchestra demo` process: pid and start time) in an `owner` file
in its directory and in its tmux server's `@orchestra-demo-owner` option. A demo killed with
SIGKILL cannot clean up after itself, so the next `orchestra demo` removes every world whose
owner is gone (`remove_abandoned_worlds`); a world left on purpose (`--keep`) is marked kept.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import tomli_w

from orchestra_tui.demo.shop_repo import make_shop
from orchestra_tui.errors import OrchestraError
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.services.tmux.service import TmuxService

DEMO_TOKEN = "demo-token-not-a-secret"
PREFIX = "orchestra-demo-"  # of the world's directory and of its tmux socket name
OWNER_FILE = "owner"
OWNER_OPTION = "@orchestra-demo-owner"
KEPT = "kept"
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
    lane: str = ""  # a [[lane]] of LANES: its own worktree of the shop's clone


DEMO_AGENTS = (
    DemoAgent("api", "claude", "acme/shop", "api/*",
              "Migrations run through CI only; never against the shared database.",
              first_prompt="Fix the webhook retry limit from PR #101 [work 6] "
                           "[approve alembic upgrade head]", lane="shop-api"),
    DemoAgent("web", "codex", "acme/shop", "web/*",
              "Front-end only; keep bundle size under 200 KB.",
              first_prompt="Work on issue #91: export orders as CSV [work 900]",
              lane="shop-web"),
    DemoAgent("docs", "codex", "acme/docs", "*",
              "Docs only; every page builds with `make docs`.",
              queue=("Proofread webhooks.md and fix the typo Maria found",
                     "Then add a 'Retries' section that links PR #101")),
    DemoAgent("ingest", "claude", "acme/shop", "ingest/*",
              "ArgoCD watches k8s/: every change goes through git, never kubectl apply.",
              context=14, lane="shop-ingest"),
)

# The shop's lanes (their `path`, the clone, is filled in per world): api's failed checks go
# to it unasked; a branch more than 2 commits behind main is an inbox item (web's PR #102).
LANES = (
    {"name": "shop-api", "repo": "acme/shop", "branch": "api/*", "autoroute": ["ci"],
     "behind_limit": 2},
    {"name": "shop-web", "repo": "acme/shop", "branch": "web/*", "behind_limit": 2},
    {"name": "shop-ingest", "repo": "acme/shop", "branch": "ingest/*"},
)


@dataclass
class DemoWorld:
    socket_name: str
    directory: Path
    config_path: Path
    data_dir: Path
    api_url: str
    token: str = DEMO_TOKEN

    def app_argv(self, orchestra: list[str]) -> list[str]:
        """The command line that opens the app on this world (`orchestra` is how to run
        orchestra itself: its absolute path, or `python -m orchestra_tui`)."""
        return [*orchestra, "--config", str(self.config_path), "-L", self.socket_name,
                "--data-dir", str(self.data_dir)]

    def reach_instructions(self, orchestra: list[str]) -> str:
        app = f"GH_TOKEN={self.token} {shlex.join(self.app_argv(orchestra))}"
        # tmux leaves its socket file behind when the server is killed.
        socket = str(tmux_socket_dir() / self.socket_name)
        stop = (f"{shlex.join(['tmux', '-L', self.socket_name, 'kill-server'])}; "
                f"{shlex.join(['rm', '-rf', str(self.directory), socket])}")
        return (f"The demo is still running.\n"
                f"  app:       {app}\n"
                f"  agents:    {shlex.join(['tmux', '-L', self.socket_name, 'attach'])}\n"
                f"  GitHub:    {self.api_url}  (token {self.token})\n"
                f"  stop it:   {stop}")


def _agent_argv(agent: DemoAgent, directory: Path) -> list[str]:
    argv = [sys.executable, "-m", "orchestra_tui.demo.fake_agent", "--flavor", agent.flavor,
            "--name", agent.name, "--log", str(directory / f"{agent.name}.prompts.jsonl"),
            "--work-seconds", "6"]
    if agent.context is not None:
        argv += ["--context", str(agent.context)]
    return argv


def _config(world_socket: str, api_url: str, directory: Path, clone: Path,
            trees: dict[str, Path]) -> dict:
    return {
        "tmux": {"socket_name": world_socket},
        "github": {"api_url": api_url, "refresh_seconds": 15},
        "lane": [{**lane, "path": str(clone)} for lane in LANES],
        "agent": [{"name": agent.name, "tool": agent.flavor, "repo": agent.repo,
                   "branch": agent.branch, "target": agent.name, "policy": agent.policy,
                   "cwd": str(trees.get(agent.name, directory)),
                   **({"lane": agent.lane} if agent.lane else {}),
                   # Restart (R) starts this: the same simulated agent, context back to full.
                   "command": shlex.join(_agent_argv(replace(agent, context=None), directory))}
                  for agent in DEMO_AGENTS],
    }


async def start_world(directory: Path | None = None) -> DemoWorld:
    """Start a world owned by this process. Cancelling it part way removes what it started."""
    directory = directory or Path(tempfile.mkdtemp(prefix=PREFIX))
    socket_name = f"{PREFIX}{uuid.uuid4().hex[:8]}"
    owner = process_identity(os.getpid())
    # Written before the server exists: a run killed from here on leaves a world the next
    # demo can find and remove.
    _write_owner(directory, {"owner": owner, "socket_name": socket_name})
    tmux = TmuxService.from_options(socket_name=socket_name, config_file="/dev/null")
    try:
        api_url = await _start_standin(tmux, directory)
        await tmux.run("set-option", "-g", OWNER_OPTION, owner)
        clone, trees = await asyncio.to_thread(make_shop, directory)
        for agent in DEMO_AGENTS:
            await tmux.start(_agent_argv(agent, directory),
                             cwd=str(trees.get(agent.name, directory)),
                             session=agent.name, width=110, height=32)
        config_path = directory / "config.toml"
        config_path.write_text(
            tomli_w.dumps(_config(socket_name, api_url, directory, clone, trees)),
            encoding="utf-8")
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
    await _remove_world(world.socket_name, world.directory)


async def keep_world(world: DemoWorld) -> None:
    """Mark the world as left on purpose: later demos do not remove it as abandoned."""
    _write_owner(world.directory, {"owner": KEPT, "socket_name": world.socket_name})
    tmux = TmuxService.from_options(socket_name=world.socket_name, config_file="/dev/null")
    await tmux.run("set-option", "-g", OWNER_OPTION, KEPT, check=False)


async def _remove_world(socket_name: str, directory: Path | None) -> None:
    tmux = TmuxService.from_options(socket_name=socket_name, config_file="/dev/null")
    try:
        said = (await tmux.run("display-message", "-p", "#{pid}", check=False)).stdout.strip()
    except OrchestraError:  # no server answers
        said = ""
    await tmux.kill_server()
    if said.isdigit():
        await _ended_or_killed(int(said))
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
    socket = tmux_socket_dir() / socket_name
    if socket.is_socket():
        socket.unlink(missing_ok=True)  # tmux leaves it behind, killed or not


async def _ended_or_killed(pid: int, within: float = 5.0) -> None:
    """Wait for the killed server's process to end; one still there after `within` seconds is
    killed outright (under load a server told to exit was seen alive 30 s later, holding on to
    control clients its killed owner had left attached)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:  # not ours: never touched
            return
        await asyncio.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# -- worlds whose owner is gone ---------------------------------------------------------------

def process_identity(pid: int) -> str:
    """`pid:start` where /proc gives the process's start time (a reused pid then does not
    pass for the owner), else `pid`."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            # Field 22 (start time); fields 3.. follow the command name's closing parenthesis.
            start = handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return str(pid)
    return f"{pid}:{start}"


def owner_alive(owner: str) -> bool:
    """True for a kept world and for an owner process that still runs (same start time)."""
    if owner == KEPT:
        return True
    pid_text = owner.split(":", 1)[0]
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, and someone else's
    return ":" not in owner or process_identity(pid) in (owner, str(pid))


def tmux_socket_dir() -> Path:
    """Where `tmux -L NAME` puts its socket (tmux's own rule)."""
    return Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"


def _write_owner(directory: Path, record: dict) -> None:
    (directory / OWNER_FILE).write_text(json.dumps(record), encoding="utf-8")


def _read_owner(directory: Path) -> dict | None:
    try:
        record = json.loads((directory / OWNER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


async def remove_abandoned_worlds(*, root: Path | None = None) -> list[str]:
    """Remove the worlds (tmux server, its agents and stand-in, directory) of earlier demos
    whose owner process is gone; the names of the servers removed. Worlds live in `root` (the
    temp dir). A directory without an owner file is not a world this code started: it stays."""
    removed: list[str] = []
    claimed: set[str] = set()
    for directory in Path(root or tempfile.gettempdir()).glob(f"{PREFIX}*"):
        record = _read_owner(directory)
        if record is None:
            continue
        socket_name = str(record.get("socket_name") or "")
        claimed.add(socket_name)
        if owner_alive(str(record.get("owner") or "")):
            continue
        if socket_name.startswith(PREFIX):
            await _remove_world(socket_name, directory)
            removed.append(socket_name)
        else:
            shutil.rmtree(directory, ignore_errors=True)
    for socket in tmux_socket_dir().glob(f"{PREFIX}*"):
        if socket.name in claimed:
            continue
        tmux = TmuxService.from_options(socket_name=socket.name, config_file="/dev/null")
        try:
            result = await tmux.run("show-options", "-gv", OWNER_OPTION, check=False)
        except OrchestraError:  # no server answers: a socket file left by a killed server
            socket.unlink(missing_ok=True)
            continue
        owner = result.stdout.strip()
        if result.returncode == 0 and owner and not owner_alive(owner):
            await _remove_world(socket.name, None)
            removed.append(socket.name)
    return removed


async def _start_standin(tmux: TmuxService, directory: Path) -> str:
    pane = await tmux.start([sys.executable, "-m", "orchestra_tui.demo.standin",
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
    await asyncio.sleep(0.1)
