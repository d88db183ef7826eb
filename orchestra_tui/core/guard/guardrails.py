"""Guardrails: spot the commands a lane forbids in an agent's *new* pane output.

Agents take the path of least resistance (`kubectl apply`, `git push origin main`, `terraform
apply` from the shell). The lane's `policy` goes into every handoff; this module is the other
half: it watches what the agent actually runs and raises one `Alert` per occurrence.

Two problems make this harder than a regex over the screen:

- *What is new.* A capture is a window onto a scrolling terminal. `PaneOutput` aligns each
  capture with the previous one (longest common runs of lines, `difflib`), so a line that only
  scrolled up is not new, while the same command printed again later is. Lines revealed *above*
  the old top (a capture that includes history this time) are scrollback, not output. The
  first capture only sets the baseline: scrollback present at start-up raises nothing.
- *Whose text it is.* The person's prompts are echoed in the pane (`› text`, `❯ text`,
  `> text`) and sit in the composer while typed; telling an agent "never run kubectl apply"
  must not raise an alert. Rows that start with a prompt glyph are the person's side, and so
  are the rows that continue the echo of a prompt orchestra sent (`note_prompt`).

Matching happens at *command positions* only (the start of a row after the CLIs' decorations
such as `• Ran`, `⏺ Bash(`, `$`, or after `&&`, `||`, `;`, `|`), so the agent's prose ("I will
not run `kubectl apply`") does not raise an alert either.

>>> watch = OutputWatch("infra")
>>> watch.feed("› deploy it\\n", now=0.0)   # the first capture is the baseline
[]
>>> [a.text for a in watch.feed("› deploy it\\n• Ran kubectl apply -f k8s/\\n", now=1.0)]
['kubectl apply -f k8s/ (forbidden: kubectl apply)']
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from orchestra_tui.core.ansi import strip_ansi
from orchestra_tui.models import AgentSpec, Alert

__all__ = [
    "DEFAULT_RULES", "OutputWatch", "PaneOutput", "Rule", "command_segments", "forbidden_in",
    "lane_rules", "rule_labels",
]

# A command that was drawn on several rows at once (Claude's `⏺ Bash(cmd)` above its approval
# dialog's `cmd`, Codex's `$ cmd` dialog then `• Ran cmd`) is one occurrence: identical findings
# within this many seconds are merged. A rerun after it is a new occurrence.
MERGE_SECONDS = 10.0
TEXT_LIMIT = 120  # characters of the offending command kept in the alert

# -- rules ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One forbidden command. `pattern` is matched at the start of a command segment (see
    `command_segments`) for the defaults, searched anywhere in it for a lane's own patterns.
    `describe` may refine the label from the match (a force push)."""

    label: str
    pattern: re.Pattern[str]
    anchored: bool = True
    describe: Callable[[re.Match[str]], str | None] | None = None

    def find(self, segment: str) -> str | None:
        """The label when `segment` runs this forbidden command, else None."""
        match = self.pattern.match(segment) if self.anchored else self.pattern.search(segment)
        if match is None:
            return None
        return self.describe(match) if self.describe else self.label


# Options of `git push` that take a separate value: their value is not a refspec.
_PUSH_VALUE_OPTIONS = frozenset({"-o", "--push-option", "--repo", "--receive-pack", "--exec"})
_PROTECTED = ("main", "master")


def _push_target(match: re.Match[str]) -> str | None:
    """`git push` names main or master as a destination: `origin main`, `origin HEAD:main`,
    `origin +main`, `origin :refs/heads/master`. The first positional is the remote, so
    `git push main` (a remote called main) and `git push origin main:fix` are not pushes to
    main; `feature/main-fix` is not main."""
    tokens = match.group("args").split()
    positional: list[str] = []
    force = False
    skip = False
    for token in tokens:
        token = token.strip("\"'`)")
        if skip:
            skip = False
            continue
        if token.startswith("-"):
            force = force or token in ("-f", "--force") or token.startswith("--force-with-lease")
            skip = token in _PUSH_VALUE_OPTIONS
            continue
        if token:
            positional.append(token)
    for refspec in positional[1:]:
        force = force or refspec.startswith("+")
        destination = refspec.lstrip("+").rpartition(":")[2]
        destination = destination.removeprefix("refs/heads/")
        if destination in _PROTECTED:
            return f"git push --force to {destination}" if force else f"git push to {destination}"
    return None


def _command(program: str, rest: str) -> re.Pattern[str]:
    """`program` (possibly named by its path, `/usr/local/bin/kubectl`) then `rest`. Global
    options may sit between a program and its verb (`kubectl --context prod apply`,
    `terraform -chdir=infra apply`, `git -C repo push`): hence the lazy run of words."""
    return re.compile(r"(?:\S*/)?" + program + r"(?:\s+\S+)*?\s+" + rest)


# The end of a word in a command: space, end, or the quote/paren that closes `sh -c '...'` or
# Claude's `Bash(...)`.
_END = r"(?=$|[\s'\"`);])"
# A dry run changes nothing and agents use it to validate manifests: it is allowed.
_NOT_DRY_RUN = r"(?!.*\s--dry-run(?!=none))"

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("kubectl apply", _command("kubectl", r"apply" + _END + _NOT_DRY_RUN)),
    Rule("kubectl delete", _command("kubectl", r"delete" + _END + _NOT_DRY_RUN)),
    Rule("terraform apply", _command("terraform", r"apply" + _END)),
    Rule("terraform destroy", _command("terraform", r"destroy" + _END)),
    Rule("git push to main", _command("git", r"push(?!\S)(?P<args>.*)$"), describe=_push_target),
    Rule("--no-verify", _command("git", r"(?:commit|push|merge|rebase|am|cherry-pick)(?!\S)"
                                        r".*?\s--no-verify(?![\w-])")),
    Rule("gh pr merge --admin", re.compile(r"(?:\S*/)?gh\s+pr\s+merge(?!\S).*?"
                                           r"\s--admin(?![\w-])")),
)


def lane_rules(spec: AgentSpec | None) -> tuple[Rule, ...]:
    """The defaults plus the lane's own `forbid` regexes (checked by the config loader), which
    are searched anywhere in a command segment and labelled with their own source text."""
    extra = tuple(Rule(pattern, re.compile(pattern), anchored=False)
                  for pattern in (spec.forbid if spec else ()))
    return DEFAULT_RULES + extra


def rule_labels(spec: AgentSpec | None) -> list[str]:
    """What the lane forbids, in words, for the handoff and the policy reminder. Phrased verb
    first ("apply or delete with kubectl") so that a wrapped echo of the handoff never reads as
    a command at the start of a row."""
    names = ["apply or delete with kubectl", "apply or destroy with terraform",
             "push to main or master", "skip hooks with --no-verify",
             "merge with gh pr merge --admin"]
    return names + [f"anything matching `{pattern}`" for pattern in (spec.forbid if spec else ())]


# -- command positions ----------------------------------------------------------------------------

# The decorations agent CLIs draw before a command they run or ask to run: bullets, box sides,
# tree elbows, `$`/`#` prompts, then a verb (`Ran`, `Bash(`, `Shell`, ...). Quotes and backticks
# are excluded on purpose: a row that starts with one is quoting, not running.
_ROW_LEAD = re.compile(
    r"^[^\w`'\"/.~]*"
    r"(?:(?:Ran|Running|Run|Bash|Shell|Exec|Executing|Command|shell|exec)\b[:(]?\s*)?"
)
# Words that run the command after them.
_WRAPPERS = re.compile(
    r"^(?:(?:sudo|env|time|nohup|command|exec|xargs|watch)(?:\s+-\S+)*\s+"
    r"|[A-Za-z_][A-Za-z0-9_]*=\S*\s+"
    r"|(?:ba|z|da)?sh\s+-l?c\s+['\"]?)+"
)
_OPERATORS = re.compile(r"&&|\|\||;|\||\$\(")


def command_segments(row: str) -> list[str]:
    """The commands a row could be running: its head after the CLIs' decorations, and every
    piece after a shell operator, each without leading wrappers (`sudo`, `VAR=x`, `sh -c`).

    >>> command_segments("⏺ Bash(cd infra && sudo terraform apply)")
    ['cd infra', 'terraform apply)']
    >>> command_segments("I will not run `kubectl apply` here")
    ['I will not run `kubectl apply` here']
    """
    head = _ROW_LEAD.sub("", row, count=1)
    segments = []
    for piece in _OPERATORS.split(head):
        piece = piece.strip().lstrip("({").strip()
        piece = _WRAPPERS.sub("", piece, count=1)
        if piece:
            segments.append(piece)
    return segments


def forbidden_in(row: str, rules: Sequence[Rule] = DEFAULT_RULES) -> list[tuple[str, str]]:
    """(label, command) for every forbidden command the row runs; a rule counts once per row.

    >>> forbidden_in("• Ran git push --force origin HEAD:main")
    [('git push --force to main', 'git push --force origin HEAD:main')]
    >>> forbidden_in("git push origin feature/main-fix")
    []
    """
    found: list[tuple[str, str]] = []
    labels: set[str] = set()
    for segment in command_segments(row):
        for rule in rules:
            label = rule.find(segment)
            if label and label not in labels:
                labels.add(label)
                found.append((label, _clip(segment.rstrip(")").strip())))
    return found


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT - 1] + "…"


# -- new output -----------------------------------------------------------------------------------

# A row that starts with one of these glyphs is the person's side: a prompt echo (Codex `›`,
# Claude `❯`, Gemini/Aider/Claude-1.x `>`), the composer, a queued prompt (`↳`), a menu cursor.
_PERSON_ROW = re.compile(r"^[\s│┃║▌]*(?:[›❯↳]|>(?=\s|$))")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CONTINUATION = re.compile(r"^[\s│┃║▌]+\S")  # indented under the glyph row
_ELLIPSIS_ROW = re.compile(r"^\s*…\s*\+\d+ lines?\s*$")  # an echo's "… +3 lines" fold


def _squash(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _rows(screen: str) -> list[str]:
    """Printable, right-stripped rows of a capture (colours removed, blank rows kept as "")."""
    plain = _CONTROL.sub("", strip_ansi(screen).replace("\r", ""))
    return [row.replace("\u00a0", " ").replace("\t", " ").rstrip() for row in plain.split("\n")]


class PaneOutput:
    """Which rows of each new capture of one pane are new output from the agent.

    Feed every capture of the pane (plain or with colours, with or without history). Returns
    the rows that appeared since the previous capture and are not the person's own text.
    Blank rows are never output and take no part in the alignment (their number changes as a
    TUI pads its screen).
    """

    def __init__(self, prompt_memory: int = 50) -> None:
        self._previous: list[str] | None = None
        self._prompts: list[str] = []  # squashed texts orchestra sent, newest last
        self._prompt_memory = prompt_memory

    def note_prompt(self, text: str) -> None:
        """Register text orchestra sent to this pane, so its echo is never read as output."""
        squashed = _squash(text)
        if squashed:
            self._prompts.append(squashed)
            del self._prompts[:-self._prompt_memory]

    def reset(self) -> None:
        """Forget the baseline (after a restart): the next capture is a new baseline."""
        self._previous = None

    def feed(self, screen: str) -> list[str]:
        rows = _rows(screen)
        person = self.person_rows(rows)
        kept = [i for i, row in enumerate(rows) if row.strip()]
        lines = [rows[i] for i in kept]
        previous, self._previous = self._previous, lines
        if previous is None:
            return []
        return [lines[i] for i in _new_indices(previous, lines) if kept[i] not in person]

    def person_rows(self, rows: list[str]) -> set[int]:
        """Indices of the person's rows: glyph rows, and the indented rows right below a glyph
        row that continue the echo of a prompt orchestra sent (a long prompt wraps)."""
        person: set[int] = set()
        echo: str | None = None  # the prompt whose echo is being continued
        for index, row in enumerate(rows):
            if _PERSON_ROW.match(row):
                person.add(index)
                text = _squash(_PERSON_ROW.sub("", row, count=1))
                echo = self._prompt_containing(text.rstrip("…").strip())
            elif echo is not None and _CONTINUATION.match(row) and (
                    _ELLIPSIS_ROW.match(row) or _squash(row).rstrip("…").strip() in echo):
                person.add(index)
            else:
                echo = None  # a blank row or the agent's own row ends the echo
        return person

    def _prompt_containing(self, text: str) -> str | None:
        if not text:
            return None
        return next((p for p in reversed(self._prompts) if text in p), None)


# Rows compared from the bottom of each capture. Output arrives at the bottom, and between two
# ticks an agent prints far fewer rows than this; a 2000-row history capture is then aligned in
# milliseconds instead of the quadratic worst case of `difflib` on repetitive text.
ALIGN_ROWS = 500


def _new_indices(old: list[str], new: list[str], window: int = ALIGN_ROWS) -> list[int]:
    """Indices of `new` rows that are not `old` rows seen again.

    Rows matched by the longest common runs are old. Unmatched rows are new, except those
    above the first matched row while most of the old capture is still there: then the
    capture grew upwards (it includes history this time), which is scrollback, not output.
    When nothing at all matches, the screen was replaced (cleared, or scrolled past a whole
    screen between two captures) and every row is new.
    """
    offset = max(0, len(new) - window)
    old, tail = old[-window:], new[offset:]
    matcher = difflib.SequenceMatcher(None, old, tail, autojunk=False)
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    if not blocks:
        return list(range(offset, len(new)))
    matched: set[int] = set()
    for block in blocks:
        matched.update(range(offset + block.b, offset + block.b + block.size))
    first = blocks[0]
    # The old top gone and little of the old capture left (only the composer and footer)
    # means the output scrolled past a whole screen: rows above the first match are new.
    # (Measured against the shorter capture: after one with scrollback, a plain one can only
    # match its own height of it.)
    scrolled_past = first.a > 0 and 2 * len(matched) < min(len(old), len(tail))
    start = offset if scrolled_past else offset + first.b
    return [i for i in range(start, len(new)) if i not in matched]


# -- the watch ------------------------------------------------------------------------------------


class OutputWatch:
    """Forbidden commands in one agent's new pane output, as alerts, once per occurrence.

    Call `feed(screen, now)` with every capture of the agent's pane (the fleet's plain or
    coloured capture; with or without history), and `note_prompt(text)` for every prompt sent.
    `new_lines` holds the last feed's new agent-side rows, for `LoopWatch.observe`.
    """

    def __init__(self, agent: str, spec: AgentSpec | None = None, *,
                 extra: Iterable[str] = (), merge_seconds: float = MERGE_SECONDS) -> None:
        self.agent = agent
        rules = list(lane_rules(spec))
        rules += [Rule(pattern, re.compile(pattern), anchored=False) for pattern in extra]
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.merge_seconds = merge_seconds
        self.output = PaneOutput()
        self.new_lines: list[str] = []
        self._recent: dict[tuple[str, str], float] = {}  # (label, command) -> last seen

    def note_prompt(self, text: str) -> None:
        self.output.note_prompt(text)

    def reset(self) -> None:
        """After a restart: the new process's first capture is a fresh baseline."""
        self.output.reset()
        self.new_lines = []

    def feed(self, screen: str, now: float) -> list[Alert]:
        self.new_lines = self.output.feed(screen)
        return self._alerts(self.new_lines, now)

    def feed_baseline(self, visible: str, now: float) -> list[Alert]:
        """Forbidden commands already on the visible screen when orchestra first looks (not
        the scrollback above it, not the person's rows): the fleet raises those that the
        journal does not hold yet, so one that ran while orchestra was down is not missed."""
        rows = _rows(visible)
        person = self.output.person_rows(rows)
        return self._alerts([row for index, row in enumerate(rows)
                             if row.strip() and index not in person], now)

    def _alerts(self, rows: list[str], now: float) -> list[Alert]:
        alerts: list[Alert] = []
        for row in rows:
            for label, command in forbidden_in(row, self.rules):
                key = (label, command)
                last = self._recent.get(key)
                self._recent[key] = now
                if last is not None and now - last < self.merge_seconds:
                    continue
                alerts.append(Alert(self.agent, kind="forbid",
                                    text=f"{command} (forbidden: {label})", at=now,
                                    key=f"{label}\x1f{_squash(row)}"))
        self._forget(now)
        return alerts

    def _forget(self, now: float) -> None:
        if len(self._recent) > 64:
            self._recent = {key: at for key, at in self._recent.items()
                            if now - at < self.merge_seconds}
