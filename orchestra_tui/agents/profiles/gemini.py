"""Gemini CLI (Ink TUI). Strings from its snapshot tests and pasted sessions (README §1.3)."""

from __future__ import annotations

from orchestra_tui.agents.profiles.base import EL, Dialog, Keys, Profile, m, rx

PROFILE = Profile(
    name="gemini",
    signatures=(
        (rx(r"Type your message or @path/to/file"), 6),
        (rx(r"esc to cancel, \d"), 5),
        (rx(r"cancel, (?:\d+[hms] ?)+\)?$"), 3),
        (rx(r"no sandbox"), 3),
        (rx(r"[Gg]emini|GEMINI"), 2),
        (rx(r"^\s*● (?:\d+\. )?(?:Yes|No|Allow)"), 3),
        (rx(r"Allow once|Allow for this session|Allow execution of|Action Required"), 3),
        (rx(r"Apply this change\?"), 3),
        (rx(r"Queued \(press ↑ to edit\):"), 5),
        (rx(r"^\s*✦ "), 3),
        (rx(r"^\s*✕ "), 2),
        (rx(r"suggest changes \(esc\)"), 4),
        (rx(r"\(\d{1,3}% context left\)"), 3),
        (rx(r"Tips for getting started"), 2),
        (rx(r"Request cancelled\."), 3),
        (rx(r"✖ \d+ errors? \(ctrl\+o for details\)"), 3),
        (rx(r"Waiting for user confirmation"), 3),
        (rx(r"URLs to fetch:"), 2),
    ),
    # ">" normal, "!" shell mode, "*" YOLO mode, "(r:)" history search.
    composer=rx(r"^\s*(?:[>!*]|\(r:\))(?: |$)"),
    composer_framed=True,
    composer_edges=True,
    echo=rx(r"^\s*> \S"),
    item=rx(r"^\s*[✦✕ℹ✓] ?\S"),
    interrupted=(m("cancelled", r"Request cancelled\."),),
    working=(
        m("status row", rf"esc to cancel, {EL}"),
        # Wrapped at narrow width: "…(esc to" / "cancel, 5s)" (pitfall 8); the short tail
        # on its own row is specific enough.
        m("status row", rf"(?:^|\s)cancel, {EL}\)?\s*$"),
    ),
    working_window=12,
    working_joined=(m("status row", rf"esc to cancel, {EL}"),),
    failed=(m("error", r"^\s*✕ \S"),),
    # The console-error counter, not an agent error (pitfall 15).
    not_error=(rx(r"✖ \d+ errors?\b"),),
    dialog=Dialog(
        cursor=rx(r"^\s*●\s*(?:\d+\.\s+)?\S"),
        option=rx(r"^\s*(?:[●○]\s*)?\d+\.\s+\S|^\s*[●○]\s+\S"),
        footer_required=False,
        titles=(
            ("exec", rx(r"Allow execution of")),
            ("edit", rx(r"Apply this change\?|^\s*\? Edit ")),
            ("fetch", rx(r"URLs to fetch:")),
        ),
        default_kind="confirm",
    ),
    context=((rx(r"\b(\d{1,3})% context left", ci=True), "left"),),
    context_column=True,
    queue_header=rx(r"Queued \(press ↑ to edit\):"),
    queue_more=rx(r"^\s*\.\.\. \(\+(\d+) more\)"),
    # Option 1 ("Allow once") is preselected, so Enter allows this call only; Escape is the
    # "No, suggest changes (esc)" option.
    keys=Keys(approve=("Enter",), deny=("Escape",)),
)
