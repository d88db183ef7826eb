"""The prompt bar: `enter` sends now and closes, `tab` adds to the agent's queue and stays open,
empty, for the next follow-up (how many wait in the queue is shown), `esc` closes, `ctrl+j` or
`shift+enter` adds a newline (terminals that cannot tell shift+enter from enter still have
ctrl+j). While it is open every key is the person's text: the fleet's one-key bindings are off."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.containers import Vertical
from textual.widgets import Label, TextArea

from orchestra_tui.ui.messages import PromptClosed, PromptSubmitted

NEWLINE_KEYS = ("ctrl+j", "shift+enter", "alt+enter")


class PromptInput(TextArea):
    """A TextArea whose enter and tab mean send and queue, not newline and indent."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        if event.key in ("enter", "tab", "escape"):
            event.stop()
            event.prevent_default()
            bar = self.parent
            if isinstance(bar, PromptBar):
                bar.finish(event.key)
            return
        await super()._on_key(event)


class PromptBar(Vertical):
    DEFAULT_CLASSES = "prompt-bar"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.agent: str | None = None
        self.queued = 0

    def compose(self):
        yield Label("", id="prompt-target")
        yield PromptInput(id="prompt-input", soft_wrap=True, show_line_numbers=False,
                          compact=True)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open_for(self, agent: str, queued: int = 0) -> None:
        self.agent = agent
        self.queued = queued
        self._show_target()
        self.add_class("-open")
        self.query_one(PromptInput).focus()

    def show_queued(self, queued: int) -> None:
        """How many of the agent's follow-ups wait in orchestra's queue (from each snapshot)."""
        if queued != self.queued:
            self.queued = queued
            self._show_target()

    def _show_target(self) -> None:
        queued = (f"{self.queued} queued" if self.queued else "nothing queued")
        self.query_one("#prompt-target", Label).update(Text.assemble(
            "to ", (self.agent or "", "bold"), " · ", (queued, "bold cyan"),
            " · enter send now · tab add to queue · ctrl+j newline · esc close"))

    def close(self) -> None:
        self.remove_class("-open")
        self.post_message(PromptClosed())

    def finish(self, key: str) -> None:
        prompt = self.query_one(PromptInput)
        text = prompt.text.strip("\n")
        if key == "escape":
            self.close()
            return
        if not text.strip() or self.agent is None:
            self.app.bell()
            return
        queue = key == "tab"
        self.post_message(PromptSubmitted(self.agent, text, queue=queue))
        prompt.clear()
        if not queue:
            self.close()
