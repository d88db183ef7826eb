"""When a usage limit resets, as a moment: the words each CLI prints ("3:51 PM", "3pm
(Europe/Berlin)", "May 5 at 9pm (America/New_York)", "in 4 days 6 hours 37 minutes",
"2:00 PM PST", "2026-12-07 14:00 UTC") read against the time the notice was seen.

A time of day with no date is its next occurrence after the notice; a zone in brackets or a
common abbreviation wins over the machine's own zone. Words that say no time give None: the
limit then waits for the person (nothing is guessed).

>>> seen = dt.datetime(2026, 12, 7, 13, 5, tzinfo=dt.UTC)
>>> reset_moment("3:51 PM", seen).isoformat()
'2026-12-07T15:51:00+00:00'
>>> reset_moment("1pm", seen).isoformat()
'2026-12-08T13:00:00+00:00'
>>> reset_moment("3pm (Europe/Berlin)", seen).isoformat()
'2026-12-07T15:00:00+01:00'
>>> reset_moment("in 4 days 6 hours 37 minutes", seen).isoformat()
'2026-12-11T19:42:00+00:00'
>>> reset_moment("Dec 9 at 9am (America/New_York)", seen).isoformat()
'2026-12-09T09:00:00-05:00'
>>> reset_moment("2:00 PM PST", seen).isoformat()
'2026-12-07T14:00:00-08:00'
>>> reset_moment("2026-12-07 14:00 UTC", seen).isoformat()
'2026-12-07T14:00:00+00:00'
>>> reset_moment("soon", seen) is None
True
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

_ABBREVIATIONS = {
    "UTC": "UTC", "GMT": "UTC", "Z": "UTC",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "PT": "America/Los_Angeles",
    "MST": "America/Denver", "MDT": "America/Denver", "MT": "America/Denver",
    "CST": "America/Chicago", "CDT": "America/Chicago", "CT": "America/Chicago",
    "EST": "America/New_York", "EDT": "America/New_York", "ET": "America/New_York",
    "CET": "Europe/Berlin", "CEST": "Europe/Berlin", "BST": "Europe/London",
    "IST": "Asia/Kolkata", "JST": "Asia/Tokyo",
}
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}

_ZONE_IN_BRACKETS = re.compile(r"\(\s*(?P<zone>[A-Za-z_]+(?:/[A-Za-z_+-]+)+|[A-Z]{1,5})\s*\)")
_ZONE_WORD = re.compile(r"\b(?P<zone>[A-Z]{1,5})\s*$")
_ISO = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<h>\d{1,2}):(?P<m>\d{2})")
_CLOCK = re.compile(r"\b(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?(?![\w:])",
                    re.IGNORECASE)
_DATE = re.compile(r"\b(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+"
                   r"(?P<day>\d{1,2})\b", re.IGNORECASE)
_SPAN = re.compile(r"(?P<n>\d+)\s*(?P<unit>d(?:ays?)?|h(?:ours?|rs?)?|m(?:in(?:ute)?s?)?|"
                   r"s(?:ec(?:ond)?s?)?)\b", re.IGNORECASE)
_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def _zone(text: str, seen: dt.datetime) -> tuple[dt.tzinfo, str]:
    """The zone the words name (and the words without it), else the zone of `seen`."""
    for pattern in (_ZONE_IN_BRACKETS, _ZONE_WORD):
        found = pattern.search(text)
        if not found:
            continue
        name = _ABBREVIATIONS.get(found.group("zone"), found.group("zone"))
        try:
            return zoneinfo.ZoneInfo(name), text[:found.start()] + text[found.end():]
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return seen.tzinfo or dt.UTC, text


def reset_moment(words: str, seen: dt.datetime) -> dt.datetime | None:
    """The moment a limit resets (aware), or None when the words give no time."""
    text = words.strip()
    if text.lower().startswith("in "):
        spans = _SPAN.findall(text)
        if not spans:
            return None
        return seen + dt.timedelta(seconds=sum(int(n) * _SECONDS[unit[0].lower()]
                                               for n, unit in spans))
    zone, rest = _zone(text, seen)
    iso = _ISO.search(rest)
    if iso:
        date_part = dt.date.fromisoformat(iso.group("date"))
        return dt.datetime(date_part.year, date_part.month, date_part.day, int(iso.group("h")),
                           int(iso.group("m")), tzinfo=zone)
    date = _DATE.search(rest)
    clock_text = rest[date.end():] if date else rest
    clock = next((m for m in _CLOCK.finditer(clock_text) if m.group("m") or m.group("ampm")),
                 None)
    if clock is None:
        return None
    hour, minute = int(clock.group("h")), int(clock.group("m") or 0)
    ampm = (clock.group("ampm") or "").lower().replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    local_seen = seen.astimezone(zone)
    if date:
        month, day_of_month = _MONTHS[date.group("mon")[:3].lower()], int(date.group("day"))
        try:
            moment = dt.datetime(local_seen.year, month, day_of_month, hour, minute, tzinfo=zone)
        except ValueError:
            return None
        if moment < local_seen - dt.timedelta(days=180):  # "Jan 2" seen in December
            moment = moment.replace(year=moment.year + 1)
        return moment
    moment = local_seen.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment if moment > local_seen else moment + dt.timedelta(days=1)


def reset_epoch(words: str, seen_at: float) -> float | None:
    """`reset_moment` in epoch seconds, the words read against the machine's own zone at
    `seen_at` (when the notice appeared): what the fleet keeps on a blocked agent."""
    moment = reset_moment(words, dt.datetime.fromtimestamp(seen_at).astimezone())
    return moment.timestamp() if moment is not None else None
