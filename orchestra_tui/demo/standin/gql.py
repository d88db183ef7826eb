"""A small GraphQL executor for the GitHub stand-in: run a parsed document (`gql_parse`)
over dicts.

Stdlib only (the demo ships it). Values in the object graph are plain values, dicts (objects,
with a `__typename`), lists, or callables taking the field's arguments as keywords. A resolver
raises `FieldError` for a GitHub-style error (`type`, `message`, `path`), which nulls that field
as GitHub does.

`cost()` applies GitHub's rate-limit rule: every connection (a field given `first` or `last`)
needs as many requests as its parents can return; sum them, divide by 100, round, at least 1.
"""

from __future__ import annotations

from typing import Any

from orchestra_tui.demo.standin.gql_parse import (
    Document,
    Field,
    GraphQLSyntaxError,
    InlineFragment,
    Var,
    operation_name,
    parse,
)

__all__ = ["Executor", "FieldError", "GraphQLSyntaxError", "connection", "operation_name",
           "parse"]


class FieldError(Exception):
    def __init__(self, message: str, type_: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.type = type_


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
