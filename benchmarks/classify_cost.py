"""What reading one screen costs: `agents.classify` over every capture the tests hold
(`tests/screens/`: the real CLIs' screens and the shared corpus), with the tool given (how the
fleet reads an agent whose tool it knows) and recognised from the screen (a discovered pane's
first read). Prints the mean, median and p95 in microseconds, best of `--rounds` rounds, the
target beside them (issue 20: <= 200 us a screen).

    python benchmarks/classify_cost.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from _bench import REPO, print_machine, table

from orchestra_tui.agents import classify
from orchestra_tui.agents.engine import detect_in
from orchestra_tui.agents.text import Screen
from orchestra_tui.commands.detect import read_screen

TARGET_US = 200.0


def screens() -> list[tuple[str, str | None]]:
    found = []
    for path in sorted((REPO / "tests" / "screens").rglob("*.txt")):
        text = read_screen(str(path))
        found.append((text, detect_in(Screen(text))))
    return found


def timings(corpus: list[tuple[str, str | None]], *, given: bool, rounds: int) -> list[float]:
    """Per screen, the best of `rounds` CPU times in microseconds."""
    best = [float("inf")] * len(corpus)
    for _ in range(rounds):
        for index, (text, tool) in enumerate(corpus):
            start = time.thread_time_ns()
            classify(text, tool if given else None)
            best[index] = min(best[index], (time.thread_time_ns() - start) / 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    corpus = screens()
    rows = []
    for label, given in (("tool given", True), ("tool recognised", False)):
        times = sorted(timings(corpus, given=given, rounds=args.rounds))
        p95 = times[int(len(times) * 0.95) - 1]
        rows.append((label, len(times), f"{statistics.mean(times):.0f}",
                     f"{statistics.median(times):.0f}", f"{p95:.0f}", f"{TARGET_US:.0f}",
                     "met" if statistics.mean(times) <= TARGET_US else "not met"))
    print_machine("classify cost: one screen read, CPU time, best of each screen's rounds")
    print(table(("reading", "screens", "mean us", "median us", "p95 us", "target us", "mean"),
                rows))


if __name__ == "__main__":
    main()
