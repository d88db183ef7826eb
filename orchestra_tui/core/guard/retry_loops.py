"""Loop detection: an agent retrying the same failing command or hook again and again.

The classic case is a pre-commit hook: the agent commits, `trim trailing whitespace...Failed`,
it "fixes" something, commits again, the same hook fails again. The screen looks busy, so the
detector calls it `working`; `LoopWatch` spots the repetition and gives the fleet a reason to
show the agent as `blocked` (`loop: pre-commit failed 3x (trim trailing whitespace)`).

It reads the *new* agent-side rows of each capture (`OutputWatch.new_lines`, or its own
`PaneOutput` through `feed`). Each row is matched against failure patterns (hook results,
`error: failed to push some refs`, `npm ERR! code …`, a failing test's id and error line, a
compiler error) and success patterns (the same hook `Passed`, a commit made, a push that went
through, a green test run). A failure becomes a *signature*: its kind plus its text normalised
so that numbers, hashes, durations and temporary paths do not make two identical failures look
different. The count of a signature runs until a success of the same kind clears it.

>>> watch = LoopWatch(threshold=2)
>>> watch.observe(["trim trailing whitespace.......Failed", "- hook id: trailing-whitespace"])
>>> watch.observe(["trim trailing whitespace..........Failed"])
'loop: pre-commit failed 2x (trim trailing whitespace)'
>>> watch.observe(["trim trailing whitespace.......Passed"]) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from orchestra_tui.core.guard.guardrails import PaneOutput

__all__ = ["DEFAULT_THRESHOLD", "Failure", "LoopWatch", "normalise", "read_row"]

DEFAULT_THRESHOLD = 3
SUBJECT_LIMIT = 60


@dataclass(frozen=True)
class Failure:
    kind: str  # what failed, for the reason: "pre-commit", "git push", "tests", ...
    subject: str  # which one, normalised: the hook, the test id, the error line

    @property
    def signature(self) -> tuple[str, str]:
        return (self.kind, self.subject)


@dataclass(frozen=True)
class Success:
    kind: str
    subject: str | None = None  # None: every failure of this kind is cleared


@dataclass(frozen=True)
class _Pattern:
    kind: str
    regex: re.Pattern[str]
    failed: bool  # a failure, or a success


def _f(kind: str, pattern: str) -> _Pattern:
    return _Pattern(kind, re.compile(pattern), True)


def _s(kind: str, pattern: str) -> _Pattern:
    return _Pattern(kind, re.compile(pattern), False)


# Order matters: the first pattern that matches a row decides it. A pattern's `subject` group,
# when present, names which hook/test/ref failed; otherwise the whole row is the subject.
# Patterns are chosen to match once per attempt (the hook's result row, not its detail rows),
# so that one failing run counts once.
_PATTERNS: tuple[_Pattern, ...] = (
    # pre-commit: `trim trailing whitespace.................Failed` (and Passed/Skipped)
    _f("pre-commit", r"^(?P<subject>\S.*?)\s*\.{3,}\s*(?:\([^)]*\)\s*)?Failed$"),
    _s("pre-commit", r"^(?P<subject>\S.*?)\s*\.{3,}\s*(?:\([^)]*\)\s*)?Passed$"),
    # husky: `husky - pre-commit hook exited with code 1 (error)`, `husky - pre-commit script
    # failed (code 1)`
    _f("pre-commit", r"^husky - (?P<subject>pre-commit) (?:hook exited with code|script failed)"),
    _f("git hook", r"^husky - (?P<subject>[\w-]+) (?:hook exited with code|script failed)"),
    # A commit that went through ends every hook loop: `[fix/retry 1a2b3c4] message`.
    _s("pre-commit", r"^\[[^\]\s]+(?: \(root-commit\))? [0-9a-f]{7,40}\] "),
    _s("git hook", r"^\[[^\]\s]+(?: \(root-commit\))? [0-9a-f]{7,40}\] "),
    # git push
    _f("git push", r"^error: failed to push some refs"),
    _s("git push", r"^(?:[0-9a-f]{7,}\.\.\.?[0-9a-f]{7,}|\* \[new branch\]|\+ [0-9a-f]{7,}"
                   r"\.\.\.[0-9a-f]{7,})\s+\S+ -> \S+"),
    _s("git push", r"^Everything up-to-date$"),
    # npm: `npm ERR! code ELIFECYCLE` (npm 6-9), `npm error code 1` (npm 10+), and the
    # lifecycle line npm 7+ prints instead
    _f("npm", r"^npm (?:ERR!|error) (?P<subject>code \S+|Lifecycle script .* failed|Test failed)"),
    # pytest: one `FAILED nodeid - error` / `ERROR nodeid - error` row per test in its summary
    _f("tests", r"^(?:FAILED|ERROR) (?P<subject>\S+(?: - .*)?)$"),
    _s("tests", r"^=+ (?!.*\b(?:failed|errors?)\b).*\bpassed\b.* in [\d.]+s"),
    # jest / vitest: `FAIL src/a.test.ts`, and `Tests:  4 passed, 4 total`
    _f("tests", r"^FAIL (?P<subject>\S+\.(?:[cm]?[jt]sx?))\b"),
    _s("tests", r"^Tests:\s+(?!.*\bfailed\b).*\bpassed\b"),
    # go test and cargo test
    _f("tests", r"^--- FAIL: (?P<subject>\S+)"),
    _f("tests", r"^test (?P<subject>\S+) \.\.\. FAILED$"),
    _s("tests", r"^(?:ok\s+\S+\s|PASS$|test result: ok\.)"),
    # Compilers and linters: `error[E0308]: mismatched types`, `src/a.ts(3,5): error TS2345:`,
    # `src/a.py:12: error: ...`, `make: *** [Makefile:3: test] Error 2`
    _f("build", r"^(?P<subject>error(?:\[E\d+\])?: .+)$"),
    _f("build", r"^(?P<subject>\S+(?:\(\d+,\d+\)|:\d+:\d+ -)):? error TS\d+: .+$"),
    _f("build", r"^(?P<subject>\S+:\d+(?::\d+)?: error: .+)$"),
    _f("build", r"^(?P<subject>make(?:\[\d+\])?: \*\*\* .*Error \d+)$"),
)

# What the agent CLIs draw before a command's output: Codex `└`, Claude `⎿  Error:`, tree and
# box glyphs, bullets. Stripped so that the patterns above see the tool's own row.
_DECORATION = re.compile(r"^[\s│┃║└├─⎿•◦●⏺✗✘✖✔✓]*(?:Error:\s+(?=\S))?")

_TEMP_PATH = re.compile(r"(?:/private)?/(?:tmp|var/folders)/\S*|\bpytest-of-\S+|\btmp[\w-]{6,}")
_HASH = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}\b")
_DURATION = re.compile(r"\b\d+(?:\.\d+)?\s*(?:ms|s|sec|secs|seconds?|m|min|mins|minutes?|h)\b")
_NUMBER = re.compile(r"\d+")
_DOTS = re.compile(r"\.{3,}")


def normalise(text: str) -> str:
    """The failure text with what differs between two runs of the same failure masked.

    >>> normalise("FAILED tests/test_a.py::test_x - assert 3 == 4 (/tmp/pytest-of-me/pytest-7/x)")
    'FAILED tests/test_a.py::test_x - assert # == # (<tmp>'
    >>> normalise("abc1234..def5678  took 1.5s at line 12")
    '<hash>..<hash> took <t> at line #'
    """
    text = " ".join(text.split())
    text = _TEMP_PATH.sub("<tmp>", text)
    text = _HASH.sub("<hash>", text)
    text = _DURATION.sub("<t>", text)
    text = _NUMBER.sub("#", text)
    return _DOTS.sub("...", text)


def read_row(row: str) -> Failure | Success | None:
    """What one row of output says about a command's outcome, if anything.

    >>> read_row("  └ trim trailing whitespace.................Failed")
    Failure(kind='pre-commit', subject='trim trailing whitespace')
    >>> read_row("[main 1a2b3c4] fix lint")
    Success(kind='pre-commit', subject=None)
    """
    text = _DECORATION.sub("", row, count=1).strip()
    if not text:
        return None
    for pattern in _PATTERNS:
        match = pattern.regex.search(text)
        if match is None:
            continue
        named = match.groupdict().get("subject")
        if pattern.failed:
            return Failure(pattern.kind, _clip(normalise(named if named is not None else text)))
        return Success(pattern.kind, _clip(normalise(named)) if named is not None else None)
    return None


def _clip(text: str, limit: int = SUBJECT_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class LoopWatch:
    """The same failure repeated `threshold` times with no success of its kind in between.

    Per tick, pass the new agent-side rows (`observe(OutputWatch.new_lines)`), or the capture
    itself (`feed(screen)`, which keeps its own `PaneOutput`). `reason()` is the text the fleet
    shows with state `blocked`, or None. A failure seen several times in one tick counts once:
    one failing run prints its rows together, and two runs rarely fit in one poll interval.
    """

    def __init__(self, threshold: int = DEFAULT_THRESHOLD) -> None:
        self.threshold = max(1, threshold)
        self.output = PaneOutput()
        self._counts: dict[tuple[str, str], int] = {}
        self._last: Failure | None = None  # the latest failure not cleared since

    def note_prompt(self, text: str) -> None:
        """For `feed`: text orchestra sent, whose echo is not the agent's output."""
        self.output.note_prompt(text)

    def feed(self, screen: str) -> str | None:
        return self.observe(self.output.feed(screen))

    def observe(self, rows: Sequence[str]) -> str | None:
        seen: set[tuple[str, str]] = set()
        for row in rows:
            event = read_row(row)
            if isinstance(event, Failure):
                if event.signature not in seen:
                    seen.add(event.signature)
                    self._counts[event.signature] = self._counts.get(event.signature, 0) + 1
                self._last = event
            elif isinstance(event, Success):
                self._clear(event)
        return self.reason()

    def _clear(self, success: Success) -> None:
        def covered(signature: tuple[str, str]) -> bool:
            kind, subject = signature
            return kind == success.kind and success.subject in (None, subject)

        for signature in [s for s in self._counts if covered(s)]:
            del self._counts[signature]
        if self._last is not None and covered(self._last.signature):
            self._last = None

    def reason(self) -> str | None:
        """`loop: pre-commit failed 3x (trim trailing whitespace)`, or None."""
        last = self._last
        if last is None:
            return None
        count = self._counts.get(last.signature, 0)
        if count < self.threshold:
            return None
        return f"loop: {last.kind} failed {count}x ({last.subject})"

    def reset(self) -> None:
        """Forget every count: after a restart, or when the person steps in with a prompt."""
        self._counts.clear()
        self._last = None
        self.output.reset()
