"""What a wrapper program runs: `sudo -u root X`, `env A=1 X`, `nice -n 5 X`, `timeout 60 X`,
`xargs X`, `find . -exec X \\;` run the command X; `sh -c 'TEXT'`, `su -c 'TEXT'`, `eval TEXT`,
`watch TEXT`, `ssh host TEXT` run shell text; `bash FILE`, `source FILE` run a file; a shell
without a command reads one from its standard input.

Each wrapper's own options are skipped with its option syntax (short clusters such as `-xc` or
`-oL`, `--opt=value`, options that take the next word), so what follows is the program.

>>> runs(["sudo", "-u", "root", "terraform", "destroy"])
[Runs(argv=('terraform', 'destroy'), script=None, file=None, stdin=False)]
>>> runs(["/bin/bash", "--login", "-xc", "terraform destroy", "name"])[0].script
'terraform destroy'
>>> runs(["terraform", "destroy"])
[]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh", "rbash"})
# Programs whose standard output is their arguments' text (what a pipe into a shell runs).
ECHOES = frozenset({"echo", "printf"})


@dataclass(frozen=True)
class Runs:
    """One thing a wrapper runs: an `argv`, shell `script` text, a `file` run as a shell
    script, or (`stdin`) a shell reading its commands from its standard input."""

    argv: tuple[str, ...] = ()
    script: str | None = None
    file: str | None = None
    stdin: bool = False


@dataclass(frozen=True)
class Options:
    """A program's option syntax: short letters and long names that take a value."""

    short_values: str = ""
    long_values: frozenset[str] = frozenset()
    numeric: bool = False  # `nice -10`: a dash and digits is an option
    short_optional: str = ""  # letters whose value is only the rest of their cluster (`-Sk`)


def program_name(word: str) -> str:
    """The program a command word names: its basename (`/usr/bin/env` is `env`)."""
    return word.rsplit("/", 1)[-1]


def first_operand(args: Sequence[str], options: Options) -> tuple[int, dict[str, str]]:
    """(index of the first operand, the options seen with their values; a flag's value is "")
    of `args` (a program's arguments without its name). `--` ends the options.

    >>> first_operand(["-nm", "msg", "--author=x", "file"], Options(short_values="m"))
    (3, {'-n': '', '-m': 'msg', '--author': 'x'})
    """
    seen: dict[str, str] = {}
    index = 0
    while index < len(args):
        word = args[index]
        if word == "--":
            return index + 1, seen
        if word.startswith("--"):
            name, equals, value = word.partition("=")
            if not equals and name in options.long_values and index + 1 < len(args):
                index += 1
                value = args[index]
            seen[name] = value
        elif word.startswith("-") and len(word) > 1:
            if options.numeric and word[1:].isdigit():
                seen["-n"] = word[1:]
            else:
                index = _cluster(word, args, index, options, seen)
        else:
            return index, seen
        index += 1
    return index, seen


def scan(args: Sequence[str], options: Options) -> tuple[list[tuple[str, str]], list[str]]:
    """(options with their values in order, operands) of `args`, for programs that take
    options after operands too (`git push origin main --force`).

    >>> scan(["origin", "-fo", "ci.skip", "main", "--", "-x"], Options(short_values="o"))
    ([('-f', ''), ('-o', 'ci.skip')], ['origin', 'main', '-x'])
    """
    found: list[tuple[str, str]] = []
    operands: list[str] = []
    index = 0
    while index < len(args):
        start, seen = first_operand(args[index:], options)
        found += seen.items()
        index += start
        if index > 0 and args[index - 1] == "--" and start > 0:
            operands += args[index:]
            break
        if index < len(args):
            operands.append(args[index])
        index += 1
    return found, operands


def _cluster(word: str, args: Sequence[str], index: int, options: Options,
             seen: dict[str, str]) -> int:
    for position, letter in enumerate(word[1:], start=1):
        if letter in options.short_optional:
            seen[f"-{letter}"] = word[position + 1:]
            return index
        if letter in options.short_values:
            value = word[position + 1:]
            if not value and index + 1 < len(args):
                index += 1
                value = args[index]
            seen[f"-{letter}"] = value
            return index
        seen[f"-{letter}"] = ""
    return index


# Wrappers that run their operands as a command, with the options that take a value.
_PREFIX: dict[str, Options] = {
    "sudo": Options("CDghpRrtTUu", frozenset({
        "--close-from", "--chdir", "--group", "--host", "--prompt", "--chroot", "--role",
        "--type", "--command-timeout", "--other-user", "--user"})),
    "doas": Options("uC"),
    "pkexec": Options("", frozenset({"--user"})),
    "nice": Options("n", frozenset({"--adjustment"}), numeric=True),
    "ionice": Options("cnp", frozenset({"--class", "--classdata", "--pid"})),
    "nohup": Options(),
    "setsid": Options(),
    "time": Options("fo", frozenset({"--format", "--output"})),
    "stdbuf": Options("ioe", frozenset({"--input", "--output", "--error"})),
    "exec": Options("a"),
    "builtin": Options(),
    "coproc": Options(),
    "unbuffer": Options(),
    "chronic": Options(),
    "busybox": Options(),
    "chroot": Options("", frozenset({"--userspec", "--groups"})),
}
_ENV = Options("uCS", frozenset({"--unset", "--chdir", "--split-string"}))
_TIMEOUT = Options("sk", frozenset({"--signal", "--kill-after"}))
_XARGS = Options("adEILnPs", frozenset({
    "--arg-file", "--delimiter", "--max-lines", "--max-args", "--max-procs", "--max-chars",
    "--process-slot-var"}))
_WATCH = Options("nq", frozenset({"--interval", "--equexit"}))
_SU = Options("cgGsw", frozenset({"--command", "--group", "--supp-group", "--shell",
                                  "--whitelist-environment", "--session-command"}))
_SHELL = Options("oO", frozenset({"--rcfile", "--init-file"}))
_SSH = Options("BbcDEeFIiJLlmOoPpQRSWw")
_FLOCK = Options("wEc", frozenset({"--timeout", "--conflict-exit-code", "--command"}))
_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})


def runs(argv: Sequence[str]) -> list[Runs]:
    """What `argv` runs besides itself when its program is a wrapper or a shell, else []."""
    if not argv:
        return []
    name, args = program_name(argv[0]), list(argv[1:])
    if name in _PREFIX:
        start, seen = first_operand(args, _PREFIX[name])
        if name == "ionice" and "-p" in seen:
            return []
        rest = args[start:]
        if name in ("sudo", "time", "coproc"):
            rest = _after_assignments(rest)  # `sudo X=1 cmd`, bash's `time X=1 cmd`
        if name in ("sudo", "doas") and ("-s" in seen or "-i" in seen) and rest:
            # the operands run through the user's shell: `sudo -s 'terraform destroy'`
            return [*_command(rest), Runs(script=" ".join(rest))]
        return _command(rest)
    handler = _HANDLERS.get(name)
    if handler is not None:
        return handler(args)
    if name in SHELLS:
        return _shell(args)
    return []


def _command(argv: Sequence[str]) -> list[Runs]:
    return [Runs(argv=tuple(argv))] if argv else []


def _shell(args: list[str]) -> list[Runs]:
    """`sh [options] -c TEXT [name args]`, `sh FILE`, or `sh`/`sh -s` reading standard input.
    `-c` may sit in a cluster (`-xc`, `-lc`); `+o name` and `-o name` take a value."""
    index = 0
    while index < len(args) and args[index].startswith("+") and len(args[index]) > 1:
        index += 2 if args[index][1:] in ("o", "O") else 1
    start, seen = first_operand(args[index:], _SHELL)
    start += index
    operands = args[start:]
    if "-c" in seen:
        return [Runs(script=operands[0])] if operands else []
    if "-s" in seen or not operands or operands[0] == "-":
        return [Runs(stdin=True)]
    return [Runs(file=operands[0])]


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _after_assignments(words: list[str]) -> list[str]:
    index = 0
    while index < len(words) and _ASSIGNMENT.match(words[index]):
        index += 1
    return words[index:]


def _env(args: list[str]) -> list[Runs]:
    start, seen = first_operand(args, _ENV)
    split = seen.get("-S") or seen.get("--split-string")
    rest = _after_assignments(args[start:])
    if split:
        return [Runs(script=" ".join([split, *rest]))]
    return _command(rest)


def _timeout(args: list[str]) -> list[Runs]:
    start, _ = first_operand(args, _TIMEOUT)
    return _command(args[start + 1:])  # the first operand is the duration


def _command_builtin(args: list[str]) -> list[Runs]:
    start, seen = first_operand(args, Options())
    if "-v" in seen or "-V" in seen:
        return []  # `command -v X` names X, runs nothing
    return _command(args[start:])


def _xargs(args: list[str]) -> list[Runs]:
    start, _ = first_operand(args, _XARGS)
    return _command(args[start:] or ["echo"])


def _watch(args: list[str]) -> list[Runs]:
    start, seen = first_operand(args, _WATCH)
    rest = args[start:]
    if not rest:
        return []
    if "-x" in seen or "--exec" in seen:
        return _command(rest)
    return [Runs(script=" ".join(rest))]


def _su(args: list[str]) -> list[Runs]:
    """`su [options] [-] [user] -c TEXT`: options may follow the user."""
    found: list[Runs] = []
    index = 0
    while index < len(args):
        start, seen = first_operand(args[index:], _SU)
        for key in ("-c", "--command", "--session-command"):
            if seen.get(key):
                found.append(Runs(script=seen[key]))
        index += max(start, 0) + 1
    return found


def _git(args: list[str]) -> list[Runs]:
    """`git rebase -x CMD` / `--exec=CMD` runs CMD through the shell after each commit."""
    if "rebase" not in args:
        return []
    _, seen = first_operand(args[args.index("rebase") + 1:],
                            Options("xsX", frozenset({"--exec", "--onto", "--strategy"})))
    text = seen.get("-x") or seen.get("--exec")
    return [Runs(script=text)] if text else []


def _eval(args: list[str]) -> list[Runs]:
    return [Runs(script=" ".join(args))] if args else []


def _source(args: list[str]) -> list[Runs]:
    return [Runs(file=args[0])] if args else []


def _find(args: list[str]) -> list[Runs]:
    found: list[Runs] = []
    index = 0
    while index < len(args):
        if args[index] in _FIND_EXEC:
            end = index + 1
            while end < len(args) and args[end] not in (";", "+", "{}+"):
                end += 1
            found += _command(args[index + 1:end])
            index = end
        index += 1
    return found


def _ssh(args: list[str]) -> list[Runs]:
    start, _ = first_operand(args, _SSH)
    rest = args[start + 1:]  # the first operand is the host
    return [Runs(script=" ".join(rest))] if rest else []


def _flock(args: list[str]) -> list[Runs]:
    start, seen = first_operand(args, _FLOCK)
    text = seen.get("-c") or seen.get("--command")
    if text is None and start + 1 < len(args) and args[start + 1] in ("-c", "--command"):
        text = args[start + 2] if start + 2 < len(args) else None
    if text:
        return [Runs(script=text)]
    return _command(args[start + 1:])  # the first operand is the lock file


def _script(args: list[str]) -> list[Runs]:
    _, seen = first_operand(args, Options("cEIOBT", frozenset({"--command"})))
    text = seen.get("-c") or seen.get("--command")
    return [Runs(script=text)] if text else []


_HANDLERS = {
    "env": _env, "timeout": _timeout, "gtimeout": _timeout, "command": _command_builtin,
    "xargs": _xargs, "watch": _watch, "su": _su, "runuser": _su, "eval": _eval,
    "source": _source, ".": _source, "find": _find, "ssh": _ssh, "flock": _flock,
    "script": _script, "git": _git,
}
