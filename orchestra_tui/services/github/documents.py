"""The GraphQL documents orchestra sends, kept as `.graphql` files in `services/github/graphql/`.

Selections several documents share are fragments in `graphql/fragments.graphql`; GraphQL wants
a fragment defined in the document that spreads it, so `load_document` appends the ones a
document spreads (and the ones those spread). Every loaded document validates against GitHub's
schema (tests/test_github_schema.py).

>>> text = load_document("pull_threads")
>>> "...OrchestraReviewThread" in text, "fragment OrchestraReviewThread on" in text
(True, True)
>>> "fragment OrchestraCheckContext" in text  # not spread there: not sent
False
"""

from __future__ import annotations

import functools
import re
from importlib import resources

PACKAGE = "orchestra_tui.services.github.graphql"
FRAGMENTS = "fragments"

_COMMENT = re.compile(r"#[^\n]*")
_SPREAD = re.compile(r"\.\.\.\s*(?!on\b)([_A-Za-z]\w*)")
_FRAGMENT = re.compile(r"^fragment\s+([_A-Za-z]\w*)\s+on\b", re.M)


def _read(name: str) -> str:
    return (resources.files(PACKAGE) / f"{name}.graphql").read_text(encoding="utf-8")


@functools.cache
def fragments() -> dict[str, str]:
    """Every fragment of `fragments.graphql` by name, as its definition's text."""
    text = _COMMENT.sub("", _read(FRAGMENTS))
    found: dict[str, str] = {}
    for match in _FRAGMENT.finditer(text):
        depth, end = 0, text.index("{", match.end())
        while True:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
            if depth == 0:
                break
        found[match.group(1)] = text[match.start():end]
    return found


@functools.cache
def load_document(name: str) -> str:
    """The text of `graphql/<name>.graphql` with the fragments it spreads appended."""
    text = _read(name)
    known = fragments()
    needed: list[str] = []
    todo = _SPREAD.findall(_COMMENT.sub("", text))
    while todo:
        spread = todo.pop(0)
        if spread in needed:
            continue
        if spread not in known:
            raise ValueError(f"{name}.graphql spreads ...{spread}, which {FRAGMENTS}.graphql "
                             "does not define")
        needed.append(spread)
        todo += _SPREAD.findall(known[spread])
    return "\n\n".join([text.rstrip(), *(known[spread] for spread in needed)]) + "\n"
