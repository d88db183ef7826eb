"""Which keys answer an approval dialog. The reasons for each choice sit beside the keys in
each tool's profile."""

from __future__ import annotations

from orchestra_tui.agents.profiles import PROFILES


def answer_keys(tool: str, dialog: str | None, approve: bool) -> list[str]:
    """tmux key names to send, in order, to approve (or deny) the open dialog. An unknown tool
    gets no keys: guessing would type into whatever is on screen."""
    profile = PROFILES.get(tool)
    if profile is None:
        return []
    keys = profile.keys_for(dialog)
    return list(keys.approve if approve else keys.deny)
