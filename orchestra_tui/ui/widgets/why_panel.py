"""`w`: under the live pane, why the selected agent is in its state and what orchestra does
next for it (`core.why`, in `ui.why_words`' words, the same `orchestra why` prints). The screen
rows the reader's rule matched stand out. The fleet screen gives it the agent's view on every
refresh; an agent gone from the fleet since it was selected is said as such."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from orchestra_tui.core.fleet.state import AgentView
from orchestra_tui.core.why import explain
from orchestra_tui.ui.wording.why import why_lines

_STYLES = {"title": "bold", "label": "bold cyan", "text": "", "row": "bold reverse",
           "dim": "dim"}


class WhyPanel(Static):
    DEFAULT_CLASSES = "why-panel"

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.agent: str | None = None

    def show(self, agent: str | None, view: AgentView | None, now: float) -> None:
        """Explain `view` (the agent `agent` as of the last tick) as of `now`."""
        self.agent = agent
        if agent is None:
            self.update(Text("no agent selected", style="dim"))
            return
        if view is None:
            self.update(Text(f"{agent} is no longer in the fleet (retired or removed): "
                             "nothing to explain", style="dim"))
            return
        text = Text(no_wrap=False)
        for index, (style, line) in enumerate(why_lines(explain(view, now))):
            if index:
                text.append("\n")
            text.append(line, style=_STYLES.get(style, ""))
        self.update(text)
