"""What a release says about itself agrees: `orchestra --version`, the installed package's
metadata and the newest released version in CHANGELOG.md are one version (written once, in
`orchestra_tui/__init__.py`); the changelog keeps Keep a Changelog's form; and performance
figures live in benchmarks/README.md only, which README.md and CHANGELOG.md point to."""

from __future__ import annotations

import importlib.metadata
import pathlib
import re
import subprocess
import sys

import orchestra_tui

ROOT = pathlib.Path(__file__).resolve().parent.parent
RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$")
SECTIONS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
# A performance figure: a share of a core, milliseconds, a ratio ("19.2x"; "failed 3x" is none).
FIGURE = re.compile(r"\b\d+(?:\.\d+)? ?(?:%|ms\b)|\b\d+\.\d+ ?[x×]")


def headings() -> list[str]:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.startswith("## ")]


def test_orchestra_version_is_the_package_version() -> None:
    shown = subprocess.run([sys.executable, "-m", "orchestra_tui", "--version"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert shown.stdout.strip() == f"orchestra {orchestra_tui.__version__}"
    assert importlib.metadata.version("orchestra-tui") == orchestra_tui.__version__


def test_the_newest_release_in_the_changelog_is_this_version() -> None:
    found = headings()
    assert found[0] == "## [Unreleased]"
    releases = [RELEASE.match(line) for line in found[1:]]
    assert all(releases), f"not '## [x.y.z] - YYYY-MM-DD': {found[1:]}"
    versions = [tuple(map(int, match[1].split("."))) for match in releases if match]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert releases[0] is not None and releases[0][1] == orchestra_tui.__version__


def test_changelog_sections_are_keep_a_changelogs() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^### (.+)$", text, flags=re.M)
    assert sections and set(sections) <= set(SECTIONS), sections


def test_figures_live_in_the_benchmarks_readme_only() -> None:
    for name in ("README.md", "CHANGELOG.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        figures = [f"{name}:{number}: {line.strip()}"
                   for number, line in enumerate(text.splitlines(), 1) if FIGURE.search(line)]
        assert not figures, "figures belong in benchmarks/README.md:\n" + "\n".join(figures)
        assert "benchmarks/README.md" in text
    assert FIGURE.search((ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8"))
