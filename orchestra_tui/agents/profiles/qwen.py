"""Qwen Code (QwenLM/qwen-code, npm `@qwen-code/qwen-code`), a fork of Gemini CLI (Ink TUI).
Strings from real captures of 0.24.4 offline against tests/fake_openai_chat_api.py
(`OPENAI_BASE_URL`) and from its bundle. It keeps Gemini CLI's composer between rules, its
"(3s · esc to cancel)" status row, its "✕ [API Error: …]" rows and its confirmation dialog,
with its own glyphs: "◆︎" before an answer, "●︎" before a notice, "›" on the chosen option.
"""

from __future__ import annotations

from orchestra_tui.agents.profiles.base import (
    CANCELED,
    COUNTER_WITH_HINT,
    EL,
    SPINNER_VERB,
    Dialog,
    Keys,
    Profile,
    m,
    rx,
)

PROFILE = Profile(
    name="qwen",
    signatures=(
        (rx(r"Qwen Code|QWEN\.md|\bqwen --resume\b"), 8),
        (rx(r"^\s*◆\ufe0e? \S"), 4),
        (rx(r"^\s*●\ufe0e \S"), 3),
        (rx(r"shift \+ tab to cycle"), 4),
        (rx(r"Enter to steer · Ctrl\+Q to queue"), 6),
        (rx(r"Context \d+(?:\.\d+)?% used"), 3),
        (rx(r"^\s*➜ \S+ · "), 3),
        (rx(r"\(Press Ctrl\+Y to retry\)"), 3),
        (rx(r"Waiting for user confirmation"), 2),
        (rx(r"^\s*› 1\. Yes, allow once"), 10),  # Gemini CLI marks it with ●
    ),
    composer=rx(r"^\s*(?:[>!*]|\(r:\))(?: |$)"),
    composer_framed=True,
    echo=rx(r"^\s*> \S"),
    # Answers (◆︎), notices (●︎), tool rows (✓ done, ? waiting, - cancelled, ✕ failed).
    item=rx(r"^\s*(?:[◆✕✓]\ufe0e?|●\ufe0e) ?\S"),
    interrupted=(m("cancelled", r"Request cancelled\."), *CANCELED),
    working=(
        m("status row", r"esc to cancel\)?", needs=("esc to cancel",)),
        m("status row", rf"\({EL} · esc to cancel", needs=("esc to cancel",)),
        *COUNTER_WITH_HINT, *SPINNER_VERB,
    ),
    working_window=12,
    failed=(m("error", r"^\s*✕ \S"),),
    not_error=(rx(r"✖ \d+ errors?\b"),),
    dialog=Dialog(
        cursor=rx(r"^\s*[›●]\s*\d+\.\s+\S"),
        option=rx(r"^\s*(?:[›●]\s*)?\d+\.\s+\S"),
        footer_required=False,
        waiting=rx(r"Waiting for user confirmation"),
        titles=(
            ("exec", rx(r"Allow execution of")),
            ("edit", rx(r"Apply this change\?|^\s*\? (?:Edit|WriteFile|Write) ")),
            ("fetch", rx(r"URLs to fetch:")),
            ("trust", rx(r"Do you trust the files in this folder\?")),
        ),
        default_kind="confirm",
    ),
    context=((rx(r"Context (\d{1,3})(?:\.\d+)?% used"), "used"),),
    # Option 1 ("Yes, allow once") is preselected; Escape is "No, suggest changes (esc)".
    keys=Keys(approve=("Enter",), deny=("Escape",)),
    # "Enter to steer · Ctrl+Q to queue": a prompt typed during a turn is taken.
    types_while_working=True,
)
