"""How severe a review finding is, read from the comment text the reviewer left.

Review bots state severity in fixed markup:

- Cursor Bugbot: a line `**High Severity**` (or Medium, Low, Critical), usually with a
  `<!-- BUGBOT_BUG_ID: ... -->` marker further down.
- CodeRabbit: a first line like `_⚠️ Potential issue_ | _🟠 Major_`, `_🛠️ Refactor suggestion_ |
  _🟡 Minor_`, `_🔴 Critical_`, or `_🧹 Nitpick_`.
- The Codex connector: a shields.io badge `![P1 Badge](...)` (P0 critical ... P3 low).
- Copilot states none; a human may write `Severity: high`.

`severity_of` returns the lowercase word or None; it never raises and never guesses from prose.

>>> severity_of("### Unchecked index\\n\\n**High Severity**\\n<!-- BUGBOT_BUG_ID: 1 -->", "cursor")
'high'
>>> severity_of("_⚠️ Potential issue_ | _🟠 Major_\\n\\n**Off by one.**", "coderabbitai")
'major'
>>> severity_of("Consider renaming this.", "copilot-pull-request-reviewer") is None
True
"""

from __future__ import annotations

import re
from dataclasses import replace

from orchestra_tui.models import PullRequest, ReviewThread

# Only the head of a comment carries the bots' severity markup; prose further down may quote it.
_HEAD_LINES = 12

_BUGBOT = re.compile(r"^\s*\*\*(critical|high|medium|low)\s+severity\*\*\s*$", re.I | re.M)
# CodeRabbit's italic tags: `_🟠 Major_`, `_:warning: Potential issue_`, `_🧹 Nitpick (assertive)_`.
_CODERABBIT_TAG = re.compile(r"(?<![\w_])_([^_\n]{0,40}?)_(?![\w_])")
_CODERABBIT_WORDS = {
    "critical": "critical",
    "major": "major",
    "minor": "minor",
    "trivial": "trivial",
    "info": "info",
    "nitpick": "nitpick",
}
_SHORTCODE = re.compile(r":[a-z0-9_+-]+:")
_TAG_BODY = re.compile(r"^\s*([^\w\s]+)\s*([A-Za-z]+)(?:\s*\([a-z ]+\))?\s*$")
_CODEX_BADGE = re.compile(r"!\[P([0-3]) Badge\]", re.I)
_CODEX_LEVELS = {"0": "critical", "1": "high", "2": "medium", "3": "low"}
_STATED = re.compile(
    r"^[\s>*_#-]*severity[\s*_]*[:=][\s*_]*"
    r"(critical|high|major|medium|moderate|minor|low|trivial|nit|nitpick)\b",
    re.I | re.M,
)


def severity_of(body: str, author: str = "") -> str | None:
    """The severity a review comment states, as a lowercase word, or None when none is stated.

    `author` is the comment's login (`cursor`, `coderabbitai[bot]`, a person); the markup decides,
    so a human who pastes Bugbot's line is read the same way. Never raises.
    """
    try:
        return _severity(body if isinstance(body, str) else "")
    except Exception:  # a parser over untrusted text must not take the inbox down
        return None


def rate_thread(thread: ReviewThread) -> ReviewThread:
    """`thread` with the severity its comment states (the service leaves it unread)."""
    severity = severity_of(thread.body, thread.author)
    return thread if severity == thread.severity else replace(thread, severity=severity)


def rate_pull(pr: PullRequest) -> PullRequest:
    """`pr` with every review thread's severity read from its comment."""
    threads = tuple(rate_thread(thread) for thread in pr.threads)
    return pr if threads == pr.threads else replace(pr, threads=threads)


def _severity(body: str) -> str | None:
    head = "\n".join(body.splitlines()[:_HEAD_LINES])
    match = _BUGBOT.search(head)
    if match:
        return match.group(1).lower()
    for line in head.splitlines():
        if "_" not in line:
            continue
        line = _SHORTCODE.sub("\u2022", line)  # `:warning:` reads as an emoji
        found = None
        for tag in _CODERABBIT_TAG.findall(line):
            # A tag is an emoji and one word, maybe a mode: `🟠 Major`, `🧹 Nitpick (assertive)`.
            # Italic prose (`_this is a major bug_`, `_major_`) is not a tag.
            match = _TAG_BODY.match(tag)
            if match and match.group(2).lower() in _CODERABBIT_WORDS:
                found = _CODERABBIT_WORDS[match.group(2).lower()]  # the last tag is the severity
        if found:
            return found
    match = _CODEX_BADGE.search(head)
    if match:
        return _CODEX_LEVELS[match.group(1)]
    match = _STATED.search(head)
    if match:
        word = match.group(1).lower()
        return {"moderate": "medium", "nit": "nitpick"}.get(word, word)
    return None
