"""The GitHub stand-in is a sub-package of the demo (`orchestra_tui/demo/standin/`): nothing of
orchestra outside `demo/` imports it (the demo runs it as a program, the tests import it), and
its modules import each other one way only (docs/architecture.md, "Where things are")."""

from __future__ import annotations

import pytest

grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter (the test extra)")

STANDIN = "orchestra_tui.demo.standin"


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("orchestra_tui")


def test_nothing_outside_the_demo_imports_the_standin(graph) -> None:
    """Imports inside functions and under TYPE_CHECKING count too."""
    standin = {m for m in graph.modules if m == STANDIN or m.startswith(STANDIN + ".")}
    outside = sorted({f"{importer} imports {module}" for module in standin
                      for importer in graph.find_modules_that_directly_import(module)
                      if not importer.startswith("orchestra_tui.demo.")})
    assert not outside, "the stand-in is imported outside demo/:\n" + "\n".join(outside)


def test_the_standin_modules_form_no_import_circle(graph) -> None:
    modules = {m for m in graph.modules if m.startswith(STANDIN + ".")}
    assert len(modules) >= 8  # server, backend, rest, graph, gql, gql_parse, objects, state...
    circles = []
    for module in sorted(modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module) & modules):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                circles.append(f"{module} -> {' -> '.join(back)}")
    assert not circles, "import circles in the stand-in:\n" + "\n".join(circles)
