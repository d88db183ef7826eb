"""The simple commands a shell command line would run, as argv words with quotes and escapes
removed: every list, pipeline, subshell, group, compound command and background job, `$(...)`
and backticks, comments ignored; wrappers (`sudo`, `env`, `nice`, `timeout`, `xargs`,
`find -exec`, ... see `core.shell_wrappers`) looked through; text given to a shell (`sh -c`,
`eval`, `su -c`, a here-string or heredoc into a shell, `echo TEXT | sh`) parsed in turn.

The parser is tree-sitter-bash: C speed, error tolerant, cancellable. Judging is bounded
(`Budget`, a size cap, a nesting cap); what could not be judged is a `problem` to fail closed on.

>>> [c.text for c in simple_commands("cd x && t'erraform' destroy >out.log &").commands]
['cd x', 'terraform destroy']
>>> [c.text for c in simple_commands("bash -lc 'sudo -u root terraform destroy'").commands]
['bash -lc sudo -u root terraform destroy', 'sudo -u root terraform destroy', 'terraform destroy']
>>> simple_commands("echo 'unterminated").problem
'unparsable'
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parser is imported on first use (the hook program's start-up)
    from tree_sitter import Node, Parser, Tree

from orchestra_tui.core.guard.shell_words import brace_words
from orchestra_tui.core.guard.shell_wrappers import ECHOES, program_name, runs

MAX_BYTES = 2 << 20  # a command (or a script) longer than this is not judged
MAX_DEPTH = 8  # shells given a string (or a script) inside each other
CPU_SECONDS = 0.07  # processor time a judgement may take (a cancelled parse adds ~6 ms)...
WALL_SECONDS = 0.5  # ...and wall-clock time, on a busy machine
_CHECK_EVERY, _DIRECT_PARSE = 256, 16 << 10  # nodes between looks at the clock; one-call parse
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_WRITING = frozenset({">", ">>", ">|", "&>", "&>>"})

# What a caller is told when a command could not be judged.
TOO_LARGE, TOO_SLOW, TOO_DEEP, UNPARSABLE = "too_large", "too_slow", "too_deep", "unparsable"


class Unjudged(Exception):
    """Judging stopped: `kind` is one of TOO_LARGE, TOO_SLOW, TOO_DEEP."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Budget:
    """How long a judgement may take: `cpu` seconds of this thread's processor time and `wall`
    seconds of real time. `clock` (a test's) replaces both clocks."""

    def __init__(self, cpu: float = CPU_SECONDS, wall: float = WALL_SECONDS,
                 clock: Callable[[], float] | None = None) -> None:
        self._cpu_clock = clock or time.thread_time
        self._wall_clock = clock or time.monotonic
        self._cpu_end = self._cpu_clock() + cpu
        self._wall_end = self._wall_clock() + wall

    def expired(self) -> bool:
        return self._cpu_clock() > self._cpu_end or self._wall_clock() > self._wall_end

    def check(self) -> None:
        if self.expired():
            raise Unjudged(TOO_SLOW)


@dataclass(frozen=True)
class SimpleCommand:
    """One command that would run: its `argv`, and how many shell strings or scripts deep it
    sits (`depth` 0: typed on the command line)."""

    argv: tuple[str, ...]
    depth: int = 0

    @property
    def text(self) -> str:
        return " ".join(self.argv)


@dataclass
class Parsed:
    """The commands found, and the `problem` (None, or why the rest could not be judged)."""

    commands: list[SimpleCommand] = field(default_factory=list)
    problem: str | None = None
    writes: list[str] = field(default_factory=list)  # files an output redirection names
    assigns: list[str] = field(default_factory=list)  # `NAME=value`, alone or before a command


# (path as written, given to a shell explicitly, directories `cd` named before) -> the file's
# text when it is a shell script to judge, else None; raises Unjudged(TOO_LARGE) for a big one.
ScriptReader = Callable[[str, bool, Sequence[str]], str | None]


def simple_commands(text: str, *, budget: Budget | None = None,
                    read_script: ScriptReader | None = None) -> Parsed:
    """The simple commands `text` would run, in order, wrapper and wrapped both listed."""
    walk = _Walk(budget or Budget(), read_script)
    try:
        if len(text) > MAX_BYTES:
            raise Unjudged(TOO_LARGE)
        walk.pending.append((text, 0))
        walk.run()
    except Unjudged as stop:
        walk.parsed.problem = stop.kind
    return walk.parsed


@cache
def _parser() -> Parser:  # built on first use: the hook program pays for it only when it judges
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


def _parse(source: bytes, budget: Budget) -> Tree:
    parser = _parser()
    if len(source) <= _DIRECT_PARSE:
        return parser.parse(source)

    def read(offset: int, _point: object) -> bytes:
        return source[offset:offset + 65536]

    try:
        return parser.parse(read, progress_callback=lambda *_: budget.expired())
    except ValueError:  # cancelled by the progress callback
        parser.reset()
        raise Unjudged(TOO_SLOW) from None


class _Walk:
    def __init__(self, budget: Budget, read_script: ScriptReader | None) -> None:
        self.budget = budget
        self.read_script = read_script
        self.parsed = Parsed()
        self.pending: deque[tuple[str, int]] = deque()
        self.stack: list[Node] = []
        self.dirs: list[str] = []
        self.written: dict[str, str] = {}  # path -> text this command line writes there
        self.steps = 0

    def run(self) -> None:
        while self.pending:
            text, depth = self.pending.popleft()
            if depth > MAX_DEPTH:
                raise Unjudged(TOO_DEEP)
            if len(text) > MAX_BYTES:
                raise Unjudged(TOO_LARGE)
            self.budget.check()
            tree = _parse(text.encode("utf-8", "surrogatepass"), self.budget)
            if tree.root_node.has_error and self.parsed.problem is None:
                self.parsed.problem = UNPARSABLE
            self.walk(tree.root_node, depth)

    def walk(self, root: Node, depth: int) -> None:
        self.stack = [root]
        while self.stack:
            self.steps += 1
            if self.steps % _CHECK_EVERY == 0:
                self.budget.check()
            node = self.stack.pop()
            kind = node.type
            if kind == "comment":
                continue
            if kind == "pipeline":
                output = None
                for stage in node.named_children:
                    output = self.stage(stage, depth, output)
            elif kind in ("command", "redirected_statement"):
                self.stage(node, depth, None)
            else:
                if kind == "variable_assignment":  # `PATH=. npm`, `export PATH=.`
                    self.parsed.assigns.append(_text(node))
                self.stack.extend(reversed(node.children))

    def stage(self, node: Node, depth: int, stdin: str | None) -> str | None:
        """Walk one command (of a pipeline, whose previous stage printed `stdin` when that is
        known); return what it prints when that is known (echo, printf, cat of a heredoc)."""
        if node.type == "command":
            return self.command(node, [], depth, stdin)
        if node.type == "redirected_statement":
            body = node.child_by_field_name("body")
            redirects = [child for child in node.children if child.type in _REDIRECTS]
            if body is not None and body.type == "command":
                return self.command(body, redirects, depth, stdin)
            self.stack.extend(reversed([child for child in node.children
                                        if child.type not in _REDIRECTS]))
            self.note_targets(redirects)
            self.redirect_input(redirects)
            return None
        if node.type == "list" and stdin is not None and node.named_children:
            # tree-sitter-bash reads `echo X | sh | cat && true` as echo piped into the list
            # `sh | cat && true`: the text still flows into the list's first part.
            first, *rest = node.named_children
            for stage in first.named_children if first.type == "pipeline" else [first]:
                stdin = self.stage(stage, depth, stdin)
            self.stack.extend(reversed(rest))
            return None
        if node.type != "comment":
            self.stack.append(node)
        return None

    def command(self, node: Node, redirects: list[Node], depth: int,
                stdin: str | None) -> str | None:
        name = node.child_by_field_name("name")
        argv = [self.word(name)] if name is not None else []
        for arg in node.children_by_field_name("argument"):
            value = self.word(arg)
            argv += brace_words(value) if arg.type in ("word", "concatenation") else [value]
        self.stack.extend(child for child in node.children if child.type == "variable_assignment")
        redirects = redirects + [child for child in node.children if child.type in _REDIRECTS]
        self.note_targets(redirects)
        given, from_file = self.redirect_input(redirects)
        stdin = given if given is not None else stdin
        if not argv:
            return None
        printed = _printed(argv, stdin)
        self.note_written(argv, redirects, printed, stdin)
        self.emit(tuple(argv), depth, stdin, from_file)
        # `cat <<EOF | sh`: the rest of the line is parsed inside the heredoc redirect
        for redirect in redirects:
            for rest in redirect.named_children:
                if rest.type == "pipeline":
                    output = printed
                    for stage in rest.named_children:
                        output = self.stage(stage, depth, output)
        return printed

    def note_written(self, argv: list[str], redirects: list[Node], printed: str | None,
                     stdin: str | None) -> None:
        """Remember the text a command writes to a file (`cat > x.sh <<EOF`, `echo ... > x`,
        `tee x <<EOF`): a script written and run in one command line is judged too."""
        if printed is not None:
            for redirect in redirects:
                target = redirect.child_by_field_name("destination")
                if redirect.type == "file_redirect" and target is not None and any(
                        child.type in (">", ">>", ">|", "&>") for child in redirect.children):
                    self.written[_normal(self.word(target))] = printed
        if program_name(argv[0]) == "tee" and stdin is not None:
            for path in argv[1:]:
                if not path.startswith("-"):
                    self.written[_normal(path)] = stdin

    def note_targets(self, redirects: list[Node]) -> None:
        for redirect in redirects:
            target = redirect.child_by_field_name("destination")
            if redirect.type != "file_redirect" or target is None:
                continue
            ops = {child.type for child in redirect.children}
            path = self.word(target)
            if ops & _WRITING or (">&" in ops and not path.isdigit() and path != "-"):
                self.parsed.writes.append(path)  # `2>&1` duplicates a descriptor: no file

    def redirect_input(self, redirects: list[Node]) -> tuple[str | None, str | None]:
        """(text a here-string or heredoc gives, file a `<` redirect reads) of `redirects`;
        their words' substitutions are walked."""
        text = path = None
        for redirect in redirects:
            if redirect.type == "herestring_redirect":
                words = [self.word(child) for child in redirect.named_children]
                text = " ".join(words) + "\n"
            elif redirect.type == "heredoc_redirect":
                for child in redirect.named_children:
                    if child.type == "heredoc_body":
                        text = _text(child)
                    if child.type not in ("heredoc_start", "heredoc_end", "pipeline"):
                        self.stack.append(child)  # the body's substitutions, `&& next`
            else:
                target = redirect.child_by_field_name("destination")
                value = self.word(target) if target is not None else ""
                if any(child.type == "<" for child in redirect.children):
                    path = value
        return text, path

    def emit(self, argv: tuple[str, ...], depth: int, stdin: str | None,
             from_file: str | None) -> None:
        queue = [argv]
        hops = 0
        while queue:
            argv = queue.pop(0)
            hops += 1
            if hops > 4 * MAX_DEPTH:
                raise Unjudged(TOO_DEEP)
            self.parsed.commands.append(SimpleCommand(argv, depth))
            name = program_name(argv[0])
            if name == "cd" and len(argv) > 1:
                self.dirs.append(argv[1])
            elif "/" in argv[0]:
                self.script(argv[0], depth + 1, explicit=False)
            for found in runs(argv):
                if found.argv:
                    extra = tuple(stdin.split()) if name == "xargs" and stdin else ()
                    queue.append(found.argv + extra)
                if found.script is not None:
                    self.pending.append((found.script, depth + 1))
                if found.file is not None:
                    self.script(found.file, depth + 1, explicit=True)
                if found.stdin:
                    if stdin is not None:
                        self.pending.append((stdin, depth + 1))
                    elif from_file:
                        self.script(from_file, depth + 1, explicit=True)

    def script(self, path: str, depth: int, *, explicit: bool) -> None:
        text = self.written.get(_normal(path)) if path else None
        if text is None and self.read_script is not None and path:
            text = self.read_script(path, explicit, tuple(self.dirs))
        if text is not None:
            self.pending.append((text, depth))

    def word(self, node: Node) -> str:
        """The value of a word with its quotes and escapes removed; an expansion stays as
        written, and the commands inside it are walked."""
        kind = node.type
        if kind == "word":
            return _unescape(_text(node))
        if kind == "raw_string":
            return _text(node)[1:-1]
        if kind == "ansi_c_string":
            return _ansi_c(_text(node)[2:-1])
        if kind in ("concatenation", "command_name"):
            return "".join(self.word(child) for child in node.children)
        if kind in ("string", "translated_string"):
            parts = []
            for child in node.children:
                if child.type == "string_content":
                    parts.append(_DOUBLE_ESCAPE.sub(_escaped, _text(child)))
                elif child.type not in ('"', '$"'):
                    parts.append(self.word(child))
            return "".join(parts)
        self.stack.append(node)  # an expansion or substitution: its commands run
        return _text(node)


def _normal(path: str) -> str:
    return os.path.normpath(path) if path else path


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


_UNQUOTED_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_DOUBLE_ESCAPE = re.compile(r"\\([$`\"\\\n])")


def _escaped(match: re.Match[str]) -> str:
    return "" if match.group(1) == "\n" else match.group(1)


def _unescape(text: str) -> str:
    return _UNQUOTED_ESCAPE.sub(_escaped, text) if "\\" in text else text


_ANSI_C = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}"
                     r"|c.|.)", re.DOTALL)
_ANSI_C_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b",
                  "E": "\x1b", "f": "\f", "v": "\v"}


def _ansi_c(body: str) -> str:
    """The value of `$'...'`: `$'\\x74erraform'` is `terraform`."""
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xuU" and len(code) > 1:
            return chr(min(int(code[1:], 16), 0x10FFFF))
        if code[0].isdigit():
            return chr(int(code, 8) & 0xFF)
        if code[0] == "c" and len(code) == 2:
            return chr(ord(code[1]) & 0x1F)
        return _ANSI_C_SIMPLE.get(code, code)

    return _ANSI_C.sub(one, body)


def _printed(argv: Sequence[str], stdin: str | None) -> str | None:
    """What a command prints when that is plain from its words: `echo`, `printf`, `cat`
    reading a heredoc."""
    name, args = program_name(argv[0]), list(argv[1:])
    if name in ECHOES:
        if name == "echo":
            while args and args[0] in ("-n", "-e", "-E", "-ne", "-en"):
                args = args[1:]
            return " ".join(args) + "\n"
        if args:
            text = args[0]
            for value in args[1:]:
                text = text.replace("%s", value, 1) if "%s" in text else f"{text} {value}"
            return _ansi_c(text)
    if name == "cat" and not args:
        return stdin
    return None
