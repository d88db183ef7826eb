"""The judgement on one shell command for a lane: the built-in rules (`core.command_rules`) and
the lane's own `forbid` regexes on every simple command it would run (`core.shell_commands`),
shell scripts it runs read and judged too, within a `Budget`.

A command that could not be judged (too long, too slow, nested too deep, not shell) comes back
with that `kind`: the enforcing hook denies it (fail closed), an observing lane lets it run.

>>> from orchestra_tui.models import AgentSpec
>>> judge("git log --grep 'push origin main'", AgentSpec("infra")).kind
'allowed'
>>> judge("bash -c 't\\\\erraform destroy'", AgentSpec("infra"))
Judgement(kind='forbidden', label='terraform destroy', command='terraform destroy')
>>> judge("helm  'upgrade' api", AgentSpec("infra", forbid=(r"^helm upgrade",))).label
'^helm upgrade'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestra_tui.core.guard.command_rules import Context, forbidden
from orchestra_tui.core.guard.shell_commands import (
    TOO_DEEP,
    TOO_LARGE,
    TOO_SLOW,
    UNPARSABLE,
    Budget,
    ScriptReader,
    Unjudged,
    simple_commands,
)
from orchestra_tui.models import AgentSpec

ALLOWED, FORBIDDEN = "allowed", "forbidden"
SCRIPT_LIMIT = 256 << 10  # bytes of a shell script read to judge it; a longer one is not judged
FALLBACK_TEXT = 64 << 10  # a lane regex RE2 cannot run is searched in this much text only
# Why a command was not judged, in the words of the denial and the alert.
UNJUDGED = {
    TOO_SLOW: "could not judge in time",
    TOO_LARGE: "too long to judge",
    TOO_DEEP: "nested too deep to judge",
    UNPARSABLE: "could not parse as shell",
}
_SHEBANG = re.compile(rb"#![ \t]*\S*/(?:env[ \t]+(?:-\S+[ \t]+)*)?(?:ba|da|z|k|mk|a)?sh\b")


@dataclass(frozen=True)
class Judgement:
    """`kind`: ALLOWED, FORBIDDEN (by rule `label`, in simple command `command`), or a
    reason it was not judged (a key of UNJUDGED)."""

    kind: str
    label: str = ""
    command: str = ""


def judge(command: str, spec: AgentSpec | None, *, cwd: str | Path | None = None,
          budget: Budget | None = None) -> Judgement:
    """The judgement on `command` for the lane of `spec`, run in directory `cwd` (scripts
    and the checked-out branch are looked up there when it is given)."""
    budget = budget or Budget()
    base = Path(cwd) if cwd else None
    parsed = simple_commands(command, budget=budget,
                             read_script=script_reader(base) if base else None)
    context = Context(branch=current_branch(base) if base else None)
    patterns = [_compiled(pattern) for pattern in (spec.forbid if spec else ())]
    try:
        for index, simple in enumerate(parsed.commands):
            if index % 64 == 63:
                budget.check()
            label = forbidden(simple.argv, context)
            if label is None and patterns:
                text = simple.text
                label = next((source for source, search in patterns if search(text)), None)
            if label is not None:
                return Judgement(FORBIDDEN, label, simple.text)
    except Unjudged as stop:
        return Judgement(stop.kind, UNJUDGED[stop.kind], command)
    if parsed.problem is not None:
        return Judgement(parsed.problem, UNJUDGED[parsed.problem], command)
    return Judgement(ALLOWED)


@cache
def _compiled(pattern: str) -> tuple[str, Callable[[str], bool]]:
    """(pattern, search) for a lane regex: RE2 (linear time in the text) when it can run the
    pattern; else Python's engine on the first FALLBACK_TEXT characters."""
    try:
        import re2

        options = re2.Options()
        options.log_errors = False
        search = re2.compile(pattern, options).search
        return pattern, lambda text: search(text) is not None
    except Exception:  # a pattern RE2 cannot run (lookaround, backreference), or no RE2
        compiled = re.compile(pattern)
        return pattern, lambda text: compiled.search(text[:FALLBACK_TEXT]) is not None


def script_reader(cwd: Path) -> ScriptReader:
    """Reads a script a command runs (`./deploy.sh`, `bash x`, `source env.sh`) relative to
    `cwd` (or to a directory an earlier `cd` named): its text when it exists and is a shell
    script (given to a shell explicitly, a `#!` shell line, or a `.sh` name), else None."""
    def read(path: str, explicit: bool, dirs: Sequence[str]) -> str | None:
        target = Path(path).expanduser()
        candidates = [target] if target.is_absolute() else (
            [cwd / target] + [cwd / directory / target for directory in reversed(dirs)])
        for candidate in candidates:
            try:
                if not candidate.is_file():
                    continue
                with open(candidate, "rb") as handle:
                    head = handle.read(256)
                    if not (explicit or _SHEBANG.match(head)
                            or candidate.suffix in (".sh", ".bash")):
                        return None
                    data = head + handle.read(SCRIPT_LIMIT + 1 - len(head))
            except (OSError, ValueError):
                continue
            if len(data) > SCRIPT_LIMIT:
                raise Unjudged(TOO_LARGE)
            return data.decode("utf-8", "replace")
        return None

    return read


def current_branch(cwd: Path) -> str | None:
    """The branch checked out in the git work tree holding `cwd` (None: unknown, detached)."""
    try:
        directory = cwd.resolve()
        for folder in (directory, *directory.parents):
            dot_git = folder / ".git"
            if dot_git.is_file():
                pointer = dot_git.read_text("utf-8", "replace").strip()
                if not pointer.startswith("gitdir:"):
                    return None
                dot_git = (folder / pointer.removeprefix("gitdir:").strip())
            if dot_git.is_dir():
                head = (dot_git / "HEAD").read_text("utf-8", "replace").strip()
                return head.removeprefix("ref: refs/heads/") if head.startswith("ref: ") \
                    else None
    except (OSError, ValueError):
        return None
    return None
