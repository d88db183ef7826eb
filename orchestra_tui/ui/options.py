"""What the app takes from the config (`AppOptions`), built by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from orchestra_tui.config.schema import UiConfig, default_of


@dataclass(frozen=True)
class AppOptions:
    """What the app takes from the config; the defaults are the config schema's own."""

    config_path: str = ""
    poll_seconds: float = default_of(UiConfig, "poll_seconds")
    theme: str = default_of(UiConfig, "theme")
    bell: bool = default_of(UiConfig, "bell")
    context_warn: int = default_of(UiConfig, "context_warn_percent")
    context_critical: int = default_of(UiConfig, "context_critical_percent")
    poll: bool = True  # snapshot tests render one fixed snapshot and never poll
    attach_popup: bool = default_of(UiConfig, "attach_popup")
