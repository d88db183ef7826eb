"""Loop detection from scripted sequences of screens: the same failure three times in a row
gives a reason; a success of its kind clears it; a different failure is not the same loop."""

from __future__ import annotations

import pytest

from orchestra_tui.core.guard.retry_loops import Failure, LoopWatch, Success, normalise, read_row

HOOKS_FAILED = [
    "• Ran git commit -m 'Fix retry loop'",
    "  └ [INFO] Initializing environment for https://github.com/pre-commit/pre-commit-hooks.",
    "    trim trailing whitespace.................................................Failed",
    "    - hook id: trailing-whitespace",
    "    - exit code: 1",
    "    - files were modified by this hook",
    "    Fixing src/retry.py",
    "    check yaml...............................................................Passed",
]
COMMITTED = ["• Ran git commit -m 'Fix retry loop'",
             "  └ trim trailing whitespace..........................................Passed",
             "    [fix/retry 3f9a2c1] Fix retry loop",
             "     1 file changed, 4 insertions(+), 2 deletions(-)"]


class Pane:
    """A scrolling codex-like pane: history rows above a fixed footer."""

    def __init__(self, height: int = 24) -> None:
        self.history: list[str] = ["╭────────╮", "│ Codex  │", "╰────────╯", ""]
        self.height = height

    def print(self, *rows: str) -> str:
        self.history += [*rows, ""]
        return self.screen()

    def screen(self) -> str:
        footer = ["› Ask Codex to do anything", "", "  ? for shortcuts    61% context left"]
        return "\n".join(self.history[-(self.height - len(footer)):] + footer)


def attempt(pane: Pane, watch: LoopWatch, rows: list[str], number: int) -> str | None:
    # Every attempt's output differs a little, as real runs do: timings, temp dirs, hashes.
    rows = [row.replace("src/retry.py", f"src/retry.py (run {number}, 0.{number}3s)")
            for row in rows]
    watch.feed(pane.print(f"• Thinking about attempt {number}"))
    return watch.feed(pane.print(*rows))


def test_three_pre_commit_failures_make_a_loop_and_a_commit_clears_it() -> None:
    pane, watch = Pane(), LoopWatch()
    assert watch.feed(pane.screen()) is None  # baseline
    assert attempt(pane, watch, HOOKS_FAILED, 1) is None
    assert attempt(pane, watch, HOOKS_FAILED, 2) is None
    reason = attempt(pane, watch, HOOKS_FAILED, 3)
    assert reason == "loop: pre-commit failed 3x (trim trailing whitespace)"
    assert reason.startswith("loop: pre-commit failed 3x")
    assert watch.reason() == reason
    # Unrelated output keeps it: the agent is still in the loop.
    assert watch.feed(pane.print("• Edited src/retry.py (+1 -1)")) == reason
    assert attempt(pane, watch, HOOKS_FAILED, 4) == (
        "loop: pre-commit failed 4x (trim trailing whitespace)")
    # The commit goes through: the loop is over.
    assert watch.feed(pane.print(*COMMITTED)) is None
    assert watch.reason() is None
    # And a later failure starts counting from one again.
    assert attempt(pane, watch, HOOKS_FAILED, 5) is None


def test_the_same_screen_fed_again_counts_nothing() -> None:
    pane, watch = Pane(), LoopWatch(threshold=2)
    watch.feed(pane.screen())
    screen = pane.print(*HOOKS_FAILED)
    for _ in range(5):
        assert watch.feed(screen) is None


def test_a_different_failure_is_not_the_same_loop() -> None:
    pane, watch = Pane(), LoopWatch()
    watch.feed(pane.screen())
    for number in (1, 2, 3):
        attempt(pane, watch, HOOKS_FAILED, number)
    assert watch.reason() is not None
    # The agent moves on: now the tests fail, once.
    assert watch.feed(pane.print(
        "FAILED tests/test_retry.py::test_backoff - assert 3 == 4")) is None


@pytest.mark.parametrize(("rows", "kind"), [
    (["To github.com:acme/shop.git", " ! [rejected]        main -> main (fetch first)",
      "error: failed to push some refs to 'github.com:acme/shop.git'"], "git push"),
    (["npm ERR! code ELIFECYCLE", "npm ERR! errno 1",
      "npm ERR! shop@1.0.0 test: `jest`"], "npm"),
    (["husky - pre-commit hook exited with code 1 (error)"], "pre-commit"),
    (["FAILED tests/test_retry.py::test_backoff - assert 0.31 == 0.5"], "tests"),
    (["--- FAIL: TestBackoff (0.00s)"], "tests"),
    (["error[E0308]: mismatched types"], "build"),
])
def test_other_failing_commands_loop_too(rows: list[str], kind: str) -> None:
    pane, watch = Pane(), LoopWatch()
    watch.feed(pane.screen())
    reasons = [attempt(pane, watch, rows, number) for number in (1, 2, 3)]
    assert reasons[:2] == [None, None]
    assert reasons[2] is not None and reasons[2].startswith(f"loop: {kind} failed 3x")


def test_a_green_test_run_clears_a_test_loop() -> None:
    watch = LoopWatch()
    failed = ["FAILED tests/test_retry.py::test_backoff - assert 3 == 4",
              "===== 1 failed, 12 passed in 0.41s ====="]
    for _ in range(3):
        watch.observe(failed)
    assert watch.reason() == (
        "loop: tests failed 3x (tests/test_retry.py::test_backoff - assert # == #)")
    assert watch.observe(["===== 13 passed in 0.39s ====="]) is None


def test_a_passing_hook_does_not_clear_another_hook_that_keeps_failing() -> None:
    watch = LoopWatch()
    for _ in range(3):
        reason = watch.observe(["trim trailing whitespace.........Failed",
                                "end of files..........Passed", "check yaml.......Passed"])
    assert reason == "loop: pre-commit failed 3x (trim trailing whitespace)"


def test_reset_forgets_the_loop() -> None:
    watch = LoopWatch(threshold=1)
    assert watch.observe(["error: failed to push some refs to 'origin'"]) is not None
    watch.reset()
    assert watch.reason() is None


def test_signatures_ignore_numbers_hashes_durations_and_temp_paths() -> None:
    one = read_row("FAILED t.py::test_x - OSError: /tmp/pytest-of-me/pytest-3/x (took 1.2s)")
    two = read_row("FAILED t.py::test_x - OSError: /tmp/pytest-of-me/pytest-9/x (took 0.7s)")
    assert one == two and isinstance(one, Failure)
    assert normalise("commit 1a2b3c4d5e failed after 12 ms") == "commit <hash> failed after <t>"
    assert read_row("[main (root-commit) 0a1b2c3] init") == Success("pre-commit")
    assert read_row("just some prose about a Failed attempt") is None
