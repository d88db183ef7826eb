"""The fleet screen's keys: what each does on the selected agent, in the words the footer,
`?` and the command palette show."""

from __future__ import annotations

from textual.binding import Binding, BindingType

FLEET_KEYS: list[BindingType] = [
    Binding("enter", "prompt", "Prompt", id="prompt"),
    Binding("Q", "queue", "Queue", id="queue"),
    Binding("y", "approve", "Approve", id="approve"),
    Binding("n", "deny", "Deny", id="deny"),
    Binding("ctrl+c", "interrupt('ctrl+c')", "Interrupt", id="interrupt", priority=True),
    Binding("escape", "escape", "Leave zoom, else interrupt (twice)", show=False,
            id="interrupt_esc"),
    Binding("a", "attach", "Attach", id="attach"),
    Binding("p", "toggle_pause", "Pause queue", id="pause", show=False),
    Binding("R", "restart", "Restart", id="restart"),
    Binding("K", "kill", "Kill", id="kill", show=False),
    Binding("N", "new_agent", "New agent", id="new_agent", show=False),
    Binding("X", "retire", "Retire", id="retire", show=False),
    Binding("P", "remind_policy", "Policy reminder", id="policy", show=False),
    Binding("c", "nudge", "Nudge a blocked agent (continue)", id="nudge", show=False),
    Binding("exclamation_mark", "alerts", "Alerts of the selected agent", id="alerts",
            show=False, key_display="!"),
    Binding("g", "grid", "Grid", id="grid"),
    Binding("z", "zoom", "Zoom", id="zoom"),
    Binding("w", "why", "Why: explain the selected agent's state (w again hides it)",
            id="why", show=False),
    Binding("i", "app.inbox", "Inbox", id="inbox"),
    Binding("m", "app.merge_panel", "Merge", id="merge"),
    Binding("I", "app.issues", "Issues", id="issues"),
    Binding("down,j", "cursor('down')", "Next agent", show=False, id="next_agent"),
    Binding("up,k", "cursor('up')", "Previous agent", show=False, id="previous_agent"),
    Binding("pageup", "scroll_pane('up')", "Scroll the pane back into history",
            show=False, id="pane_up", key_display="pgup"),
    Binding("pagedown", "scroll_pane('down')", "Scroll the pane on (at the bottom it follows)",
            show=False, id="pane_down", key_display="pgdn"),
]
