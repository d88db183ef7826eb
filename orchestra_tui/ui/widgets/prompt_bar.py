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
TOASTS = "#textual-toastrack"  # Textual's rack of toasts: docked at the bottom, above the footer


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
        # What `esc` left unsent, per agent: a draft typed for one agent never goes to another.
        self._drafts: dict[str, str] = {}
        self._resumed = False  # the text shown is a draft kept from before (the label says)

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
        prompt = self.query_one(PromptInput)
        draft = self._drafts.pop(agent, "")
        if prompt.text != draft:
            prompt.load_text(draft)
            prompt.move_cursor(prompt.document.end)
        self._resumed = bool(draft)
        self._show_target()
        self.add_class("-open")
        prompt.focus()

    def show_queued(self, queued: int) -> None:
        """How many of the agent's follow-ups wait in orchestra's queue (from each snapshot)."""
        if queued != self.queued:
            self.queued = queued
            self._show_target()

    def _show_target(self) -> None:
        queued = (f"{self.queued} queued" if self.queued else "nothing queued")
        draft = (" · ", ("your draft from before", "bold yellow")) if self._resumed else ()
        self.query_one("#prompt-target", Label).update(Text.assemble(
            "to ", (self.agent or "", "bold"), " · ", (queued, "bold cyan"), *draft,
            " · enter send now · tab add to queue · ctrl+j newline · esc close"))

    def close(self) -> None:
        self.remove_class("-open")
        self._lift_toasts()
        self.post_message(PromptClosed())

    def on_resize(self, event: events.Resize) -> None:
        self._lift_toasts()  # opened, or grown by a line: the toasts stay above it

    def _lift_toasts(self) -> None:
        """Toasts sit above the footer; while the bar is open, above the bar too: drawn over
        it ("Queued for w1" after a tab), they hid the text being typed."""
        racks = self.screen.query(TOASTS)
        height = self.outer_size.height if self.is_open else 0
        for rack in racks:
            rack.styles.margin = (0, 0, 1 + height, 0)

    def finish(self, key: str) -> None:
        prompt = self.query_one(PromptInput)
        text = prompt.text.strip("\n")
        if key == "escape":
            if self.agent is not None and text.strip():
                self._drafts[self.agent] = text  # kept for this agent, shown as a draft
            prompt.clear()
            self.close()
            return
        if not text.strip() or self.agent is None:
            self.app.bell()
            return
        queue = key == "tab"
        self.post_message(PromptSubmitted(self.agent, text, queue=queue))
        prompt.clear()
        if self._resumed:
            self._resumed = False
            self._show_target()
        if not queue:
            self.close()
