"""What the core's collaborators are told through: callbacks the core calls. The services' own
interfaces (`services.ports`, `services.tmux.port`) are the one declaration of what the core may
ask of tmux, GitHub and the stores; both tmux implementations conform to that one `TmuxPort`.
"""

from __future__ import annotations

from collections.abc import Callable

from orchestra_tui.models import QueueItem

__all__ = ["SendFailed"]

# Told when a queued send failed unexpectedly (the item is already `uncertain` on disk).
SendFailed = Callable[[str, QueueItem, BaseException], None]
