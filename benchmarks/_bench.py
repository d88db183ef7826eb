"""Shared machinery of the benchmarks: the preamble every script repeats (the repository on
`sys.path`, the machine line, the poll interval the app ships with, a seeded `main` that turns
Ctrl-C into exit 130), an isolated tmux server that is always killed, the simulated agents in it,
CPU accounting (this process, its tmux client children, the tmux server), the per-pane baseline,
waiting with a deadline, and plain-text tables.

Not a benchmark itself; `refresh_cost.py`, `state_latency.py`, `app_cost.py` and
`hook_program.py` import it.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import pathlib
import platform
import random
import resource
import shlex
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

REPO = pathlib.Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python benchmarks/x.py` from a fresh clone
    sys.path.insert(0, str(REPO))

from orchestra_tui.config import UiConfig  # noqa: E402
from orchestra_tui.errors import TmuxCommandError  # noqa: E402
from orchestra_tui.models import AgentSpec, PaneInfo  # noqa: E402
from orchestra_tui.services.tmux.runner import first_line  # noqa: E402
from orchestra_tui.services.tmux.service import LocalTmuxRunner, TmuxService  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
DEFAULT_POLL = UiConfig().poll_seconds  # `[ui] poll_seconds` when the config does not say
READY = "? for shortcuts"
WORK_PROMPT = "[work 1000000] benchmark: keep working"
# The hooks orchestra gives an agent it starts on a host: each event sets the pane's
# @orchestra-hook option (`services/hooks/marks.py`), read with the host's pane list.
MARK_HOOK = shlex.join([sys.executable, "-c", (
    "import json, subprocess, sys\n"
    "from orchestra_tui.services.hooks.marks import mark_command\n"
    "event = json.load(sys.stdin)['hook_event_name']\n"
    "subprocess.run(['sh', '-c', mark_command(event)], check=True)\n")])


# -- the machine -----------------------------------------------------------------------------

def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        tmux_version = subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        tmux_version = "tmux not installed"
    try:
        load = pathlib.Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        load = ["?"]
    return {"nproc": str(os.cpu_count()), "cpu": model, "tmux": tmux_version,
            "python": platform.python_version(), "kernel": platform.release(),
            "load": " ".join(load)}


def print_machine(title: str) -> None:
    info = machine()
    print(f"# {title}")
    print(f"machine: nproc={info['nproc']} cpu={info['cpu']!r} {info['tmux']} "
          f"python {info['python']} linux {info['kernel']} loadavg at start {info['load']}")
    sys.stdout.flush()


def run_main(main_async: Callable[[argparse.Namespace], Awaitable[int]],
             args: argparse.Namespace, *, seed: int) -> int:
    """Run a benchmark's coroutine with a fixed random seed; Ctrl-C exits 130 (the isolated
    tmux server is killed at exit either way)."""
    random.seed(seed)
    try:
        return asyncio.run(main_async(args))
    except KeyboardInterrupt:
        return 130


# -- CPU accounting --------------------------------------------------------------------------

def proc_cpu_ns(pid: int, *, children: bool = False) -> int:
    """CPU time of process `pid` in ns, all its threads: /proc/PID/task/*/schedstat (ns
    resolution) when the kernel keeps it, else utime+stime from /proc/PID/stat (clock ticks).
    `children` adds the waited-for children's cutime+cstime (stat only)."""
    stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    own = None
    try:  # every thread's: /proc/PID/schedstat alone is the main thread's
        own = sum(int((task / "schedstat").read_text().split()[0])
                  for task in pathlib.Path(f"/proc/{pid}/task").iterdir())
    except (OSError, ValueError, IndexError):
        pass
    if not own:
        own = (utime + stime) * 1_000_000_000 // CLK_TCK
    if children:
        own += (cutime + cstime) * 1_000_000_000 // CLK_TCK
    return own


def proc_memory_kb(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


@dataclass(frozen=True)
class CpuMark:
    wall: float
    self_ns: int
    children_ns: int  # tmux client processes this process started and waited for
    server_ns: int

    @classmethod
    def take(cls, server_pid: int | None, clients: Iterable[int | None] = ()) -> CpuMark:
        """`clients`: live tmux client processes of ours (a control-mode client), whose CPU
        RUSAGE_CHILDREN only shows once they are waited for."""
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        live = sum(_cpu_or_zero(pid) for pid in clients if pid)
        return cls(time.perf_counter(), time.process_time_ns(),
                   int((usage.ru_utime + usage.ru_stime) * 1e9) + live,
                   proc_cpu_ns(server_pid) if server_pid else 0)


async def server_rate(server_pid: int, seconds: float) -> float:
    """The tmux server's CPU ns per second over `seconds` with nothing measured running: its
    background rate from the agents' own output, subtracted from what is measured."""
    before = CpuMark.take(server_pid)
    await asyncio.sleep(seconds)
    after = CpuMark.take(server_pid)
    return (after.server_ns - before.server_ns) / (after.wall - before.wall)


def _cpu_or_zero(pid: int) -> int:
    try:
        return proc_cpu_ns(pid)
    except (OSError, ValueError):
        return 0


@dataclass
class Cost:
    """Sums over measured windows. `server_background_ns_per_s` is the server's rate with
    nothing measured running (agents' own output): subtracted from the server's share."""

    wall: float = 0.0
    self_ns: int = 0
    children_ns: int = 0
    server_ns: int = 0
    count: int = 0

    def add(self, before: CpuMark, after: CpuMark) -> None:
        self.wall += after.wall - before.wall
        self.self_ns += after.self_ns - before.self_ns
        self.children_ns += after.children_ns - before.children_ns
        self.server_ns += after.server_ns - before.server_ns
        self.count += 1

    def per_call_ms(self, background_ns_per_s: float = 0.0) -> dict[str, float]:
        n = max(1, self.count)
        server = max(0.0, self.server_ns - background_ns_per_s * self.wall)
        result = {"self": self.self_ns / n / 1e6, "clients": self.children_ns / n / 1e6,
                  "server": server / n / 1e6, "wall": self.wall / n * 1e3}
        result["cpu"] = result["self"] + result["clients"] + result["server"]
        return result


# -- the isolated server ---------------------------------------------------------------------

class BenchServer:
    """A tmux server of its own (`-L orch-bench-<random>`, no config file), killed at exit even on
    Ctrl-C or SIGTERM."""

    def __init__(self, prefix: str = "orch-bench") -> None:
        self.socket = f"{prefix}-{uuid.uuid4().hex[:10]}"
        self.runner = LocalTmuxRunner(socket_name=self.socket, config_file="/dev/null")
        self.tmux = TmuxService(self.runner)
        self._killed = False
        self._pid: int | None = None
        atexit.register(self.kill)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _exit_on_signal)

    def kill(self) -> None:
        if self._killed:
            return
        self._killed = True
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        directory = pathlib.Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (directory / self.socket).unlink(missing_ok=True)  # tmux leaves the socket file

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()

    async def pid(self) -> int:
        if self._pid is None:
            result = await self.tmux.run("display-message", "-p", "#{pid}")
            self._pid = int(result.stdout.strip())
        return self._pid

    def tmux_argv(self, *args: str) -> list[str]:
        return self.runner.argv(list(args))


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


# -- simulated agents ------------------------------------------------------------------------

@dataclass
class Agent:
    name: str
    pane: PaneInfo
    working: bool = False
    log: pathlib.Path | None = None
    tool: str = "codex"
    host: str | None = None  # a [[host]] of the app's config; None: this machine

    @property
    def pane_id(self) -> str:
        return self.pane.pane_id

    def spec(self) -> AgentSpec:
        return AgentSpec(name=self.name, tool=self.tool, target=self.pane_id, host=self.host)


def fake_agent_argv(name: str, *, flavor: str = "codex", log: pathlib.Path | None = None,
                    work: float = 3.0, hook: str = "", realism: str = "calm") -> list[str]:
    argv = [sys.executable, "-m", "orchestra_tui.demo.fake_agent", "--flavor", flavor,
            "--work-seconds", str(work), "--name", name]
    # An agent with hooks reports SessionStart as it starts, as every CLI orchestra hooks does.
    argv += ["--hook", hook, "--session-start"] if hook else []
    argv += ["--realism", realism] if realism != "calm" else []
    return argv + (["--log", str(log)] if log else [])


def flavor_of(index: int, flavor: str) -> str:
    """`mixed`: Codex and Claude Code in turn (agent000 Codex, agent001 Claude Code, ...)."""
    if flavor != "mixed":
        return flavor
    return "codex" if index % 2 == 0 else "claude"


async def start_agents(server: BenchServer, names: Sequence[str], *, width: int = 120,
                       height: int = 40, logs: pathlib.Path | None = None,
                       flavor: str = "codex", concurrency: int = 8,
                       hook: str = "", realism: str = "calm",
                       host: str | None = None, cwd: pathlib.Path = REPO) -> list[Agent]:
    """One session per simulated agent (the fake Codex or Claude Code of `orchestra_tui.demo`;
    `flavor="mixed"` alternates them by the number in the name), each in its own window so
    `window_activity` is per agent. Returns when every screen is ready."""
    gate = asyncio.Semaphore(concurrency)

    async def one(name: str) -> Agent:
        log = logs / f"{name}.jsonl" if logs else None
        digits = "".join(ch for ch in name if ch.isdigit())
        tool = flavor_of(int(digits) if digits else 0, flavor)
        argv = fake_agent_argv(name, flavor=tool, log=log, hook=hook, realism=realism)
        async with gate:
            pane = await server.tmux.start(
                "exec " + shlex.join(argv), cwd=str(cwd), session=name,
                env={"PYTHONPATH": str(REPO)}, width=width, height=height)
        return Agent(name=name, pane=pane, log=log, tool=tool, host=host)

    agents = list(await asyncio.gather(*(one(name) for name in names)))
    await wait_screens(server, [a.pane_id for a in agents], lambda s: READY in s,
                       what="fake agents ready", timeout=30 + len(agents) * 0.5)
    return agents


async def wait_screens(server: BenchServer, pane_ids: Sequence[str],
                       predicate: Callable[[str], bool], *, what: str,
                       timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    pending = list(pane_ids)
    while pending:
        screens = await server.tmux.capture(pending)
        pending = [p for p in pending if not predicate(screens.get(p, ""))]
        if not pending:
            return
        if time.monotonic() > deadline:
            sample = screens.get(pending[0], "")
            raise SystemExit(f"timed out waiting for {what}: {len(pending)} left; "
                             f"last screen of {pending[0]}:\n{sample}")
        await asyncio.sleep(0.2)


async def wait_for(predicate: Callable[[], object], timeout: float, what: str):
    """Poll `predicate` every 10 ms until it returns something truthy (returned); exit with
    `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def type_prompt(server: BenchServer, pane_id: str, text: str) -> None:
    """Type and submit in one tmux invocation (no verification: the fake agent logs arrival)."""
    await server.tmux.run("send-keys", "-t", pane_id, "-l", "--", text, ";",
                          "send-keys", "-t", pane_id, "Enter")


async def set_working(server: BenchServer, agents: Iterable[Agent]) -> None:
    chosen = [a for a in agents if not a.working]
    for agent in chosen:
        await type_prompt(server, agent.pane_id, WORK_PROMPT)
        agent.working = True
    await wait_screens(server, [a.pane_id for a in chosen],
                       lambda s: "esc to interrupt" in s, what="agents working")


# -- the per-pane baseline -------------------------------------------------------------------

class PerPaneTmuxService(TmuxService):
    """What claude-squad and friends do: one `tmux capture-pane` subprocess per pane per tick."""

    async def capture(self, pane_ids: Iterable[str], *, history: int = 0,
                      ansi: bool = False) -> dict[str, str]:
        screens: dict[str, str] = {}
        for pane_id in dict.fromkeys(pane_ids):
            args = ["capture-pane", "-p", "-t", pane_id]
            args += ["-e"] if ansi else []
            args += ["-S", f"-{int(history)}"] if history > 0 else []
            result = await self.runner.run(args, check=False)
            if result.returncode == 0:
                screens[pane_id] = result.stdout
            elif "can't find" not in result.stderr:
                raise TmuxCommandError(f"tmux capture-pane: {first_line(result.stderr)}")
        return screens


# -- output ----------------------------------------------------------------------------------

def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.rjust(w) for c, w in zip(row, widths)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:
            return "—"
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def parse_counts(text: str) -> list[int]:
    return sorted({int(part) for part in text.split(",") if part.strip()})
