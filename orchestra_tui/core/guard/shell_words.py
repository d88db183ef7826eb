"""Word expansions the guardrails must see through before judging a command's words."""

from __future__ import annotations

import re

_BRACE = re.compile(r"\{([^{}]*,[^{}]*)\}")


def brace_words(word: str, limit: int = 64) -> list[str]:
    """Bash's brace expansion of an unquoted word (`{destroy,}` is `destroy`), innermost
    first (nested braces give the same words, maybe repeated), at most `limit` words.

    >>> brace_words("de{s,}troy"), brace_words("x.{txt,bak}")
    (['destroy', 'detroy'], ['x.txt', 'x.bak'])
    """
    words: list[str] = [word]
    done: list[str] = []
    while words and len(done) + len(words) <= limit:
        current = words.pop(0)
        match = _BRACE.search(current) if "{" in current else None
        if match is None:
            done.append(current)
            continue
        head, tail = current[:match.start()], current[match.end():]
        words[:0] = [head + part + tail for part in match.group(1).split(",")]
    words = [item for item in done + words if item]
    return words if len(words) <= limit else [word]
