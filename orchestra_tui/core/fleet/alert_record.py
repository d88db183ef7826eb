"""Alerts as occurrences that outlive one orchestra process.

An alert is journaled with a key that names its occurrence (the offending row, a context
level). A new orchestra reads back the keys journaled for each agent since that agent's last
restart or kill, so an occurrence still on screen, or a context warning still true, is shown
again but not raised (journaled, toasted) a second time.
"""

from __future__ import annotations

import hashlib

from orchestra_tui.models import Alert
from orchestra_tui.services.ports import JournalPort


def alert_key(alert: Alert) -> str:
    """What makes two alerts the same occurrence: its own key when the raiser gave one (the
    guardrail's row, a context level), else its kind and text.

    >>> alert_key(Alert("api", "context", "context 9% left", key="context:critical")) == \\
    ...     alert_key(Alert("api", "context", "context 7% left", key="context:critical"))
    True
    """
    raw = f"{alert.kind}\x1f{alert.key or alert.text}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def journal_memory(journal: JournalPort | None
                   ) -> tuple[dict[str, set[str]], dict[str, tuple[str, float]]]:
    """What a new fleet must not record again: `journaled_alerts` and `journaled_states`."""
    return journaled_alerts(journal), journaled_states(journal)


def journaled_states(journal: JournalPort | None) -> dict[str, tuple[str, float]]:
    """The last state journaled for each agent and since when: a one-shot command that finds
    an agent as the journal last left it records nothing (the journal records changes, not
    looks), and the state's time counts from when it began, not from the look."""
    if journal is None:
        return {}
    last: dict[str, tuple[str, float]] = {}
    for entry in journal.read(events=("state",)):
        since = entry.get("since", entry.get("at"))
        if entry.get("agent") and isinstance(since, (int, float)):
            last[str(entry["agent"])] = (str(entry.get("state", "")), float(since))
    return last


def journaled_alerts(journal: JournalPort | None) -> dict[str, set[str]]:
    """Occurrence keys of the alerts journaled for each agent since its last restart or kill
    (a restarted agent's old context warning is over). `journal` may be None."""
    if journal is None:
        return {}
    keys: dict[str, set[str]] = {}
    for entry in journal.read(events=("alert", "restart", "kill")):
        agent = entry.get("agent")
        if not agent:
            continue
        if entry.get("event") in ("restart", "kill"):
            keys.pop(agent, None)
        else:
            keys.setdefault(agent, set()).add(
                entry.get("key") or alert_key(Alert(agent, entry.get("kind", ""),
                                                    entry.get("text", ""))))
    return keys
