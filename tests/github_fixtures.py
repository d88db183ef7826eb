"""Fixtures and checkers for the GitHub tests: the loopback stand-in, a service pointed at it,
the slice of GitHub's official GraphQL schema and REST OpenAPI description that orchestra uses
(`tests/github_schema/`, cut by its `trim.py`; loaded once per session), and two honest checkers:

- `rest_problems`: a stand-in REST answer against its operation's response schema in
  api.github.com.json (`$ref`s resolved by jsonschema; OpenAPI's `nullable` rewritten as JSON
  Schema). An error status the operation does not list is checked against `basic-error`, the
  body GitHub gives every error.
- `selection_problems`: a GraphQL answer walked against the document's selection set with the
  schema's types: every selected key present (by alias), no key not selected, non-null
  respected, scalars of the right JSON type, enum values from the schema, `__typename` a
  possible type, inline fragments applied by the runtime type.

Import the fixtures into a test module: `from tests.github_fixtures import *  # noqa: F403`.
"""

from __future__ import annotations

import copy
import json
import pathlib
import re
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from orchestra_tui.demo.standin.server import StandIn
from orchestra_tui.services.github.service import GitHubService

GITHUB_SCHEMA = pathlib.Path(__file__).resolve().parent / "github_schema"
TOKEN = "ghp_FAKE0TOKEN0FOR0TESTS0zzXq9Kp2"
GRAPHQL_DIR = (pathlib.Path(__file__).resolve().parent.parent / "orchestra_tui" / "services"
               / "github" / "graphql")

__all__ = ["TOKEN", "gql_schema", "openapi", "standin", "github", "refused_url",
           "rest_problems", "selection_problems", "documents", "GITHUB_SCHEMA", "Clock"]


class Clock:
    """Epoch seconds that move only when the test says. Given to the stand-in (`standin.clock`:
    rate-limit resets, update-branch landing) and the service (`GitHubService(clock=...)`:
    its back-off), so no test waits for GitHub's time to pass in real time."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="session")
def gql_schema() -> Any:
    from graphql import build_schema

    sdl = (GITHUB_SCHEMA / "schema.graphql").read_text(encoding="utf-8")
    return build_schema(sdl, assume_valid=True, assume_valid_sdl=True)


def _nullable_to_jsonschema(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable_to_jsonschema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _nullable_to_jsonschema(value) for key, value in node.items()
           if not key.startswith("x-")}
    if out.pop("nullable", False):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    document = json.loads((GITHUB_SCHEMA / "api.github.com.json").read_text(encoding="utf-8"))
    components = _nullable_to_jsonschema(document["components"])
    return {"paths": document["paths"], "components": components}


@pytest.fixture
def standin() -> Iterator[StandIn]:
    server = StandIn()
    server.seed_demo()
    server.start()
    yield server
    server.stop()
    assert server.errors == [], server.errors[0]


@pytest.fixture
async def github(standin: StandIn) -> AsyncIterator[GitHubService]:
    service = GitHubService(TOKEN, api_url=standin.url, timeout=2.0)
    yield service
    await service.aclose()


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def documents() -> list[pathlib.Path]:
    """The operation documents orchestra sends (fragments.graphql is appended to them, not sent
    on its own): read them with `load_document(path.stem)`."""
    from orchestra_tui.services.github.documents import FRAGMENTS

    return sorted(path for path in GRAPHQL_DIR.glob("*.graphql") if path.stem != FRAGMENTS)


# -- REST -------------------------------------------------------------------------------------

_TEMPLATES: dict[int, list[tuple[re.Pattern[str], str]]] = {}


def _templates(spec: dict[str, Any]) -> list[tuple[re.Pattern[str], str]]:
    key = id(spec)
    if key not in _TEMPLATES:
        compiled = []
        for template in spec["paths"]:
            pattern = re.sub(r"\\\{basehead\\\}", r"(?P<basehead>.+)", re.escape(template))
            pattern = re.sub(r"\\\{(\w+)\\\}", r"[^/]+", pattern)
            compiled.append((re.compile(f"^{pattern}$"), template))
        # Literal paths before templated ones: /issues/comments beats /issues/{issue_number}.
        compiled.sort(key=lambda item: item[1].count("{"))
        _TEMPLATES[key] = compiled
    return _TEMPLATES[key]


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        parts = node["$ref"].lstrip("#/").split("/")
        target: Any = spec
        for part in parts:
            target = target[part]
        node = target
    return node


def rest_problems(spec: dict[str, Any], method: str, path: str, status: int,
                  body: Any) -> list[str]:
    """Why this answer doesn't match GitHub's description ([] when it does)."""
    import jsonschema

    clean = path.split("?", 1)[0]
    template = next((t for rx, t in _templates(spec) if rx.match(clean)), None)
    if template is None:
        return [f"{method} {clean}: no such path in the api.github.com.json slice (add it to "
                "tests/github_schema/trim.py's REST_OPERATIONS and run it again)"]
    operation = spec["paths"][template].get(method.lower())
    if operation is None:
        return [f"{method} {template}: no such operation in the slice (see trim.py)"]
    response = operation["responses"].get(str(status))
    if status == 304:  # HTTP conditional answer to If-None-Match: valid on any GET, no body
        return [] if method == "GET" and body is None else [f"{method} {template}: bad 304"]
    if response is None:
        if status < 400:
            return [f"{method} {template}: status {status} not documented"]
        schema: Any = {"$ref": "#/components/schemas/basic-error"}
    else:
        response = _resolve(spec, response)
        content = response.get("content")
        if not content:
            return [] if body is None else [f"{method} {template} {status}: body not expected"]
        schema = content["application/json"]["schema"]
    root = {"components": spec["components"], "allOf": [_nullable_to_jsonschema(
        copy.deepcopy(schema))]}
    validator = jsonschema.Draft7Validator(root)
    return [f"{method} {template} {status}: {'/'.join(map(str, e.absolute_path))}: "
            f"{e.message[:300]}" for e in validator.iter_errors(body)]


# -- GraphQL ----------------------------------------------------------------------------------

_SCALARS = {
    "Int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
}


def selection_problems(schema: Any, document: str, data: Any) -> list[str]:
    """Where `data` departs from what `document` selects on GitHub's schema."""
    from graphql import (
        FieldNode,
        FragmentDefinitionNode,
        FragmentSpreadNode,
        GraphQLEnumType,
        GraphQLList,
        GraphQLNonNull,
        GraphQLObjectType,
        InlineFragmentNode,
        OperationDefinitionNode,
        is_abstract_type,
        parse,
    )

    ast = parse(document)
    op = next(d for d in ast.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in ast.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    problems: list[str] = []

    def applies(condition: str | None, runtime: Any) -> bool:
        if condition is None or runtime is None:
            return condition is None
        if condition == runtime.name:
            return True
        cond_type = schema.get_type(condition)
        return is_abstract_type(cond_type) and schema.is_sub_type(cond_type, runtime)

    def collect(selection_set: Any, runtime: Any, out: dict[str, FieldNode]) -> None:
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                out.setdefault(sel.alias.value if sel.alias else sel.name.value, sel)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition.name.value if sel.type_condition else None
                if applies(cond, runtime):
                    collect(sel.selection_set, runtime, out)
            elif isinstance(sel, FragmentSpreadNode):
                frag = fragments[sel.name.value]
                if applies(frag.type_condition.name.value, runtime):
                    collect(frag.selection_set, runtime, out)

    def check(value: Any, type_: Any, node: FieldNode, path: str) -> None:
        if isinstance(type_, GraphQLNonNull):
            if value is None:
                problems.append(f"{path}: null for non-null {type_}")
                return
            type_ = type_.of_type
        if value is None:
            return
        if isinstance(type_, GraphQLList):
            if not isinstance(value, list):
                problems.append(f"{path}: expected a list, got {type(value).__name__}")
                return
            for index, item in enumerate(value):
                check(item, type_.of_type, node, f"{path}[{index}]")
            return
        if isinstance(type_, GraphQLEnumType):
            if value not in type_.values:
                problems.append(f"{path}: {value!r} is not a {type_.name} value")
            return
        if node.selection_set is None:
            ok = _SCALARS.get(type_.name, lambda v: isinstance(v, str))(value)
            if not ok:
                problems.append(f"{path}: {value!r} is not a {type_.name}")
            return
        obj(value, type_, node.selection_set, path)

    def obj(value: Any, parent: Any, selection_set: Any, path: str) -> None:
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object, got {type(value).__name__}")
            return
        runtime = parent if isinstance(parent, GraphQLObjectType) else None
        if "__typename" in value:
            named = schema.get_type(str(value["__typename"]))
            if not isinstance(named, GraphQLObjectType) or (
                    runtime is None and not schema.is_sub_type(parent, named)) or (
                    runtime is not None and named is not runtime):
                problems.append(f"{path}.__typename: {value['__typename']!r} is not a possible "
                                f"type of {parent.name}")
                return
            runtime = named
        fields: dict[str, FieldNode] = {}
        collect(selection_set, runtime, fields)
        for key in sorted(set(value) - set(fields)):
            problems.append(f"{path}.{key}: not selected")
        for key, node in fields.items():
            if key not in value:
                problems.append(f"{path}.{key}: selected but missing")
                continue
            name = node.name.value
            if name == "__typename":
                continue
            owner = runtime or parent
            definition = owner.fields.get(name)
            if definition is None:
                problems.append(f"{path}.{key}: {owner.name} has no field {name}")
                continue
            check(value[key], definition.type, node, f"{path}.{key}")

    root = schema.mutation_type if op.operation.value == "mutation" else schema.query_type
    obj(data, root, op.selection_set, "data")
    return problems
