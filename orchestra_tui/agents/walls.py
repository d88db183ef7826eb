"""Walls on the account side: a usage limit, exhausted credits or quota, a sign-in the agent
needs. Each stops the agent until the person acts (or the limit resets), whatever the tool, so
the wordings are shared and matched before anything else, dialogs included: a sign-in picker
or a limit menu is drawn like a permission dialog, but approving it means nothing.

A wall is live while nothing newer sits under it: a working row, a new prompt, a new
transcript entry or an interrupt make it history. Its reset time is read when printed.

>>> reset_time("■ You've hit your usage limit. Try again at 3:51 PM.")
'3:51 PM'
>>> reset_time("You've hit your limit · resets May 5 at 9pm (America/New_York)")
'May 5 at 9pm (America/New_York)'
>>> reset_time("or try again in 4 days 6 hours 37 minutes.")
'in 4 days 6 hours 37 minutes'
>>> reset_time("Claude AI usage limit reached|1760000000")
'2025-10-09 08:53 UTC'
>>> reset_time("Try again later.") is None
True
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from orchestra_tui.agents.profiles.base import Marker, m
from orchestra_tui.agents.text import Line, clip, joined
from orchestra_tui.agents.view import Verdict, View, evidence
from orchestra_tui.models import State

# Wordings from the tools' own sources and issue trackers: Codex `core/src/error.rs`
# (UsageLimitReachedError, QuotaExceeded, UsageNotIncluded, RefreshTokenFailed) and
# `tui/src/onboarding/auth.rs`; Claude Code ("You've hit your limit · resets 3pm (Zone)",
# "Credit balance too low · Add funds", "Invalid API key · Please run /login", "Select login
# method:"); Gemini CLI `useQuotaAndFallback.ts` ("Usage limit reached for <model>.",
# "Access resets at 2:00 PM PST."), `AuthDialog.tsx`, `AuthInProgress.tsx`. Warnings that the
# limit is near ("Approaching usage limit", "Heads up, you've used 75%") are not walls.
ACCOUNT_WALLS: tuple[Marker, ...] = (
    m("usage limit", r"\b(?:You(?:'ve| have) )?(?:hit|reached) your (?:[\w'-]+ ){0,3}limit\b"
                     r"|\b(?:Claude (?:AI )?)?usage limit reached\b"
                     r"|\b(?:\d+-hour|session|weekly|daily|monthly|opus|sonnet) limit reached\b",
      ci=True),
    m("quota", r"\bquota exceeded\b|\bexhausted your (?:\w+ )?quota\b", ci=True),
    m("credits", r"\bcredit balance (?:is )?too low\b|\bout of (?:AI )?credits\b"
                 r"|\bupgrade to Plus to continue using\b|\bTo use Codex with your ChatGPT plan\b",
      ci=True),
    m("sign-in", r"\bPlease run /login\b|\bNot logged in\b|\bInvalid API key\b|\bMissing API key\b"
                 r"|\bOAuth token (?:has )?expired\b|\bPlease log out and sign in again\b"
                 r"|\b(?:Your )?access token could not be refreshed\b"
                 r"|\bSelect login method\b|\bSign in with ChatGPT\b"
                 r"|\bFinish signing in via your browser\b"
                 r"|\bHow would you like to authenticate\b|\bWaiting for authentication\.\.\."
                 r"|\bSign in again to continue\b|\b401 Unauthorized\b", ci=True),
    m("capacity", r"\b(?:We're |We are )?currently experiencing high demand\b", ci=True),
)

# The walls that lift by themselves when the account's limit resets.
LIMIT_WALLS = frozenset({"usage limit", "quota"})

# Stems one of the wordings above contains: most screens have none, and a substring scan of
# the region's lowered text costs far less than the patterns row by row.
_KEYWORDS = ("limit", "quota", "credit", "log", "sign", "api key", "auth", "access token", "401",
             "demand", "plus")

# A notice starts its row (after its glyph), or follows a separator ("Invalid API key · Please
# run /login", "API Error: 401 … · Please run /login"), or the row is an error line. The same
# words in the middle of the agent's prose are a quotation, not the agent's state.
_LEAD = re.compile(r"^[\W_]*$")
_ERROR_ROW = re.compile(r"^[\W_]*(?:API )?Error\b", re.IGNORECASE)
_SEPARATED = re.compile(r"[·|:•-]\s*$")
_WALL_ROWS = 16
_LIVE_ROWS = 80
_PARAGRAPH_ROWS = 6

_RESET = re.compile(
    r"\b(?:try again|resets?|will reset|access resets)(?: at| on)?\s+"
    r"(?P<when>(?!later\b)(?:in\s+)?[0-9A-Z][^·|]*?)"
    r"(?=\.(?:\s|$)|\s*[·|•]|\s+/\w|\s*$)", re.IGNORECASE)
_EPOCH = re.compile(r"limit reached\|(?P<epoch>\d{9,11})\b", re.IGNORECASE)


def reset_time(text: str) -> str | None:
    """When a usage limit resets, as the notice says it; None when it does not say."""
    epoch = _EPOCH.search(text)
    if epoch:
        at = datetime.fromtimestamp(int(epoch.group("epoch")), UTC)
        return at.strftime("%Y-%m-%d %H:%M UTC")
    found = _RESET.search(text)
    return clip(found.group("when").strip(), 60) if found else None


def _notice(marker: Marker, line: Line) -> bool:
    body = line.body
    for found in marker.pattern.finditer(body):
        before = body[:found.start()]
        if _LEAD.match(before) or _SEPARATED.search(before) or _ERROR_ROW.match(body):
            return True
    return False


def account_wall(v: View) -> Verdict | None:
    # Notices are printed in the transcript, above the composer, and a live one is near the end
    # of it: a sign-in screen or a limit menu is some ten rows high.
    end = _input_row(v)
    rows = v.s.between(_live_start(v, end), end)[-_WALL_ROWS:]
    region = "\n".join(ln.text for ln in rows).lower()
    if not any(word in region for word in _KEYWORDS):
        return None
    for line in reversed(rows):
        low = line.text.lower()
        if not any(word in low for word in _KEYWORDS):
            continue
        marker = next((mk for mk in ACCOUNT_WALLS if _notice(mk, line)), None)
        if marker is None:
            continue
        paragraph = _paragraph(v, line, end)
        if _overtaken(v, paragraph[-1].index, end):
            return None
        text = joined(paragraph)
        when = reset_time(text) if marker.label == "usage limit" else None
        resets = f", resets {when}" if when else ""
        return Verdict(State.BLOCKED, f'blocked: {marker.label}{resets} "{clip(line.body)}"',
                       resumes_at=when, rule="account_wall", evidence=evidence(*paragraph),
                       limit=marker.label if marker.label in LIMIT_WALLS else None)
    return None


def _input_row(v: View) -> int:
    """Where the input starts: the composer, or a prompt typed on the last row with no frame
    drawn ("> continue" under the notice). Whatever sits in it, the wall above still stands."""
    last = v.s.last
    if v.composer is None and last is not None and v.is_echo(last):
        return last.index
    return v.end


def _live_start(v: View, end: int) -> int:
    if end == v.end:
        return v.live_start
    rows = v.s.between(0, end)[-_LIVE_ROWS:]
    echo = next((ln.index for ln in reversed(rows) if v.is_echo(ln)), None)
    return echo + 1 if echo is not None else (rows[0].index if rows else 0)


def _paragraph(v: View, line: Line, end: int) -> list[Line]:
    """The notice row and the rows the TUI wrapped it onto (up to a blank row or a new entry)."""
    rows = [line]
    for later in v.s.lines[line.index + 1:line.index + _PARAGRAPH_ROWS]:
        if later.blank or later.rule or v.is_item(later) or v.is_echo(later):
            break
        if later.index >= end:
            break
        rows.append(later)
    return rows


def _overtaken(v: View, last: int, end: int) -> bool:
    """Something newer than the notice: a new turn (working row, prompt, transcript entry) or
    the person's interrupt."""
    if v.status and v.status.line.index > last:
        return True
    for later in v.s.lines[last + 1:end]:
        if later.blank or later.rule:
            continue
        if v.is_echo(later) or v.is_interrupt(later):
            return True
        if v.is_item(later) and not any(_notice(mk, later) for mk in ACCOUNT_WALLS):
            return True
    return False
