"""The prompt bar: `enter` sends now, `tab` queues, `escape` leaves, `ctrl+j` or `shift+enter`
adds a newline (terminals that cannot tell shift+enter from enter still have ctrl+j)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.containers import Vertical
from textual.widgets import Label, TextArea

from orchestra_tui.ui.messages import PromptSubmitted

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

    def compose(self):
        yield Label("", id="prompt-target")
        yield PromptInput(id="prompt-input", soft_wrap=True, show_line_numbers=False,
                          compact=True)

    def open_for(self, agent: str) -> None:
        self.agent = agent
        self.query_one("#prompt-target", Label).update(Text.assemble(
            "to ", (agent, "bold"),
            " · enter send now · tab add to queue · ctrl+j newline · esc leave"))
        self.add_class("-open")
        self.query_one(PromptInput).focus()

    def close(self) -> None:
        self.remove_class("-open")
        self.screen.set_focus(None)
        self.screen.focus_next()

    def finish(self, key: str) -> None:
        prompt = self.query_one(PromptInput)
        text = prompt.text.strip("\n")
        if key == "escape":
            self.close()
            return
        if not text.strip() or self.agent is None:
            self.app.bell()
            return
        self.post_message(PromptSubmitted(self.agent, text, queue=key == "tab"))
        prompt.clear()
        self.close()
