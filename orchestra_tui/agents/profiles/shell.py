"""A plain shell: no agent. Idle at a prompt; anything else is a running command."""

from __future__ import annotations

from orchestra_tui.agents.profiles.base import Dialog, Profile, rx

# "user@host:~/src$ cmd", "[user@host src]$ ", "(venv) ~/src $ ", "$ ", "❯ ", "# ".
_PROMPT = (
    r"^(?:\([^)]*\)\s)?[\w.-]+@[\w.-]+(?::\S*)?\s?[$#%] ?(?P<draft>.*)$"
    r"|^(?:\([^)]*\)\s)?\[[^\]]+\][$#%] ?(?P<draft2>.*)$"
    r"|^(?:\([^)]*\)\s)?(?:[~/]\S*\s?)?[$#%❯] ?$"
)

PROFILE = Profile(
    name="shell",
    prompt_line=rx(_PROMPT),
    dialog=Dialog(structural=False),
)
