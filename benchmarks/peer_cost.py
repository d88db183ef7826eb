"""A peer side by side: ccmanager (npm `ccmanager`, pinned) and orchestra over the same simulated
agents, alternating in one run.

    python benchmarks/peer_cost.py [--sessions 5,20,50] [--realism calm,real] [--seconds 10]
                                   [--settle 5] [--peer-dir DIR] [--no-hooks] [--quick]

Install (once, outside the repository; `--peer-dir` or ORCHESTRA_PEER_DIR picks another place):

    npm install --prefix ~/.cache/orchestra-bench/peer ccmanager@4.2.3 bun

ccmanager keeps each session in its own PTY and a headless terminal emulator, and reads every
session's state from it every 100 ms. Its npm launcher looks for a prebuilt platform package;
its own `dist/cli.js` runs under Bun as its `start` script does (`bun --no-env-file
dist/cli.js`). It needs a TTY, so it runs in a 200x50 pane of a tmux server of its own, with a
wrapper named `claude` first on its PATH that starts the simulated Claude Code. Sessions are
made as a person makes them: one git worktree each (`wt00`, `wt01`, ... of a small repository
in a temporary folder), selected in its menu (`/` to search, Enter), the work prompt typed
into every other one, Ctrl-E back to the menu, where it stays while measured.

Orchestra runs over the same number of the same simulated agents (the same flavour, realism
and worktrees, half working) in panes of a bench server, through a config with one
`[[agent]]` each, as `app_cost.py` runs it; its agents report through orchestra's hook program
as every agent it starts does (`--no-hooks`: read from their screens alone, as ccmanager
reads them).

Counted, as CPU % of one core over `--seconds`: for ccmanager, its whole process tree except
the simulated agents (Bun, every thread; processes it waited for, such as git) plus its own
tmux server (the terminal that shows it: nothing else runs there); for orchestra, its process,
its tmux clients and the bench server's work beyond its background rate (the agents' own
output, which tmux would parse without orchestra, taken over 10 s before the app and 10 s
after it; the terminal showing the app is in it).
The simulated agents themselves are counted for neither.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from _app import BACKGROUND_SECONDS, App, app_cpu, write_config
from _bench import (
    WORK_PROMPT,
    BenchServer,
    fake_agent_argv,
    parse_counts,
    print_machine,
    proc_cpu_ns,
    run_main,
    server_rate,
    set_working,
    start_agents,
    table,
)
from _sshd import descendants

from orchestra_tui.services.tmux.service import ControlModeRunner, TmuxService

DEFAULT_PEER_DIR = pathlib.Path.home() / ".cache" / "orchestra-bench" / "peer"
CCMANAGER_VERSION = "4.2.3"
RATIO_TARGET = 15.0  # issue 21, at 50 sessions
MENU = "Select a worktree"


def peer_paths(directory: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path] | None:
    """(bun, ccmanager's dist/cli.js) when installed at the pinned version."""
    bun = directory / "node_modules" / ".bin" / "bun"
    cli = directory / "node_modules" / "ccmanager" / "dist" / "cli.js"
    package = directory / "node_modules" / "ccmanager" / "package.json"
    if not (bun.exists() and cli.exists() and package.exists()):
        return None
    if f'"version": "{CCMANAGER_VERSION}"' not in package.read_text():
        return None
    return bun, cli


def make_worktrees(root: pathlib.Path, count: int) -> list[pathlib.Path]:
    repo = root / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    (repo / "README.md").write_text("a repository for the benchmark's sessions\n")
    subprocess.run([*git, "add", "README.md"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "init"], check=True)
    paths = []
    for index in range(count):
        path = root / f"wt{index:02d}"
        subprocess.run([*git, "worktree", "add", "-q", "-b", path.name, str(path)], check=True)
        paths.append(path)
    return paths


class Peer:
    """ccmanager in a pane of its own tmux server, its sessions made through its menu."""

    def __init__(self, bun: pathlib.Path, cli: pathlib.Path, work: pathlib.Path,
                 realism: str) -> None:
        self.server = BenchServer("orch-bench-peer")
        self.reader = TmuxService(ControlModeRunner(self.server.runner))
        run = pathlib.Path(tempfile.mkdtemp(prefix=f"ccmanager-{realism}-", dir=work))
        self.home, bin_dir = run / "home", run / "bin"
        self.home.mkdir()
        bin_dir.mkdir()
        wrapper = bin_dir / "claude"
        # `--name` from the worktree: each session's agent has its own seed for its bursts.
        argv = fake_agent_argv("NAME", flavor="claude", realism=realism)
        wrapper.write_text("#!/bin/sh\nexec " + shlex.join(argv).replace(
            "NAME", '"$(basename "$PWD")"') + "\n")
        wrapper.chmod(0o755)
        # PATH is set in the command: tmux gives a new pane its server's global PATH.
        self.command = shlex.join([
            "env", f"HOME={self.home}", f"XDG_STATE_HOME={self.home / 'state'}",
            f"PATH={bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            f"PYTHONPATH={pathlib.Path(__file__).resolve().parent.parent}",
            str(bun), "--no-env-file", str(cli)])
        self.pane_id, self.pid = "", 0

    async def start(self, worktrees: list[pathlib.Path], working: int) -> None:
        pane = await self.server.tmux.start("exec " + self.command,
                                            cwd=str(worktrees[0].parent / "repo"),
                                            session="ccmanager", width=200, height=50)
        self.pane_id, self.pid = pane.pane_id, pane.pid
        await self.wait(lambda s: MENU in s and worktrees[0].name in s, 60, "its menu")
        for index, path in enumerate(worktrees):
            await self.select(index)
            await self.keys("Enter")
            await self.wait(lambda s: MENU not in s and "? for shortcuts" in s, 30,
                            f"session {path.name}")
            if index < working:
                await self.keys(WORK_PROMPT, literal=True)
                await self.keys("Enter")
                await self.wait(lambda s: "esc to interrupt" in s, 30, "the session working")
            await self.keys("C-e")
            await self.wait(lambda s: MENU in s, 30, "the menu again")

    async def select(self, index: int) -> None:
        """Move the menu's highlight to worktree `wt<index>` with the arrow keys, as a person
        does (its search drops keys typed while it mounts; its digits reach only ten)."""
        for _ in range(400):
            text = await self.wait(lambda s: MENU in s and _highlighted(s) is not None, 10,
                                   "a highlighted row")
            at = _highlighted(text)
            if at == index:
                return
            await self.keys("Down" if at is None or at < index else "Up")
            try:
                await self.wait(lambda s, before=at: _highlighted(s) != before, 5,
                                "the highlight to move")
            except SystemExit:
                pass  # a key lost while it redrew (a loaded machine): look and press again
        raise SystemExit(f"ccmanager: could not highlight wt{index:02d}")

    async def keys(self, text: str, *, literal: bool = False) -> None:
        await self.server.tmux.run("send-keys", "-t", self.pane_id, *(["-l", text] if literal
                                                                     else [text]))

    async def wait(self, predicate, timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = (await self.reader.capture([self.pane_id])).get(self.pane_id, "")
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                raise SystemExit(f"ccmanager: timed out waiting for {what}; screen:\n{text}")
            await asyncio.sleep(0.05)

    def agents(self) -> set[int]:
        return {pid for pid in descendants(self.pid) if b"fake_agent" in _cmdline(pid)}

    def cpu_ns(self, agents: set[int]) -> tuple[int, int]:
        """(its process tree but the agents, its tmux server)."""
        tree = proc_cpu_ns(self.pid, children=True)
        tree += sum(_cpu(pid) for pid in descendants(self.pid) if pid not in agents)
        return tree, _cpu(self.server_pid)

    async def measure(self, seconds: float) -> dict:
        self.server_pid = await self.server.pid()
        agents = self.agents()
        tree0, term0 = self.cpu_ns(agents)
        started = time.perf_counter()
        await asyncio.sleep(seconds)
        tree1, term1 = self.cpu_ns(agents)
        wall = time.perf_counter() - started
        return {"own": (tree1 - tree0) / wall / 1e7, "terminal": (term1 - term0) / wall / 1e7,
                "sessions": len(agents)}

    async def stop(self) -> None:
        await self.reader.aclose()
        self.server.kill()


def _highlighted(screen: str) -> int | None:
    """The number of the highlighted `wtNN` row; -1 for another row; None when none is."""
    for line in screen.splitlines():
        if line.startswith("❯"):
            found = re.search(r"❯ wt(\d\d)\b", line)
            return int(found.group(1)) if found else -1
    return None


def _cmdline(pid: int) -> bytes:
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _cpu(pid: int) -> int:
    try:
        return proc_cpu_ns(pid)
    except (OSError, ValueError):
        return 0


async def orchestra_cost(worktrees: list[pathlib.Path], working: int, realism: str,
                         work: pathlib.Path, args: argparse.Namespace) -> dict:
    with BenchServer() as server:
        names = [f"agent{i:03d}" for i in range(len(worktrees))]
        agents = []
        # With --hooks they report as every agent orchestra starts does (the app's data dir).
        hook = (f"{sys.executable} -m orchestra_tui.commands.hook --tool claude "
                f"--data-dir {work / 'data' / 'orchestra'}") if args.hooks else ""
        for name, path in zip(names, worktrees):  # each in its worktree, as in ccmanager
            agents += await start_agents(server, [name], flavor="claude", realism=realism,
                                         cwd=path, hook=hook)
        await set_working(server, agents[:working])
        pid = await server.pid()
        await asyncio.sleep(1.0)
        background = await server_rate(pid, min(BACKGROUND_SECONDS, args.seconds))
        config = work / f"orchestra-{realism}-{len(agents)}.toml"
        write_config(config, agents, None)
        app = App(server, config, work)
        await app.start(min(len(agents), 40))
        try:
            await asyncio.sleep(args.settle)
            cpu = await app_cpu(app, pid, args.seconds, background)
        finally:
            await app.stop()
        # As app_cost.py: the server's background, before and after the app, averaged.
        after = await server_rate(pid, min(BACKGROUND_SECONDS, args.seconds))
    server = max(0.0, cpu["server_all"] - (background + after) / 2 / 1e7)
    return {"own": cpu["own"] + cpu["clients"], "server": server}


PEER_ATTEMPTS = 3


async def peer_cost(paths, worktrees: list[pathlib.Path], working: int, realism: str,
                    work: pathlib.Path, args: argparse.Namespace) -> dict:
    """ccmanager's cost, started afresh when it stalls in its menu (now and then it draws no
    session's screen after Enter, on a loaded machine): nothing is measured until it runs."""
    for attempt in range(1, PEER_ATTEMPTS + 1):
        peer = Peer(*paths, work, realism)
        try:
            await peer.start(worktrees, working)
            await asyncio.sleep(args.settle)
            return await peer.measure(args.seconds)
        except SystemExit as stalled:
            if attempt == PEER_ATTEMPTS:
                raise
            print(f"{str(stalled).splitlines()[0]} (attempt {attempt}): starting it again",
                  file=sys.stderr)
        finally:
            await peer.stop()
    raise AssertionError("unreachable")


HOOKS_NOTE = "; orchestra's agents report through their hooks"


async def main_async(args: argparse.Namespace) -> int:
    paths = peer_paths(args.peer_dir)
    assert paths is not None
    counts = parse_counts(args.sessions)
    modes = [m for m in args.realism.split(",") if m]
    print_machine(f"a peer side by side: ccmanager {CCMANAGER_VERSION} (under Bun) and "
                  "orchestra over the same simulated agents")
    print(f"agents: the simulated Claude Code, half working, one git worktree each; modes: "
          f"{', '.join(modes)} (calm: the working screen changes once a second; real: 10 "
          f"frames/s, streamed bursts, silent idle); {args.settle:g} s settle, CPU over "
          f"{args.seconds:g} s; ccmanager and orchestra alternate"
          f"{HOOKS_NOTE if args.hooks else ''}. "
          "CPU % is of one core.")
    sys.stdout.flush()
    rows, ratios = [], {}
    work = pathlib.Path(tempfile.mkdtemp(prefix="orch-bench-peer-"))
    atexit.register(shutil.rmtree, work, True)
    worktrees = make_worktrees(work, max(counts))
    for realism in modes:
        for n in counts:
            fleet, working = worktrees[:n], n // 2
            peer = await peer_cost(paths, fleet, working, realism, work, args)
            print(f"ccmanager, {n} sessions, {realism}: {peer}", file=sys.stderr)
            orch = await orchestra_cost(fleet, working, realism, work, args)
            print(f"orchestra, {n} agents, {realism}: {orch}", file=sys.stderr)
            peer_total = peer["own"] + peer["terminal"]
            orch_total = orch["own"] + orch["server"]
            ratio = peer_total / max(1e-9, orch_total)
            ratios[(realism, n)] = ratio
            rows.append((realism, n, working, peer["own"], peer["terminal"], peer_total,
                         orch["own"], orch["server"], orch_total, f"{ratio:.1f}x"))
            sys.stdout.flush()
    print()
    print("## CPU % of one core: ccmanager = its process tree but the agents + its tmux "
          "server; orchestra = its process and clients + the tmux server's extra work")
    print(table(("agents", "sessions", "working", "ccmanager tree %", "its terminal %",
                 "ccmanager %", "orchestra app %", "server extra %", "orchestra %",
                 "ratio"), rows))
    print()
    for (realism, n), ratio in ratios.items():
        if n == max(counts):
            print(f"target: ccmanager / orchestra >= {RATIO_TARGET:g}x at {n} sessions "
                  f"({realism} agents): {ratio:.1f}x "
                  f"{'met' if ratio >= RATIO_TARGET else 'MISSED'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="5,20,50")
    parser.add_argument("--realism", default="calm,real",
                        help="which simulated agents: calm (1 Hz), real (10 frames/s)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--peer-dir", type=pathlib.Path,
                        default=pathlib.Path(os.environ.get("ORCHESTRA_PEER_DIR",
                                                            DEFAULT_PEER_DIR)))
    parser.add_argument("--hooks", action=argparse.BooleanOptionalAction, default=True,
                        help="orchestra's agents report through the hook program, as every "
                             "agent orchestra starts does (ccmanager reads screens only); "
                             "--no-hooks: orchestra reads screens alone too")
    parser.add_argument("--quick", action="store_true", help="short run: 2 s settle, 3 s")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.settle = min(args.seconds, 3.0), min(args.settle, 2.0)
    if peer_paths(args.peer_dir) is None:
        print(f"peer_cost: ccmanager {CCMANAGER_VERSION} and bun are not installed in "
              f"{args.peer_dir}: npm install --prefix {args.peer_dir} "
              f"ccmanager@{CCMANAGER_VERSION} bun", file=sys.stderr)
        return 2
    return run_main(main_async, args, seed=3)


if __name__ == "__main__":
    sys.exit(main())
