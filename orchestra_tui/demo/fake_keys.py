"""The simulated agent's keyboard: the bytes of a raw terminal as keys and bracketed pastes."""

from __future__ import annotations

import codecs
import re

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"


class Keyboard:
    """Turns the bytes of a raw terminal into keys and pastes, across reads."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.buffer = ""
        self.paste: list[str] | None = None

    def feed(self, data: bytes) -> list[tuple[str, str]]:
        self.buffer += self.decoder.decode(data)
        events: list[tuple[str, str]] = []
        while self.buffer:
            if self.paste is not None:
                end = self.buffer.find(PASTE_END)
                if end < 0:
                    keep = next((n for n in range(len(PASTE_END) - 1, 0, -1)
                                 if self.buffer.endswith(PASTE_END[:n])), 0)
                    cut = len(self.buffer) - keep
                    self.paste.append(self.buffer[:cut])
                    self.buffer = self.buffer[cut:]
                    break
                self.paste.append(self.buffer[:end])
                events.append(("paste", "".join(self.paste)))
                self.paste, self.buffer = None, self.buffer[end + len(PASTE_END):]
            elif self.buffer.startswith("\x1b"):
                if not self._escape(events):
                    break
            else:
                ch, self.buffer = self.buffer[0], self.buffer[1:]
                names = {"\r": "enter", "\n": "enter", "\x7f": "backspace", "\x08": "backspace",
                         "\x03": "ctrl-c", "\x15": "ctrl-u"}
                if ch in names:
                    events.append(("key", names[ch]))
                elif ch >= " " or ch == "\t":
                    events.append(("key", ch))
        return events

    def _escape(self, events: list[tuple[str, str]]) -> bool:
        """Consume one escape sequence; False when it is still incomplete."""
        if self.buffer == "\x1b":
            events.append(("key", "escape"))
            self.buffer = ""
            return True
        if self.buffer[1] in "[O":
            match = re.match(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|O.)", self.buffer)
            if not match:
                return False
            if match.group(0) == PASTE_START:
                self.paste = []
            self.buffer = self.buffer[match.end():]
            return True
        events.append(("key", "escape"))
        self.buffer = self.buffer[1:]
        return True
