"""The shape of the package holds by test. The layer contracts themselves (the arrows point
down, no import circle between modules, Textual only in `ui/`, processes, sockets and HTTP only
in `services/` and `demo/`) are import-linter's, declared in pyproject.toml and run by CI as
`lint-imports`; the tests here check that those contracts hold on the package and that each
catches a deliberate violation, including an import inside a function. Besides: no module grows
past 400 lines, every library imported is declared, every docstring example runs
(docs/architecture.md, "Layers").
"""

from __future__ import annotations

import ast
import os
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = "orchestra_tui"
MAX_LINES = 400
LINT_IMPORTS = pathlib.Path(sys.executable).with_name("lint-imports")


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> list[pathlib.Path]:
    return sorted((ROOT / PACKAGE).rglob("*.py"))


def imports_of(path: pathlib.Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every absolute import of a module, in functions too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module, node.lineno


def oversized(paths: list[pathlib.Path]) -> list[str]:
    out = []
    for path in paths:
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            out.append(f"{path.relative_to(ROOT)}:{count}: {module_name(path)} has {count} "
                       f"lines (rule: no module over {MAX_LINES} lines)")
    return out


def test_no_module_over_400_lines() -> None:
    problems = oversized(modules())
    assert not problems, "modules too long:\n" + "\n".join(problems)


def third_party_imports(paths: list[pathlib.Path]) -> dict[str, str]:
    """Top-level names of every non-stdlib, non-package module imported -> where first."""
    found: dict[str, str] = {}
    for path in paths:
        for target, line in imports_of(path):
            top = target.split(".")[0]
            if top and top != PACKAGE and top not in sys.stdlib_module_names:
                found.setdefault(top, f"{path.relative_to(ROOT)}:{line}")
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


# -- the layer contracts (import-linter) --------------------------------------------------------


def lint_imports(root: pathlib.Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` over the package found under `root`, with the contracts of `root`."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_the_layer_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("copy")
    shutil.copytree(ROOT / PACKAGE, root / PACKAGE,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize("files,contract", [
    ({"core/late.py": "def later():\n    from orchestra_tui.commands import send\n"},
     "The layers point down"),
    ({"agents/settings.py": "import orchestra_tui.config\n"}, "The layers point down"),
    ({"services/pushy.py": "from orchestra_tui.core import fleet\n"}, "The layers point down"),
    ({"core/ping.py": "from orchestra_tui.core import pong\n",
      "core/pong.py": "def f():\n    from orchestra_tui.core import ping\n"},
     "No import circle between modules of a package"),
    ({"core/pretty.py": "import textual.widgets\n"}, "Textual and rich only in ui/"),
    ({"core/shell.py": "import subprocess\n"}, "Processes, sockets, tmux and HTTP"),
    ({"ui/widgets/fetch.py": "from urllib.request import urlopen\n"},
     "Processes, sockets, tmux and HTTP"),
])
def test_each_contract_catches_a_deliberate_violation(package_copy: pathlib.Path,
                                                      files: dict[str, str],
                                                      contract: str) -> None:
    written = [package_copy / PACKAGE / name for name in files]
    try:
        for path, source in zip(written, files.values()):
            path.write_text(source)
        result = lint_imports(package_copy)
    finally:
        for path in written:
            path.unlink()
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith(" BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout
