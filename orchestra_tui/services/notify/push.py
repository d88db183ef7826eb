"""Push to a phone or chat through apprise's URL strings (ntfy, Pushover, Telegram, Slack,
Discord, Matrix, e-mail, a JSON webhook…): no service is written by hand here.

A channel URL holds secrets (tokens, passwords, webhook paths). The channel is named by its
service and position only ("ntfy #1"), and every error apprise reports passes through `conceal`
before anyone sees it: the journal, the screen and `orchestra notify test` never print a URL.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote, urlsplit

import apprise

from orchestra_tui.services.notify.event import Delivery, NotifyEvent
from orchestra_tui.services.store.journal import REDACTED, redact

_SEND_TIMEOUT = 10.0  # seconds one service may take; apprise's own retries are off


def secrets_of(url: str) -> list[str]:
    """Every part of a channel URL that may be secret: user, password, host (a Telegram token
    sits there), each path segment and query value, longest first."""
    parts = urlsplit(url)
    found = {parts.username or "", parts.password or "", parts.hostname or ""}
    found.update(unquote(segment) for segment in parts.path.split("/"))
    found.update(unquote(value) for _key, _sep, value in
                 (pair.partition("=") for pair in parts.query.split("&")))
    found.add(url)
    return sorted((s for s in found if len(s) >= 4), key=len, reverse=True)


def conceal(text: str, url: str) -> str:
    for secret in secrets_of(url):
        text = text.replace(secret, REDACTED)
    return str(redact(text))


class _Conceal(logging.Filter):
    """Apprise logs what it sends (at DEBUG its headers: `Authorization: Bearer tk_…`; at
    WARNING an ntfy topic, which is a password on a public server): every record of its logger
    passes through `conceal` for each channel URL before any handler sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = text
        for url in self.urls:
            clean = conceal(clean, url)
        if clean != text:
            record.msg, record.args = clean, ()
        return True


_CONCEAL = _Conceal()
logging.getLogger("apprise").addFilter(_CONCEAL)


class PushChannel:
    """One apprise URL."""

    def __init__(self, url: str, position: int) -> None:
        self._url = url
        _CONCEAL.urls.add(url)
        self._apprise = apprise.Apprise()
        scheme = re.match(r"[A-Za-z0-9+.-]+(?=://)", url)
        self.name = f"{scheme.group(0) if scheme else 'push'} #{position}"
        if not self._apprise.add(url):
            # Raised while the config is read, so the message names no URL either.
            raise ValueError(f"{self.name}: apprise does not understand this URL")

    def send(self, event: NotifyEvent) -> Delivery:
        logs: list[str] = []

        def keep(entry: object, _plugin: object = None) -> None:
            logs.append(str(getattr(entry, "message", entry)))
        try:
            result = self._apprise.notify(body=event.body, title=event.title,
                                          timeout=_SEND_TIMEOUT, log_callback=keep)
        except Exception as error:  # apprise plugins raise what their libraries raise
            return Delivery(self.name, False, conceal(f"{type(error).__name__}: {error}",
                                                      self._url))
        if result.success_count and not result.failed_count:
            return Delivery(self.name, True)
        detail = next((line for line in reversed(logs) if line.strip()), str(result.status))
        return Delivery(self.name, False, conceal(detail, self._url))
