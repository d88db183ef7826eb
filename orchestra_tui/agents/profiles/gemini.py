"""Gemini CLI (Ink TUI). Strings from its source (packages/cli/src/ui), its snapshot tests and
pasted sessions."""

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
        # `FolderTrustDialog.tsx`, `AuthDialog.tsx`, `useQuotaAndFallback.ts`.
        (rx(r"Trust (?:parent )?folder \(|Don't trust$"), 4),
        (rx(r"How would you like to authenticate|Gemini CLI"), 4),
        (rx(r"Usage limit reached for \S|/stats model for usage details"), 4),
    ),
    # ">" normal, "!" shell mode, "*" YOLO mode, "(r:)" history search.
    composer=rx(r"^\s*(?:[>!*]|\(r:\))(?: |$)"),
    composer_framed=True,
    composer_edges=True,
    composer_padded=True,
    echo=rx(r"^\s*> \S"),
    # Not "ℹ": an info row is a notice about the turn, not a new entry ("ℹ This request failed…"
    # under its "✕ [API Error: …]").
    item=rx(r"^\s*[✦✕✓] ?\S"),
    interrupted=(m("cancelled", r"Request cancelled\."), *CANCELED),
    working=(
        m("status row", rf"esc to cancel, {EL}", needs=("cancel, ",)),
        # Wrapped at narrow width: "…(esc to" / "cancel, 5s)" (pitfall 8); the short tail
        # on its own row is specific enough.
        m("status row", rf"(?:^|\s)cancel, {EL}\)?\s*$", needs=("cancel, ",)),
        *COUNTER_WITH_HINT, *SPINNER_VERB,
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
        # With `ui.collapseDrawerDuringApproval` off the input box stays under the dialog, and
        # the loading row says "Waiting for user confirmation..." (usePhraseCycler.ts).
        waiting=rx(r"Waiting for user confirmation"),
        titles=(
            ("exec", rx(r"Allow execution of")),
            ("edit", rx(r"Apply this change\?|^\s*\? Edit ")),
            ("fetch", rx(r"URLs to fetch:")),
            ("trust", rx(r"Do you trust the files in this folder\?|^\s*(?:● )?1\. Trust folder")),
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
    keys_by_dialog=(
        # `FolderTrustDialog.tsx`: "1. Trust folder" is preselected; Escape quits Gemini CLI,
        # so deny picks "3. Don't trust" (a number selects at once: no option 30 exists).
        ("trust", Keys(approve=("Enter",), deny=("3",))),
    ),
)
