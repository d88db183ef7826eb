"""How long the hook program keeps an agent waiting, and how soon a running app hears of an event.

Each row runs the hook program (`python -m orchestra_tui.commands.hook`, exactly as installed)
as a fresh process, the way an agent CLI does for every event, against a baseline measured in
the same run: the same interpreter doing nothing (`python -c pass`).

- *observe*: a Stop event: read stdin, append one line, nudge;
- *pre-tool, enforcing config*: a Bash PreToolUse in a config with `enforce = true` (the config
  and the rules are loaded; the command is allowed);
- *pre-tool, denied*: the same with a forbidden command (a deny printed, the journal written);
- *event to app*: from starting the hook program to the app's nudge socket being readable and
  `HookLog.read_new` returning the event (what the fleet's hook path adds to change-to-state).

    .venv/bin/python benchmarks/hook_program.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import select
import subprocess
import sys
import tempfile
import time

from _bench import median, percentile, print_machine, table

from orchestra_tui.services.hooks.log import HookLog, NudgeListener
from orchestra_tui.services.hooks.tools import HookProgram

CONFIG = """[[agent]]
name = "infra"
target = "%1"
policy = "Terraform runs only from CI."
enforce = true
"""


def timed(argv: list[str], stdin: bytes, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, input=stdin, env=env, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000


def event_to_app(argv: list[str], stdin: bytes, env: dict[str, str], data: pathlib.Path,
                 listener: NudgeListener, log: HookLog) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env,
                               stdout=subprocess.DEVNULL)
    process.stdin.write(stdin)
    process.stdin.close()
    select.select([listener], [], [], 10.0)
    listener.drain()
    events = log.read_new("%1")
    elapsed = (time.perf_counter() - start) * 1000
    process.wait()
    assert events, "the event never reached the log"
    return elapsed


def row(name: str, samples: list[float], baseline: float | None) -> tuple:
    ratio = f"{median(samples) / baseline:.2f}x" if baseline else "1.00x"
    return (name, median(samples), percentile(samples, 95), max(samples), ratio)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    root = pathlib.Path(tempfile.mkdtemp(prefix="orch-hook-bench-"))
    program = HookProgram(data_dir=root / "data", config=root / "config.toml")
    program.config.write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "TMUX_PANE": "%1"}
    env.pop("TMUX", None)
    stop = json.dumps({"hook_event_name": "Stop", "session_id": "s"}).encode()

    def bash(command: str) -> bytes:
        return json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash",
                           "tool_input": {"command": command}}).encode()

    hook = program.argv("claude")
    cases = [
        ("python -c pass (baseline)", [sys.executable, "-c", "pass"], b""),
        ("observe (Stop)", hook, stop),
        ("pre-tool, enforcing config, allowed", hook, bash("terraform plan")),
        ("pre-tool, denied", hook, bash("terraform destroy")),
    ]
    print_machine("hook program latency (ms, one fresh process per event)")
    print(f"runs per case: {args.runs}")
    rows = []
    baseline = None
    for name, argv, stdin in cases:
        timed(argv, stdin, env)  # warm the page cache
        samples = [timed(argv, stdin, env) for _ in range(args.runs)]
        rows.append(row(name, samples, baseline))
        baseline = baseline or median(samples)
    listener = NudgeListener.open(program.data_dir)
    log = HookLog(program.data_dir)
    log.read_new("%1")
    samples = [event_to_app(hook, stop, env, program.data_dir, listener, log)
               for _ in range(args.runs)]
    listener.close()
    rows.append(row("event to app (nudge + read_new)", samples, baseline))
    print(table(("case", "median", "p95", "max", "vs baseline"), rows))
    print("target: the hook program well under 100 ms per event")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
