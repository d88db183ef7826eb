"""`command = [...]`: a program of the person's own, given each event as one JSON object on
stdin (fields: kind, agent, host, lane, issue, state, reason, excerpt, key, at, title, body)."""

from __future__ import annotations

import subprocess

from orchestra_tui.services.notify.event import Delivery, NotifyEvent
from orchestra_tui.services.store.journal import redact

_PROGRAM_TIMEOUT = 15.0


class ProgramChannel:
    def __init__(self, argv: list[str]) -> None:
        if not argv:
            raise ValueError("command: the program to run is missing")
        self.argv = list(argv)
        self.name = f"command {argv[0]}"

    def send(self, event: NotifyEvent) -> Delivery:
        try:
            done = subprocess.run(self.argv, input=event.to_json() + "\n", text=True,
                                  capture_output=True, timeout=_PROGRAM_TIMEOUT)
        except FileNotFoundError:
            return Delivery(self.name, False, f"{self.argv[0]}: no such program")
        except subprocess.TimeoutExpired:
            return Delivery(self.name, False, f"still running after {_PROGRAM_TIMEOUT:.0f} s")
        except OSError as error:
            return Delivery(self.name, False, f"{self.argv[0]}: {error.strerror}")
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or [""])[-1][:200]
            return Delivery(self.name, False,
                            str(redact(f"exit status {done.returncode}: {tail}".strip(": "))))
        return Delivery(self.name, True)
