"""Unknown is a prompt to learn: a screen the reader calls `unknown` for more than a few seconds
is kept in the data dir (`services.screen_keep`), redacted of secrets, with the tool, its
version when the screen shows it, the time and the agent, so a person can report the misread
with the screen (`orchestra screens` lists them, `orchestra detect FILE` replays one).

One screen per unknown spell of an agent, and once per distinct screen across agents and runs
(its masked fingerprint names the file). Control bytes are kept as visible symbols: a kept
screen shown in a terminal draws them, never obeys them.

>>> print(redact("key sk-ant-api03-" + "x" * 30 + " and Authorization: Bearer abc.def.ghi123"))
key [REDACTED] and Authorization: Bearer [REDACTED]
>>> redact("token=" + "ab12" * 8 + " id=42")
'token=[REDACTED] id=42'
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from orchestra_tui.agents.inert import visible_controls
from orchestra_tui.core.ansi import strip_ansi
from orchestra_tui.core.fleet.state import Slot
from orchestra_tui.models import Detection, State
from orchestra_tui.services.store.journal import REDACTED
from orchestra_tui.services.store.journal import redact as redact_github
from orchestra_tui.services.store.kept_screens import ScreenKeep

# How long a screen must read unknown before it is kept: longer than a redraw between two
# known screens (a dialog closing, a turn starting), short enough to catch a stall.
UNKNOWN_KEEP_AFTER = 5.0
# Header lines of a kept screen start so; `orchestra detect` skips them when replaying.
HEADER_KEYS = ("source", "agent", "tool", "version", "kept_at", "reason")

_SECRETS = (
    re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"),  # OpenAI, Anthropic (sk-ant-…), project keys
    re.compile(r"\b(?:gh[opsur]_|github_pat_)[A-Za-z0-9_]{8,}"),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key ids
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),  # Slack
    re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),  # Google API keys
)
_BEARER = re.compile(r"(?i)\b(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}")
# A long hex or base64 value after a key-ish name and `=` or `:`.
_ASSIGNED = re.compile(
    r"(?i)\b((?:api[_-]?)?(?:key|token|secret|password|passwd|auth)[A-Za-z_]*\s*[=:]\s*[\"']?)"
    r"(?:[A-Fa-f0-9]{16,}|[A-Za-z0-9+/_-]{20,}={0,2})")
_VERSION = re.compile(
    r"(?i)\b(?:claude code|codex|gemini cli|gemini|aider)\b[^\n\d]{0,12}v?(\d+\.\d+(?:\.\d+)?)")


def redact(text: str) -> str:
    """`text` with API keys, tokens and bearer credentials replaced by `[REDACTED]`."""
    text = str(redact_github(text))
    for pattern in _SECRETS:
        text = pattern.sub(REDACTED, text)
    text = _BEARER.sub(lambda match: match.group(1) + REDACTED, text)
    return _ASSIGNED.sub(lambda match: match.group(1) + REDACTED, text)


def tool_version(screen: str) -> str:
    """The agent CLI's version when its screen shows it (`Claude Code v2.1.29`), else "".

    >>> tool_version("  Claude Code v2.1.29\\n  Opus 4.5"), tool_version("❯ ")
    ('2.1.29', '')
    """
    found = _VERSION.search(screen)
    return found.group(1) if found else ""


@dataclass(frozen=True)
class KeptScreen:
    """A screen to keep: `name` is its file's name (its fingerprint: one file per distinct
    screen), `text` the file's whole content, header lines first."""

    name: str
    agent: str
    text: str


def kept_screen(agent: str, detection: Detection, screen: str, fingerprint: str,
                seconds: float, at: float) -> KeptScreen:
    """The file for `screen` (plain text, the rows the reader saw) of `agent`."""
    body = visible_controls(redact(screen))
    version = tool_version(screen) or "unknown"
    kept_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
    header = [f"# source: kept by orchestra: read unknown for {seconds:.0f}s",
              f"# agent: {visible_controls(agent)}", f"# tool: {detection.tool}",
              f"# version: {version}", f"# kept_at: {kept_at}",
              f"# reason: {visible_controls(redact(detection.reason))}"]
    digest = hashlib.sha256(f"{detection.tool}\n{fingerprint}".encode()).hexdigest()[:16]
    return KeptScreen(name=f"{detection.tool}-{digest}.txt", agent=agent,
                      text="\n".join([*header, body]) + "\n")


class UnknownWatch:
    """Per agent, since when its screen reads unknown; gives the screen to keep once a spell
    has lasted `keep_after` seconds and that screen was not kept before. One per fleet, with
    the `ScreenKeep` that writes the files."""

    def __init__(self, keep: ScreenKeep, keep_after: float = UNKNOWN_KEEP_AFTER) -> None:
        self.keep = keep
        self.keep_after = keep_after
        self._since: dict[str, float] = {}  # agent -> when its unknown spell began
        self._spent: set[str] = set()  # agents whose current spell has had its screen kept
        self._names: set[str] = set()  # screens kept by this process (file names)

    def observe(self, slot: Slot, now: float) -> KeptScreen | None:
        """The screen of `slot` (after its tick) to keep now, or None."""
        agent, detection = slot.spec.name, slot.detection
        if slot.pane is None or detection is None or detection.state is not State.UNKNOWN:
            self._since.pop(agent, None)
            self._spent.discard(agent)
            return None
        since = self._since.setdefault(agent, now)
        if agent in self._spent or now - since < self.keep_after:
            return None
        self._spent.add(agent)
        rows = strip_ansi(slot.screen).split("\n")
        screen = "\n".join(rows[-slot.pane.height:] if slot.pane.height else rows)
        if not screen.strip():
            return None
        kept = kept_screen(agent, detection, screen, slot.fingerprint or "", now - since, now)
        if kept.name in self._names:
            return None
        self._names.add(kept.name)
        return kept
