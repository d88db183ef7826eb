"""Which activity signal costs less: tmux control mode's `%output` notifications or a
`refresh-client -B` format subscription (issue 21, item 1).

    python benchmarks/activity_signal.py [--panes 20] [--seconds 10] [--hz 10]

On an isolated tmux server, one session holds `--panes` windows, each running a program that
rewrites its status row `--hz` times a second as Codex does (its shimmer: a 24-bit colour per
character, in synchronized-output marks). Each way is measured over `--seconds`, CPU of this
process (the reader) + its tmux client + the tmux server's extra work over its rate with no
client (a control client hands its stdout to the server, which writes the notifications
itself: the client's own share is nil):

1. `%output`, every frame: orchestra's `OutputWatch` (one `tmux -C attach -f
   ignore-size,pause-after=1` client per session; lines cut to their heads, a counter per pane)
   following every write, asked for its report every 0.25 s as the poll loop does;
2. `%output`, sampled (as shipped): the same, but a pane that keeps writing is paused
   (`refresh-client -A %N:pause`: tmux still reads it) and let go every `PAUSE_SECONDS`;
3. subscription: a `-f no-output` client with `refresh-client -B 'act:@*:#{window_activity}'`
   (tmux has no per-pane output format: a pane's window activity, one-second resolution, and
   tmux reports a changed subscription at most once a second), lines read and counted.

It prints each with the signal's resolution: the screen-only latency needs a stop seen soon
after the output stops, which the one-second subscription cannot tell.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import shlex
import sys
import tempfile

from _bench import BenchServer, CpuMark, print_machine, run_main, server_rate, table

from orchestra_tui.services.tmux.activity import (
    PAUSE_SECONDS,
    QUIET_SECONDS,
    SAMPLE_AFTER,
    OutputWatch,
)

# Codex's status row as the realistic simulated agent draws it: a 24-bit colour per character.
PRINTER = ("import sys, time\n"
           "from orchestra_tui.demo.fake_realism import SYNC_END, SYNC_START, codex_shimmer\n"
           "start = time.monotonic()\n"
           "while True:\n"
           "    row = codex_shimmer('• Working (%ds • esc to interrupt)' %\n"
           "                        (time.monotonic() - start), time.monotonic() - start)\n"
           "    sys.stdout.write(SYNC_START + '\\r\\x1b[2K' + row + SYNC_END)\n"
           "    sys.stdout.flush()\n"
           "    time.sleep({period})\n")


async def measure(server: BenchServer, seconds: float, work
                  ) -> tuple[float, float, float, int]:
    """(own %, client %, server extra %, events) of one way of listening over `seconds`; the
    server's rate with no client is taken just before, over as long."""
    pid = await server.pid()
    background = await server_rate(pid, seconds)
    events, clients = await work.start()
    before = CpuMark.take(pid, clients())
    await asyncio.sleep(seconds)
    after = CpuMark.take(pid, clients())
    wall = after.wall - before.wall
    counted = events()
    await work.stop()
    own = (after.self_ns - before.self_ns) / wall / 1e7
    client = (after.children_ns - before.children_ns) / wall / 1e7
    extra = max(0.0, (after.server_ns - before.server_ns) / wall - background) / 1e7
    return own, client, extra, counted


class Pushed:
    """`%output` through orchestra's own watch, reported every 0.25 s; `sample`: a pane that
    keeps writing is paused and let go every `PAUSE_SECONDS` (as shipped), or every frame is
    followed."""

    def __init__(self, server: BenchServer, sample: bool) -> None:
        self.server = server
        self.watch = OutputWatch(server.runner, sample_after=SAMPLE_AFTER if sample else None)
        self.task: asyncio.Task[None] | None = None

    async def start(self):
        panes = await self.server.tmux.list_panes()

        async def poll() -> None:
            while True:
                await self.watch.report(panes)
                await asyncio.sleep(0.25)

        self.task = asyncio.create_task(poll())
        await asyncio.sleep(0.5)  # attached
        board = self.watch.board
        start = sum(board.writes.values())
        return (lambda: sum(board.writes.values()) - start), (lambda: self.watch.client_pids)

    async def stop(self) -> None:
        assert self.task is not None
        self.task.cancel()
        await self.watch.aclose()


class Subscribed:
    """A `-B` subscription to every window's activity, through a `no-output` client."""

    def __init__(self, server: BenchServer) -> None:
        self.server = server
        self.process: asyncio.subprocess.Process | None = None
        self.count = 0
        self.task: asyncio.Task[None] | None = None

    async def start(self):
        self.process = await asyncio.create_subprocess_exec(
            *self.server.tmux_argv("-C", "attach-session", "-f", "ignore-size,no-output",
                                   "-t", "=bench"),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None

        async def read() -> None:
            subscribed = False
            while line := await stdout.readline():
                if line.startswith(b"%subscription-changed"):
                    self.count += 1
                elif line.startswith(b"%end") and not subscribed:  # attached: subscribe
                    stdin.write(b"refresh-client -B 'act:@*:#{window_activity}'\n")
                    subscribed = True

        self.task = asyncio.create_task(read())
        await asyncio.sleep(0.5)
        start = self.count
        pid = self.process.pid
        return (lambda: self.count - start), (lambda: [pid])

    async def stop(self) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.close()
        await self.process.wait()
        if self.task is not None:
            self.task.cancel()


async def main_async(args: argparse.Namespace) -> int:
    print_machine("activity signal: %output notifications against a -B subscription")
    print(f"{args.panes} panes in one session, each rewriting its status row {args.hz:g} "
          f"times a second; {args.seconds:g} s per way. CPU % is of one core.")
    rows = []
    with BenchServer("orch-signal") as server, tempfile.TemporaryDirectory() as scratch:
        printer = pathlib.Path(scratch) / "printer.py"
        printer.write_text(PRINTER.format(period=1 / args.hz))
        line = shlex.join([sys.executable, str(printer)])
        for index in range(args.panes):
            command = ["new-window", "-d", "-t", "=bench:"] if index else [
                "new-session", "-d", "-s", "bench", "-x", "100", "-y", "30"]
            await server.tmux.run(*command, line)
        ways = (("%output, every frame", Pushed(server, sample=False), "each write"),
                (f"%output, sampled every {PAUSE_SECONDS:g} s", Pushed(server, sample=True),
                 f"a stop within {PAUSE_SECONDS + QUIET_SECONDS:g} s"),
                ("-B subscription", Subscribed(server), "1 s"))
        for name, way, resolution in ways:
            own, client, extra, events = await measure(server, args.seconds, way)
            rows.append((name, resolution, events, own, client, extra, own + client + extra))
    print()
    print(table(("way", "resolution", "events", "reader %", "client %", "server extra %",
                 "total %"), rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--panes", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--hz", type=float, default=10.0)
    return run_main(main_async, parser.parse_args(argv), seed=1)


if __name__ == "__main__":
    sys.exit(main())
