"""How long the enforcing hook takes to judge one shell command (issue 18), against a baseline
measured in the same run: the regex guard it replaced (`core.guardrails.forbidden_in` per
line, what `hook_guard.first_forbidden` did before), on the inputs where that one still
finishes.

Each row: the median and worst of `--runs` judgements in this process (parser built once,
as in the hook after its first command), the judgement's kind, and the regex guard's time.
The budget is `shell_commands.CPU_SECONDS` of processor time (and `WALL_SECONDS` of real
time): an input that cannot be judged in it comes back `too_slow` and an enforcing lane
denies it.

    .venv/bin/python benchmarks/guard_judge.py [--runs 20] [--old-limit 20000]
"""

from __future__ import annotations

import argparse
import time

from _bench import median, print_machine, table

from orchestra_tui.core.guard.guardrails import forbidden_in, lane_rules
from orchestra_tui.core.guard.shell_commands import CPU_SECONDS, WALL_SECONDS
from orchestra_tui.core.guard.shell_judge import judge
from orchestra_tui.models import AgentSpec

SPEC = AgentSpec("infra", enforce=True, forbid=(r"helm\s+upgrade",))

INPUTS = {
    "short: cd infra && terraform plan": "cd infra && terraform plan",
    "wrapped: sudo bash -lc '... destroy'": "sudo -u root bash -lc 'cd x && terraform destroy'",
    "heredoc into sh": "sh <<EOF\n" + "echo step\n" * 50 + "terraform destroy\nEOF\n",
    "git commit -m, 112 KB message": "git commit -m '" + "word " * 22_400 + "'",
    "git commit -m, 1 MB message": "git commit -m '" + "x" * 1_000_000 + "'",
    "1 MB of $(true) substitutions": "echo " + "$(true) " * 140_000,
    "10k-command script (; lists)": "; ".join(["git status"] * 10_000),
}


def _old(command: str) -> None:
    rules = lane_rules(SPEC)
    for line in command.splitlines():
        if forbidden_in(line, rules):
            return


def _time(function, runs: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return median(times), max(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--old-limit", type=int, default=20_000,
                        help="longest input the regex guard is timed on (it is quadratic)")
    args = parser.parse_args()
    print_machine("guard judge")
    print(f"budget: {CPU_SECONDS * 1000:.0f} ms processor, {WALL_SECONDS * 1000:.0f} ms wall")
    judge("true", SPEC)  # build the parser once, as the hook's first command does
    rows = []
    for name, command in INPUTS.items():
        middle, worst, found = _time(lambda command=command: judge(command, SPEC), args.runs)
        if len(command) <= args.old_limit:
            old, _, _ = _time(lambda command=command: _old(command), max(1, args.runs // 4))
            old_text = f"{old * 1000:.2f}"
        else:
            old_text = "skipped (too slow)"
        rows.append((name, f"{len(command):,}", f"{middle * 1000:.2f}", f"{worst * 1000:.2f}",
                     found.kind, old_text))
    print(table(["input", "bytes", "judge median ms", "judge worst ms", "kind",
                 "regex guard ms"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
