"""A small GraphQL executor for the GitHub stand-in: parse a document, resolve it over dicts.

Stdlib only (the demo ships it). It understands what orchestra's documents use: operations
with variables and defaults, aliases, arguments (variables, literals, enums, lists, objects),
named and inline fragments with type conditions, `@include`/`@skip`, comments. Values in the
object graph are plain values, dicts (objects, with a `__typename`), lists, or callables taking
the field's arguments as keywords. A resolver raises `FieldError` for a GitHub-style error
(`type`, `message`, `path`), which nulls that field as GitHub does.

`cost()` applies GitHub's rate-limit rule: every connection (a field given `first` or `last`)
needs as many requests as its parents can return; sum them, divide by 100, round, at least 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class GraphQLSyntaxError(ValueError):
    pass


class FieldError(Exception):
    def __init__(self, message: str, type_: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.type = type_


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
                name = self.take(kind="name") if self.toks[self.i][0] == "name" else None
                variables = self.variable_defs() if self.peek("(") else {}
                self.directives()
                ops.append(Operation(kind, name, variables, self.selection_set()))
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

    return json.loads(f'"{text}"')


def parse(text: str) -> Document:
    return _Parser(text).document()


def operation_name(text: str) -> str | None:
    """The first operation's name, without a full parse (for logs and dispatch)."""
    text = re.sub(r"#[^\n]*", "", text)
    match = re.search(r"(?:^|[\s}])(query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)", text)
    return match.group(2) if match else None


def _arg(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, Var):
        return variables.get(value.name)
    if isinstance(value, list):
        return [_arg(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _arg(v, variables) for k, v in value.items()}
    return value


def _included(directives: list[tuple[str, dict[str, Any]]], variables: dict[str, Any]) -> bool:
    for name, args in directives:
        cond = bool(_arg(args.get("if"), variables))
        if (name == "include" and not cond) or (name == "skip" and cond):
            return False
    return True


def _applies(type_condition: str | None, obj: dict[str, Any]) -> bool:
    if type_condition is None:
        return True
    return type_condition == obj.get("__typename") or type_condition in obj.get(
        "__implements", ())


class Executor:
    def __init__(self, document: Document, variables: dict[str, Any] | None,
                 operation: str | None = None) -> None:
        self.doc = document
        self.op = document.operation(operation)
        self.variables = {k: v for k, v in self.op.variables.items()}
        self.variables.update(variables or {})
        self.errors: list[dict[str, Any]] = []

    def _fields(self, obj: dict[str, Any] | None, selections: list[Any]) -> list[Field]:
        out: list[Field] = []
        for sel in selections:
            if not _included(sel.directives, self.variables):
                continue
            if isinstance(sel, Field):
                out.append(sel)
            elif isinstance(sel, InlineFragment):
                if obj is None or _applies(sel.type_condition, obj):
                    out.extend(self._fields(obj, sel.selections))
            else:
                cond, sels = self.doc.fragments[sel.name]
                if obj is None or _applies(cond, obj):
                    out.extend(self._fields(obj, sels))
        return out

    def run(self, root: dict[str, Any]) -> dict[str, Any]:
        data = self._object(root, self.op.selections, [])
        result: dict[str, Any] = {"data": data}
        if self.errors:
            result["errors"] = self.errors
        return result

    def _object(self, obj: dict[str, Any], selections: list[Any],
                path: list[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for fld in self._fields(obj, selections):
            if fld.key in out:
                continue  # merged duplicate selection
            if fld.name == "__typename":
                out[fld.key] = obj.get("__typename")
                continue
            if fld.name not in obj:
                raise FieldError(f"Field '{fld.name}' doesn't exist on type "
                                 f"'{obj.get('__typename')}'", "undefinedField")
            value = obj[fld.name]
            try:
                if callable(value):
                    value = value(**{k: _arg(v, self.variables) for k, v in fld.args.items()})
            except FieldError as error:
                entry: dict[str, Any] = {"message": error.message, "path": path + [fld.key]}
                if error.type:
                    entry["type"] = error.type
                self.errors.append(entry)
                value = None
            out[fld.key] = self._complete(value, fld, path + [fld.key])
        return out

    def _complete(self, value: Any, fld: Field, path: list[Any]) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            return [self._complete(v, fld, path + [i]) for i, v in enumerate(value)]
        if isinstance(value, dict) and fld.selections:
            return self._object(value, fld.selections, path)
        return value

    # -- GitHub's cost rule --------------------------------------------------------------------

    def cost(self) -> tuple[int, int]:
        """(points, node count) for this operation, computed as GitHub documents it."""
        requests = 0
        nodes = 0

        def walk(selections: list[Any], multiplier: int) -> None:
            nonlocal requests, nodes
            for fld in self._all_fields(selections):
                size = None
                for arg in ("first", "last"):
                    if arg in fld.args:
                        size = _arg(fld.args[arg], self.variables)
                if isinstance(size, int):
                    requests += multiplier
                    nodes += multiplier * size
                    walk(fld.selections, multiplier * size)
                else:
                    walk(fld.selections, multiplier)

        walk(self.op.selections, 1)
        return max(1, round(requests / 100)), nodes

    def _all_fields(self, selections: list[Any]) -> list[Field]:
        out: list[Field] = []
        for sel in selections:
            if isinstance(sel, Field):
                out.append(sel)
            elif isinstance(sel, InlineFragment):
                out.extend(self._all_fields(sel.selections))
            else:
                out.extend(self._all_fields(self.doc.fragments[sel.name][1]))
        return out


def connection(items: list[Any], *, first: int | None = None, last: int | None = None,
               after: str | None = None, before: str | None = None, name: str = "connection",
               **extra: Any) -> dict[str, Any]:
    """A GitHub-style connection over `items`; enforces GitHub's first/last rule (1..100)."""
    import base64

    if first is None and last is None:
        raise FieldError(f"You must provide a `first` or `last` value to properly paginate the "
                         f"`{name}` connection.", "MISSING_PAGINATION_BOUNDARIES")
    for arg, size in (("first", first), ("last", last)):
        if size is not None and not 0 <= size <= 100:
            raise FieldError(f"Requesting {size} records on the `{name}` connection exceeds the "
                             f"`{arg}` limit of 100 records.", "EXCESSIVE_PAGINATION")

    def cursor(index: int) -> str:
        return base64.b64encode(f"cursor:v2:{index}".encode()).decode()

    def index_of(cur: str) -> int:
        try:
            return int(base64.b64decode(cur).decode().rsplit(":", 1)[1])
        except Exception:
            raise FieldError(f"`{cur}` does not appear to be a valid cursor.",
                             "INVALID_CURSOR_ARGUMENTS") from None

    start, end = 0, len(items)
    if after:
        start = index_of(after) + 1
    if before:
        end = min(end, index_of(before))
    window = list(range(start, max(start, end)))
    if first is not None:
        window = window[:first]
    if last is not None:
        window = window[-last:] if last else []
    page = {
        "__typename": "PageInfo",
        "hasNextPage": bool(window) and window[-1] < end - 1,
        "hasPreviousPage": bool(window) and window[0] > 0,
        "startCursor": cursor(window[0]) if window else None,
        "endCursor": cursor(window[-1]) if window else None,
    }
    result = {
        "totalCount": len(items),
        "pageInfo": page,
        "nodes": [items[i] for i in window],
        "edges": [{"cursor": cursor(i), "node": items[i]} for i in window],
    }
    result.update(extra)
    return result
