"""The composition root's part for the person's absence: notification channels from `[notify]`,
the `Notifier`, the `[[rule]]`s compiled (RE2), and the `AwayWatch` the app runs after each
tick. Only `bootstrap` imports this module; a bad channel is a `ConfigError` that names the
key, never the URL (it holds secrets).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from orchestra_tui.config.schema import Config, NotifyConfig, RuleConfig
from orchestra_tui.core.away.notifier import Channel, Notifier
from orchestra_tui.core.away.notify_policy import DEFAULT_KINDS, NotifyRules, QuietHours
from orchestra_tui.core.away.stall_rules import RuleAction, StallRule
from orchestra_tui.errors import ConfigError
from orchestra_tui.models import State
from orchestra_tui.paths import display_path
from orchestra_tui.services.notify.clipboard import ClipboardChannel
from orchestra_tui.services.notify.desktop import DesktopChannel
from orchestra_tui.services.notify.event import NotifyKind
from orchestra_tui.services.notify.program import ProgramChannel
from orchestra_tui.services.notify.push import PushChannel
from orchestra_tui.services.notify.terminal import OscStyle, TerminalChannel, tty_writer
from orchestra_tui.services.store.journal import Journal


def own_tty() -> str | None:
    """The terminal the app draws on (its notifications go there too), if any."""
    for stream in (sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None and os.isatty(stream.fileno()):
                return os.ttyname(stream.fileno())
        except (OSError, ValueError):
            continue
    return None


def build_channels(config: Config, *, tty: str | None = None,
                   write: Callable[[bytes], None] | None = None
                   ) -> tuple[list[Channel], dict[str, list[str]]]:
    """The channels `[notify]` names, and each group's ("terminal", "push", …) channel names."""
    notify, where = config.notify, display_path(config.path)
    channels: list[Channel] = []
    groups: dict[str, list[str]] = {"terminal": [], "desktop": [], "push": [], "command": []}

    def add(group: str, channel: Channel) -> None:
        channels.append(channel)
        groups[group].append(channel.name)

    if notify.terminal != "off" and (write is not None or tty is not None):
        writer = write if write is not None else tty_writer(str(tty))
        add("terminal", TerminalChannel(writer, OscStyle(notify.terminal),
                                        inside_tmux=bool(os.environ.get("TMUX"))))
    if notify.desktop:
        add("desktop", DesktopChannel())
    for position, url in enumerate(notify.urls, 1):
        try:
            add("push", PushChannel(url, position))
        except ValueError:
            raise ConfigError(f"{where}: notify.urls[{position}]: apprise does not understand "
                              "this URL (not shown: it may hold a secret)") from None
    if notify.command:
        add("command", ProgramChannel(list(notify.command)))
    return channels, groups


def notify_rules(notify: NotifyConfig, groups: dict[str, list[str]]) -> NotifyRules:
    routes = {NotifyKind(kind): tuple(name for group in names for name in groups[group])
              for kind, names in notify.kinds}
    return NotifyRules(routes=routes, kinds=DEFAULT_KINDS | frozenset(routes),
                       quiet=QuietHours.parse(notify.quiet_hours) if notify.quiet_hours else None,
                       per_minute=notify.per_minute, when_focused=notify.when_focused)


def build_notifier(config: Config, journal: Journal | None, *, tty: str | None = None,
                   write: Callable[[bytes], None] | None = None) -> Notifier | None:
    """None when no channel is configured or can be had."""
    channels, groups = build_channels(config, tty=tty, write=write)
    if not channels:
        return None
    return Notifier(channels, notify_rules(config.notify, groups), journal)


def stall_rules(rules: Sequence[RuleConfig]) -> list[StallRule]:
    import re2

    options = re2.Options()
    options.log_errors = False
    return [StallRule(name=rule.name, state=State(rule.state), after=rule.after,
                      action=RuleAction(rule.action), prompt=rule.prompt, per_day=rule.per_day,
                      reason=re2.compile(rule.reason, options) if rule.reason else None)
            for rule in rules]


def clipboard_channel(notices: list[str]) -> ClipboardChannel | None:
    """OSC 52 to the terminal the app draws on (through tmux when inside it): URLs go to the
    person's clipboard when no browser can open them. None without a terminal."""
    from orchestra_tui.services.notify.terminal import allow_passthrough

    tty = own_tty()
    if tty is None:
        return None
    inside_tmux = bool(os.environ.get("TMUX"))
    if inside_tmux and (problem := allow_passthrough(dict(os.environ))):
        notices.append(f"Copying URLs (OSC 52) may not pass tmux: {problem}")
    return ClipboardChannel(tty_writer(tty), inside_tmux=inside_tmux)

