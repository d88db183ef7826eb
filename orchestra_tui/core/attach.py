"""`a`: take the person to an agent's pane wherever their terminal is. Inside a client of the
agents' own server that client is switched (never orchestra's own control client); inside
another tmux a new window (or popup) there runs the attach; outside tmux the caller runs
`argv` in its own terminal, the app suspended (`services.tmux_attach` says where they are)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from orchestra_tui.models import PaneInfo
from orchestra_tui.services.tmux.attach import (
    detach_keys,
    open_in_person_tmux,
    person_client,
    person_tmux,
)
from orchestra_tui.services.tmux.port import TmuxPort

__all__ = ["Attach", "AttachWay", "attach_to"]


class AttachWay(StrEnum):
    """How `a` took the person to an agent's pane."""

    SWITCHED = "switched"  # their tmux client (of the agents' server) now shows it
    OPENED = "opened"  # a new window (or popup) of their own tmux runs the attach
    IN_THIS_TERMINAL = "in_this_terminal"  # outside tmux: run `argv` here, the app suspended
    COMMAND_ONLY = "command_only"  # none worked: the exact command is shown


@dataclass(frozen=True)
class Attach:
    way: AttachWay
    argv: list[str]
    detach: str  # the keys that bring the person back ("ctrl+b d")


async def attach_to(tmux: TmuxPort, pane: PaneInfo, title: str, *, popup: bool = False) -> Attach:
    # A pane on another host is attached over ssh by its id there (`gpu:%3`).
    argv = tmux.attach_argv(pane.pane_id if pane.host else pane.target)
    detach = await detach_keys(tmux)
    person = person_tmux()
    if person is None:
        return Attach(AttachWay.IN_THIS_TERMINAL, argv, detach)
    if not pane.host and person.socket == await tmux.server_socket():
        client = await person_client(tmux, person)
        if client and await tmux.switch_client(pane.pane_id, client):
            return Attach(AttachWay.SWITCHED, argv, detach)
    if await open_in_person_tmux(argv, title=title, popup=popup):
        return Attach(AttachWay.OPENED, argv, detach)
    return Attach(AttachWay.COMMAND_ONLY, argv, detach)
