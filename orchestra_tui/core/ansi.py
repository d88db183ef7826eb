"""Turn a `capture-pane -e` screen into the plain text `capture-pane -p` would have given.

The poll loop captures with colours once (the UI shows them) and classifies the stripped copy,
rather than asking tmux for the same screen twice.
"""

from __future__ import annotations

import re

# CSI sequences (SGR and friends), OSC sequences ended by BEL or ST, and lone two-byte escapes.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[@-Z\\-_]"
)


def strip_ansi(text: str) -> str:
    return _ESCAPES.sub("", text)
