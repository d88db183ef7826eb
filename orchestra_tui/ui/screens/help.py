"""`?`: every key of every screen, generated from the same Binding declarations the footer and
the command palette use, so the help can never drift from the keys."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

STATE_HELP = (
    ("approval", "a permission or sandbox prompt waits for you: y approves, n denies"),
    ("blocked", "an API error, usage limit, lost connection or login waits for you"),
    ("stuck", "claims to work, but screen and counter froze past the threshold"),
    ("exited", "the agent process is gone: the shell is back or the pane died"),
    ("idle", "done with its turn; queued prompts are sent now, one at a time"),
    ("working", "busy; queued prompts wait for it to go idle"),
    ("unreachable", "its host (another machine, over ssh) does not answer; nothing is sent"),
    ("unknown", "orchestra will not guess: look at the pane"),
)

# Every glyph the fleet draws, and what it means.
GLYPH_HELP = (
    ("94%→  80%↓  40%↑", "context left, and its trend: flat, falling, rising (after a restart "
                        "or a compaction)"),
    ("⚠2", "the agent's alerts (forbidden commands, loops, low context); ! shows them"),
    ("3 !1", "queue: 3 prompts queued, 1 of them sending or uncertain (Q shows why)"),
    ("⏸", "its queue is paused (p resumes)"),
    ("+2 held", "prompts the agent's own CLI holds in its own queue, not orchestra's"),
    ("#90", "the issue the agent was put on"),
    ("host:name", "an agent on another machine, reached over ssh"),
    ("esc again: interrupt", "an interrupt is armed on that row: the same key again stops it"),
    ("…", "a name or lane too long for the column, cut short"),
    ("▾ gpu  3/20 need you", "a group's header (G): its host, lane or state, and how many of "
                             "its agents wait on you"),
    ("/api: 15 shown", "the list is filtered (/): esc in the filter bar shows everyone"),
    ("by host", "the list is grouped (G cycles none, host, lane, state)"),
    ("❄ order frozen", "rows keep their places (F): attention order again with F"),
    ("███░░", "the context bar: how much of the model's context window is left"),
    ("♪", "orchestra's own mark, in the title"),
)


KEY_NAMES = {"question_mark": "?", "escape": "esc", "delete": "del"}


def bindings_table(title: str, bindings: list[Binding]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None,
                  padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    seen = set()
    for binding in bindings:
        if binding.description in seen or not binding.description:
            continue
        seen.add(binding.description)
        keys = binding.key_display or " / ".join(
            KEY_NAMES.get(key.strip(), key.strip()) for key in binding.key.split(","))
        table.add_row(keys, binding.description)
    return table


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help_close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Static(Text("orchestra: keys", style="bold"))
            for title, bindings in self.sections:
                yield Static(bindings_table(title, bindings))
            states = Table(title="States", title_justify="left", show_header=False,
                           box=None, padding=(0, 2))
            states.add_column(style="bold", no_wrap=True)
            states.add_column()
            for state, meaning in STATE_HELP:
                states.add_row(state, meaning)
            yield Static(states)
            glyphs = Table(title="What the fleet shows", title_justify="left",
                           show_header=False, box=None, padding=(0, 2))
            glyphs.add_column(style="bold", no_wrap=True)
            glyphs.add_column()
            for glyph, meaning in GLYPH_HELP:
                glyphs.add_row(glyph, meaning)
            yield Static(glyphs)
            yield Static(Text("ctrl+p opens the command palette: every action, and themes.",
                              style="dim"))
