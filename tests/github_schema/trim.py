"""Cut the slice of GitHub's GraphQL schema and REST OpenAPI description that the tests check
against, so the repository carries tens of kilobytes instead of 14 MB.

    python -m tests.github_schema.trim /path/to/github   # holds schema.graphql, api.github.com.json

The sources are GitHub's own (github/rest-api-description and the public GraphQL schema). What is
kept:

- GraphQL: every field the project's documents select (walked with graphql-core's TypeInfo, with
  each document's fragments) on the types that declare it, with all its arguments; the implementers
  of an interface a document selects on (with the interface's selected fields, so an answer's
  `__typename` can be checked); union members; input objects, enums and scalars in full, as the
  arguments need them; deprecations kept, so `NoDeprecatedCustomRule` still speaks. Descriptions
  are dropped.
- REST: the operations in `REST_OPERATIONS` (the ones the stand-in answers and the service
  calls) and every component they reference, plus `basic-error` (the body of any error status).

Run it again after a document changes; tests/test_github_schema.py fails with the field or path
that is missing until then.
"""

from __future__ import annotations

import argparse
import json
import pathlib
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
GRAPHQL_DIR = (HERE.parent.parent / "orchestra_tui" / "services" / "github"
               / "graphql")
SCHEMA = "schema.graphql"
OPENAPI = "api.github.com.json"
REST_OPERATIONS = [
    ("get", "/repos/{owner}/{repo}/actions/jobs/{job_id}"),
    ("get", "/repos/{owner}/{repo}/actions/jobs/{job_id}/logs"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}/check-runs"),
    ("get", "/repos/{owner}/{repo}/compare/{basehead}"),
    ("get", "/repos/{owner}/{repo}/issues"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/files"),
    ("post", "/repos/{owner}/{repo}/pulls/{pull_number}/comments"),
    ("put", "/repos/{owner}/{repo}/pulls/{pull_number}/merge"),
    ("put", "/repos/{owner}/{repo}/pulls/{pull_number}/update-branch"),
]
ALWAYS_COMPONENTS = ["#/components/schemas/basic-error"]


def documents() -> list[str]:
    from orchestra_tui.services.github.documents import FRAGMENTS, load_document

    return [load_document(path.stem) for path in sorted(GRAPHQL_DIR.glob("*.graphql"))
            if path.stem != FRAGMENTS]


# -- GraphQL ----------------------------------------------------------------------------------


def used_fields(schema: Any, texts: list[str]) -> dict[str, set[str]]:
    """Type name -> field names the documents select on it (abstract types included)."""
    from graphql import TypeInfo, TypeInfoVisitor, Visitor, get_named_type, parse, visit

    used: dict[str, set[str]] = {"Query": set(), "Mutation": set()}

    class Fields(Visitor):
        def __init__(self, info: TypeInfo) -> None:
            super().__init__()
            self.info = info

        def enter_field(self, node: Any, *_args: Any) -> None:
            parent = self.info.get_parent_type()
            if parent is not None and not node.name.value.startswith("__"):
                used.setdefault(parent.name, set()).add(node.name.value)

        def enter_inline_fragment(self, node: Any, *_args: Any) -> None:
            if node.type_condition is not None:
                used.setdefault(node.type_condition.name.value, set())

        def enter_fragment_definition(self, node: Any, *_args: Any) -> None:
            used.setdefault(node.type_condition.name.value, set())

        def enter_selection_set(self, node: Any, *_args: Any) -> None:
            named = get_named_type(self.info.get_type())
            if named is not None:
                used.setdefault(named.name, set())

    for text in texts:
        info = TypeInfo(schema)
        visit(parse(text), TypeInfoVisitor(info, Fields(info)))
    return used


def trim_schema(sdl: str, texts: list[str]) -> str:
    from graphql import (
        DocumentNode,
        EnumTypeDefinitionNode,
        InputObjectTypeDefinitionNode,
        InterfaceTypeDefinitionNode,
        ObjectTypeDefinitionNode,
        ScalarTypeDefinitionNode,
        UnionTypeDefinitionNode,
        build_ast_schema,
        parse,
        print_ast,
    )

    ast = parse(sdl, no_location=True)
    schema = build_ast_schema(ast, assume_valid=True, assume_valid_sdl=True)
    used = used_fields(schema, texts)
    definitions = {getattr(d, "name", None) and d.name.value: d for d in ast.definitions}

    # Interfaces selected on: every implementer answers for them with the same fields.
    for name in list(used):
        node = definitions.get(name)
        if isinstance(node, InterfaceTypeDefinitionNode):
            for other in ast.definitions:
                if isinstance(other, ObjectTypeDefinitionNode) and any(
                        i.name.value == name for i in other.interfaces or ()):
                    used.setdefault(other.name.value, set()).update(used[name])
        if isinstance(node, UnionTypeDefinitionNode):
            for member in node.types or ():
                used.setdefault(member.name.value, set())

    kept: dict[str, Any] = {}
    todo = list(used)

    def need(type_node: Any) -> None:
        while hasattr(type_node, "type"):
            type_node = type_node.type
        todo.append(type_node.name.value)

    def strip(node: Any, **changes: Any) -> Any:
        values = {key: getattr(node, key) for key in node.keys if key != "loc"}
        values.update(changes)
        if "description" in values:
            values["description"] = None
        return type(node)(**values)

    while todo:
        name = todo.pop()
        if name in kept or name not in definitions:
            continue
        node = definitions[name]
        if isinstance(node, (ObjectTypeDefinitionNode, InterfaceTypeDefinitionNode)):
            fields = [strip(f, arguments=tuple(strip(a) for a in f.arguments or ()))
                      for f in node.fields or () if f.name.value in used.get(name, set())]
            for field in fields:
                need(field.type)
                for argument in field.arguments:
                    need(argument.type)
            interfaces = tuple(i for i in node.interfaces or () if i.name.value in used)
            kept[name] = strip(node, fields=tuple(fields), interfaces=interfaces,
                               directives=())
        elif isinstance(node, InputObjectTypeDefinitionNode):
            fields = tuple(strip(f) for f in node.fields or ())
            for field in fields:
                need(field.type)
            kept[name] = strip(node, fields=fields)
        elif isinstance(node, EnumTypeDefinitionNode):
            kept[name] = strip(node, values=tuple(strip(v) for v in node.values or ()))
        elif isinstance(node, UnionTypeDefinitionNode):
            members = tuple(t for t in node.types or () if t.name.value in used)
            kept[name] = strip(node, types=members)
        elif isinstance(node, ScalarTypeDefinitionNode):
            kept[name] = strip(node)
    directives = [d for d in ast.definitions if d.kind == "directive_definition"]
    for directive in directives:
        for argument in directive.arguments or ():
            need(argument.type)
    out = DocumentNode(definitions=(*directives, *(kept[name] for name in sorted(kept))))
    header = ("# A slice of GitHub's public GraphQL schema: what orchestra's documents select.\n"
              "# Generated by tests/github_schema/trim.py; do not edit by hand.\n\n")
    return header + print_ast(out) + "\n"


# -- REST -------------------------------------------------------------------------------------


def trim_openapi(document: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for method, template in REST_OPERATIONS:
        paths.setdefault(template, {})[method] = document["paths"][template][method]
    components: dict[str, dict[str, Any]] = {}
    todo = list(ALWAYS_COMPONENTS)

    def refs(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    todo.append(value)
                else:
                    refs(value)
        elif isinstance(node, list):
            for item in node:
                refs(item)

    refs(paths)
    while todo:
        ref = todo.pop()
        _, _, kind, name = ref.split("/", 3)
        if name in components.get(kind, {}):
            continue
        target = document["components"][kind][name]
        components.setdefault(kind, {})[name] = target
        refs(target)
    return {
        "info": {"title": document["info"]["title"], "version": document["info"]["version"],
                 "description": "A slice of GitHub's REST description: the operations orchestra "
                                "calls. Generated by tests/github_schema/trim.py."},
        "openapi": document["openapi"],
        "paths": paths,
        "components": {kind: dict(sorted(items.items()))
                       for kind, items in sorted(components.items())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=pathlib.Path,
                        help=f"directory holding GitHub's {SCHEMA} and {OPENAPI}")
    args = parser.parse_args(argv)
    sdl = (args.source / SCHEMA).read_text(encoding="utf-8")
    (HERE / SCHEMA).write_text(trim_schema(sdl, documents()), encoding="utf-8")
    openapi = json.loads((args.source / OPENAPI).read_text(encoding="utf-8"))
    (HERE / OPENAPI).write_text(json.dumps(trim_openapi(openapi), indent=1, sort_keys=False)
                                + "\n", encoding="utf-8")
    for name in (SCHEMA, OPENAPI):
        print(f"{HERE / name}: {(HERE / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
