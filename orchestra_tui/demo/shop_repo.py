"""The demo's local clone of acme/shop, so the PR loop has real git to read: the lanes' `path`,
and a worktree per shop agent.

- `api/pricing` (PR #106 in the stand-in) and `main` both changed pricing.py's rate: the
  conflict that `git merge-tree` names for the inbox item;
- api's and web's worktrees both change pricing.py's rounding line, differently (web
  committed, api still editing): the conflict radar's pair, marked on both rows and in the
  merge panel;
- ingest's worktree changes a file nobody else touches: clean.

About fifteen git commands (~0.2 s); run in a thread by the world, before the agents start.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["SHOP_WORKTREES", "make_shop"]

# git with a fixed identity and none of the person's own settings that could refuse a commit.
GIT = ["git", "-c", "user.name=orchestra demo", "-c", "user.email=demo@example.invalid",
       "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"]

PRICING = "RATE = 1.00\nROUND = 2\nCURRENCY = 'EUR'\n"
ON_MAIN = PRICING.replace("1.00", "0.95")  # main moved on after api/pricing left it

# agent -> (its branch, the file it changes, the text, commit it or leave it being edited)
SHOP_WORKTREES = {
    "web": ("web/cart-debounce", "pricing.py", ON_MAIN.replace("ROUND = 2", "ROUND = 0"), True),
    "api": ("api/webhook-retry", "pricing.py", ON_MAIN.replace("ROUND = 2", "ROUND = 4"), False),
    "ingest": ("ingest/k8s-sync", "ingest.py", "BATCH = 500\n", True),
}


def _git(where: Path, *args: str) -> None:
    subprocess.run([*GIT, "-C", str(where), *args], check=True, capture_output=True,
                   text=True, timeout=30)


def make_shop(directory: Path) -> tuple[Path, dict[str, Path]]:
    """The clone at `directory/shop` and each shop agent's worktree under
    `directory/worktrees`."""
    clone = directory / "shop"
    clone.mkdir(parents=True)
    _git(clone, "init", "-q", "-b", "main")
    (clone / "pricing.py").write_text(PRICING)
    (clone / "ingest.py").write_text("BATCH = 100\n")
    (clone / "README.md").write_text("acme shop\n")
    _git(clone, "add", ".")
    _git(clone, "commit", "-qm", "shop")
    _git(clone, "checkout", "-q", "-b", "api/pricing")
    (clone / "pricing.py").write_text(PRICING.replace("1.00", "1.25"))
    _git(clone, "commit", "-qam", "Refactor pricing rules")
    _git(clone, "checkout", "-q", "main")
    (clone / "pricing.py").write_text(ON_MAIN)
    _git(clone, "commit", "-qam", "Spring sale rate")
    trees = {}
    for name, (branch, path, text, commit) in SHOP_WORKTREES.items():
        tree = trees[name] = directory / "worktrees" / name
        _git(clone, "worktree", "add", "-q", "-b", branch, str(tree), "main")
        (tree / path).write_text(text)
        if commit:
            _git(tree, "commit", "-qam", f"{name}: {path}")
    return clone, trees
