"""The layers hold by test: the arrows point down (models <- agents <- services <- core <- ui),
Textual stays in `ui/`, processes, sockets and HTTP stay in `services/` and `demo/`, and no module
grows past 400 lines (docs/architecture.md, "Layers").

Every `import` in every module of the package is read from its AST, including imports inside
functions and under `if TYPE_CHECKING:` (a type-only import is still a dependency). A failure
names the module, the line and the rule it breaks, one line each.
"""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = "orchestra_tui"
MAX_LINES = 400

# Libraries that reach outside the process: only `services/` (all I/O) and `demo/` (the
# simulated agent and the GitHub stand-in) may import them.
OUTSIDE_WORLD = ("subprocess", "socket", "ghapi", "httpx", "httpx2", "fastcore",
                 "fasttransport", "requests", "aiohttp", "urllib3", "urllib.request",
                 "http.client", "libtmux")
IO_LAYERS = ("services", "demo")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted and absolute
    line: int


@dataclass(frozen=True)
class Rule:
    name: str
    sources: tuple[str, ...]  # layers (first part after the package) this rule applies to
    forbidden: tuple[str, ...]  # dotted prefixes they must not import
    exempt: tuple[str, ...] = ()  # layers the rule leaves alone (with sources == ("*",))


RULES = (
    Rule("models import nothing above them", ("models",),
         (f"{PACKAGE}.agents", f"{PACKAGE}.services", f"{PACKAGE}.core", f"{PACKAGE}.ui")),
    Rule("agents import no services, core or ui", ("agents",),
         (f"{PACKAGE}.services", f"{PACKAGE}.core", f"{PACKAGE}.ui")),
    Rule("services import no core or ui", ("services",), (f"{PACKAGE}.core", f"{PACKAGE}.ui")),
    Rule("core imports no ui and no textual", ("core",), (f"{PACKAGE}.ui", "textual")),
    Rule("textual only in ui/", ("*",), ("textual",), exempt=("ui",)),
    Rule("subprocess, sockets, tmux and HTTP clients only in services/ and demo/", ("*",),
         OUTSIDE_WORLD, exempt=IO_LAYERS),
)


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    """`orchestra_tui.core.desk` -> `core`; `orchestra_tui.models` -> `models`;
    `orchestra_tui.config_check` -> `config_check`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def modules() -> list[pathlib.Path]:
    return sorted((ROOT / PACKAGE).rglob("*.py"))


def imports_of(path: pathlib.Path) -> Iterator[Import]:
    module = module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[:len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            yield Import(module, base, node.lineno)
            # `from orchestra_tui import ui` imports the module `orchestra_tui.ui`.
            for alias in node.names:
                yield Import(module, f"{base}.{alias.name}", node.lineno)


def _matches(target: str, prefix: str) -> bool:
    return target == prefix or target.startswith(prefix + ".")


def violations(paths: list[pathlib.Path]) -> list[str]:
    """One line per broken rule: `path:line: module imports target (rule)`."""
    # (path, line, rule) -> the imported module named in the message (the shortest, when a
    # `from x import y` matched both as x and as x.y)
    found: dict[tuple[str, int, str], tuple[str, str]] = {}
    for path in paths:
        relative = str(path.relative_to(ROOT))
        for item in imports_of(path):
            layer = layer_of(item.module)
            for rule in RULES:
                applies = layer in rule.sources or (
                    "*" in rule.sources and layer not in rule.exempt)
                if not applies or not any(_matches(item.target, p) for p in rule.forbidden):
                    continue
                key = (relative, item.line, rule.name)
                if key not in found or len(item.target) < len(found[key][1]):
                    found[key] = (item.module, item.target)
    return [f"{path}:{line}: {module} imports {target} (rule: {rule})"
            for (path, line, rule), (module, target) in sorted(found.items())]


def oversized(paths: list[pathlib.Path]) -> list[str]:
    out = []
    for path in paths:
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            out.append(f"{path.relative_to(ROOT)}:{count}: {module_name(path)} has {count} "
                       f"lines (rule: no module over {MAX_LINES} lines)")
    return out


# Modules that break a rule today, each with the engineer who owns the fix. An entry that no
# longer fails makes the test fail too, so the list only shrinks.
KNOWN: dict[str, str] = {
}


def _split_known(problems: list[str]) -> tuple[list[str], list[str]]:
    known = [p for p in problems if any(p.startswith(prefix) for prefix in KNOWN)]
    return [p for p in problems if p not in known], known


def test_the_layers_point_down() -> None:
    problems, _known = _split_known(violations(modules()))
    assert not problems, "layering broken:\n" + "\n".join(problems)


def test_no_module_over_400_lines() -> None:
    problems, _known = _split_known(oversized(modules()))
    assert not problems, "modules too long:\n" + "\n".join(problems)


def test_known_exceptions_still_fail() -> None:
    """An entry of KNOWN whose module now passes must leave the list."""
    problems = violations(modules()) + oversized(modules())
    stale = [prefix for prefix in KNOWN if not any(p.startswith(prefix) for p in problems)]
    assert not stale, f"fixed, remove from KNOWN: {stale}"


def third_party_imports(paths: list[pathlib.Path]) -> dict[str, str]:
    """Top-level names of every non-stdlib, non-package module imported -> where first."""
    import sys

    found: dict[str, str] = {}
    for path in paths:
        for item in imports_of(path):
            top = item.target.split(".")[0]
            if top and top != PACKAGE and top not in sys.stdlib_module_names:
                found.setdefault(top, f"{path.relative_to(ROOT)}:{item.line}")
    return found


def test_every_library_imported_is_declared() -> None:
    """Item 8 of issue 11: what the code imports directly is a dependency in pyproject.toml,
    not something that happens to come with another package."""
    import importlib.metadata
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
                for requirement in project["dependencies"]}
    distributions = importlib.metadata.packages_distributions()
    undeclared = []
    for name, where in sorted(third_party_imports(modules()).items()):
        owners = {d.lower().replace("_", "-") for d in distributions.get(name, [name])}
        if not owners & declared:
            undeclared.append(f"{where}: imports {name} (from {', '.join(sorted(owners))}), "
                              "not in [project] dependencies")
    assert not undeclared, "undeclared dependencies:\n" + "\n".join(undeclared)


# -- the checker itself is not vacuous ---------------------------------------------------------


@pytest.mark.parametrize("layer,source,rule", [
    ("services", "from orchestra_tui.core.desk import Desk\n", "services import no core"),
    ("services", "from ..ui import app\n", "services import no core or ui"),
    ("core", "import textual.widgets\n", "core imports no ui and no textual"),
    ("agents", "from orchestra_tui import services\n", "agents import no services"),
    ("ui/widgets", "import subprocess\n", "subprocess, sockets"),
    ("commands", "from httpx2 import AsyncClient\n", "HTTP clients"),
    ("commands", "import textual\n", "textual only in ui/"),
])
def test_checker_catches_a_wrong_import(tmp_path, monkeypatch, layer, source, rule) -> None:
    package = tmp_path / PACKAGE / layer
    package.mkdir(parents=True)
    path = package / "bad.py"
    path.write_text('"""doc"""\n\n' + source)
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    problems = violations([path])
    assert problems and all(p.startswith(f"{PACKAGE}/{layer}/bad.py:3: ") for p in problems)
    assert any(rule in problem for problem in problems), problems


def test_checker_allows_what_the_layers_allow(tmp_path, monkeypatch) -> None:
    allowed = {
        "services": "import subprocess\nfrom orchestra_tui.agents import classify\n",
        "demo": "import socket\n",
        "core": "from orchestra_tui.services.github import GitHubService\n",
        "ui": "import textual\nfrom orchestra_tui.core import desk\n",
    }
    paths = []
    for layer, source in allowed.items():
        package = tmp_path / PACKAGE / layer
        package.mkdir(parents=True)
        (package / "ok.py").write_text(source)
        paths.append(package / "ok.py")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert violations(paths) == []


def test_checker_counts_lines(tmp_path, monkeypatch) -> None:
    package = tmp_path / PACKAGE / "core"
    package.mkdir(parents=True)
    (package / "long.py").write_text("x = 1\n" * (MAX_LINES + 1))
    (package / "short.py").write_text("x = 1\n" * MAX_LINES)
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert oversized(sorted(package.glob("*.py"))) == [
        f"{PACKAGE}/core/long.py:{MAX_LINES + 1}: {PACKAGE}.core.long has {MAX_LINES + 1} "
        f"lines (rule: no module over {MAX_LINES} lines)"]


def _modules_with_examples() -> list[str]:
    return [module_name(path) for path in modules() if ">>> " in path.read_text(encoding="utf-8")]


@pytest.mark.parametrize("name", _modules_with_examples())
def test_every_doctest_runs(name: str) -> None:
    """Issue 11 item 9: a docstring example is a test; none is left unrun (an example marked
    `# doctest: +SKIP`, such as one that needs a tmux server, is documentation)."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
