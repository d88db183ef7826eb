"""The GraphQL parser of the GitHub stand-in: a document's text into operations and fragments.

Stdlib only (the demo ships it). It reads what orchestra's documents use: operations with
variables and defaults, aliases, arguments (variables, literals, enums, lists, objects), named
and inline fragments with type conditions, directives, comments.

>>> doc = parse("query Q($n: Int = 2) { a: repository { ...F } } fragment F on Repository { id }")
>>> op = doc.operation("Q")
>>> (op.kind, op.variables, op.selections[0].key, list(doc.fragments))
('query', {'n': 2}, 'a', ['F'])
>>> operation_name("# x\\nmutation Resolve { x }")
'Resolve'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class GraphQLSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Var:
    name: str


class EnumValue(str):
    pass


@dataclass
class Field:
    name: str
    alias: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    directives: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    selections: list[Any] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass
class InlineFragment:
    type_condition: str | None
    selections: list[Any]
    directives: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class FragmentSpread:
    name: str
    directives: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Operation:
    kind: str  # query or mutation
    name: str | None
    variables: dict[str, Any]  # name -> default (None when none)
    selections: list[Any]


@dataclass
class Document:
    operations: list[Operation]
    fragments: dict[str, tuple[str, list[Any]]]

    def operation(self, name: str | None = None) -> Operation:
        if name is None:
            if len(self.operations) != 1:
                raise GraphQLSyntaxError("operationName is required for several operations")
            return self.operations[0]
        for op in self.operations:
            if op.name == name:
                return op
        raise GraphQLSyntaxError(f"Unknown operation named '{name}'.")


_TOKEN = re.compile(r'''
    (?P<skip>[\s,\ufeff]+|\#[^\n]*)
  | (?P<spread>\.\.\.)
  | (?P<block>"""(?:[^"\\]|\\.|"(?!""))*""")
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<punct>[!$():=@\[\]{}|&])
''', re.X)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise GraphQLSyntaxError(f"Parse error on {text[pos:pos + 10]!r} at {pos}")
        pos = match.end()
        kind = match.lastgroup or ""
        if kind != "skip":
            out.append((kind, match.group()))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self, value: str | None = None) -> bool:
        if self.i >= len(self.toks):
            return False
        return value is None or self.toks[self.i][1] == value

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        if self.i >= len(self.toks):
            raise GraphQLSyntaxError("Unexpected end of document")
        tok_kind, tok = self.toks[self.i]
        if (value is not None and tok != value) or (kind is not None and tok_kind != kind):
            raise GraphQLSyntaxError(f"Expected {value or kind}, found {tok!r}")
        self.i += 1
        return tok

    def document(self) -> Document:
        ops: list[Operation] = []
        frags: dict[str, tuple[str, list[Any]]] = {}
        while self.peek():
            if self.peek("{"):
                ops.append(Operation("query", None, {}, self.selection_set()))
            elif self.peek("fragment"):
                self.take()
                name = self.take(kind="name")
                self.take("on")
                frags[name] = (self.take(kind="name"), self.selection_set())
            else:
                kind = self.take(kind="name")
                if kind not in ("query", "mutation", "subscription"):
                    raise GraphQLSyntaxError(f"Unexpected {kind!r}")
                op_name = self.take(kind="name") if self.toks[self.i][0] == "name" else None
                variables = self.variable_defs() if self.peek("(") else {}
                self.directives()
                ops.append(Operation(kind, op_name, variables, self.selection_set()))
        return Document(ops, frags)

    def variable_defs(self) -> dict[str, Any]:
        defs: dict[str, Any] = {}
        self.take("(")
        while not self.peek(")"):
            self.take("$")
            name = self.take(kind="name")
            self.take(":")
            self.type_ref()
            defs[name] = self.value(const=True) if self.peek("=") and self.take("=") else None
            self.directives()
        self.take(")")
        return defs

    def type_ref(self) -> None:
        if self.peek("["):
            self.take("[")
            self.type_ref()
            self.take("]")
        else:
            self.take(kind="name")
        if self.peek("!"):
            self.take("!")

    def directives(self) -> list[tuple[str, dict[str, Any]]]:
        out = []
        while self.peek("@"):
            self.take("@")
            name = self.take(kind="name")
            out.append((name, self.arguments() if self.peek("(") else {}))
        return out

    def arguments(self) -> dict[str, Any]:
        args: dict[str, Any] = {}
        self.take("(")
        while not self.peek(")"):
            name = self.take(kind="name")
            self.take(":")
            args[name] = self.value()
        self.take(")")
        return args

    def value(self, const: bool = False) -> Any:
        kind, tok = self.toks[self.i]
        if tok == "$" and not const:
            self.take()
            return Var(self.take(kind="name"))
        if tok == "[":
            self.take()
            items = []
            while not self.peek("]"):
                items.append(self.value(const))
            self.take("]")
            return items
        if tok == "{":
            self.take()
            obj = {}
            while not self.peek("}"):
                key = self.take(kind="name")
                self.take(":")
                obj[key] = self.value(const)
            self.take("}")
            return obj
        self.i += 1
        if kind == "number":
            return float(tok) if any(c in tok for c in ".eE") else int(tok)
        if kind == "string":
            return _unescape(tok[1:-1])
        if kind == "block":
            return tok[3:-3]
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(tok, EnumValue(tok))
        raise GraphQLSyntaxError(f"Unexpected {tok!r}")

    def selection_set(self) -> list[Any]:
        self.take("{")
        out: list[Any] = []
        while not self.peek("}"):
            if self.peek("..."):
                self.take()
                if self.peek("on"):
                    self.take()
                    cond = self.take(kind="name")
                    dirs = self.directives()
                    out.append(InlineFragment(cond, self.selection_set(), dirs))
                elif self.peek("{") or self.peek("@"):
                    dirs = self.directives()
                    out.append(InlineFragment(None, self.selection_set(), dirs))
                else:
                    name = self.take(kind="name")
                    out.append(FragmentSpread(name, self.directives()))
                continue
            name = self.take(kind="name")
            alias = None
            if self.peek(":"):
                self.take()
                alias, name = name, self.take(kind="name")
            args = self.arguments() if self.peek("(") else {}
            dirs = self.directives()
            sels = self.selection_set() if self.peek("{") else []
            out.append(Field(name, alias, args, dirs, sels))
        self.take("}")
        return out


def _unescape(text: str) -> str:
    import json

    return str(json.loads(f'"{text}"'))


def parse(text: str) -> Document:
    return _Parser(text).document()


def operation_name(text: str) -> str | None:
    """The first operation's name, without a full parse (for logs and dispatch)."""
    text = re.sub(r"#[^\n]*", "", text)
    match = re.search(r"(?:^|[\s}])(query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)", text)
    return match.group(2) if match else None
