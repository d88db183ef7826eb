"""Claude Code (Ink TUI). Strings from real captures (tests/screens), the npm bundles and the
wordings quoted in anthropics/claude-code issues."""

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

# Spinner frames: Linux `· ✢ * ✶ ✻ ✽`, macOS `✳`, Ghostty `*` (pitfall 5). A spinner row is a
# glyph, a verb ending in "…", and usually "(12s · ↓ 1.2k tokens)"; the verb list changes
# every release, so only the glyph and the ellipsis are matched.
_GLYPH = r"[·✢✳✶✻✽*]"
# A turn-over line: "✻ Brewed for 1h 14m 17s", "✻ Cooked for 23s · done 10:23 PM"; with reduced
# motion or a custom spinner the glyph can differ or be missing.
_FINISHED = r"^\s*(?:[^\w\s]\s)?[A-Z][\w'’é-]+ for (?:\d+h\s?)?(?:\d+m\s?)?\d+s\b(?!\S)"

PROFILE = Profile(
    name="claude",
    types_while_working=True,
    signatures=(
        (rx(r"Claude Code"), 6),
        (rx(r"Claude\b"), 2),
        (rx(r"^[⏺●] \S"), 2),
        (rx(r"⎿ "), 2),
        (rx(r"❯(?: |$)"), 2),
        (rx(r"⏵⏵|⏸ plan mode"), 3),
        (rx(r"shift\+tab to cycle"), 3),
        (rx(r"auto-compact|Context low \(\d+% remaining\)"), 3),
        (rx(r"Esc to cancel · Tab to"), 4),
        (rx(rf"^\s*{_GLYPH} \S[^…]*…\s*\((?:\d+h )?(?:\d+m )?\d+s"), 4),
        (rx(rf"^\s*{_GLYPH} \w+ for (?:\d+h )?(?:\d+m )?\d+s"), 3),
        (rx(r"Anthropic|anthropic\.com|status\.claude\.com"), 3),
        (rx(r"API Error"), 2),
        (rx(r"Press Ctrl-C again to exit"), 2),
        (rx(r'^\s*(?:❯|>) Try "'), 3),  # the 2.x and 1.0 composer placeholders
        (rx(r"ctrl\+o to (?:expand|see|show)|ctrl\+o for history"), 2),
        (rx(r"/model to try"), 2),
        (rx(r"Interrupted by user|What should Claude do instead"), 3),
        # The trust dialog ("Do you trust the files in this folder?", issues #9256, #10409).
        (rx(r"Claude Code (?:may|'ll be able to) read, (?:write|edit)"), 6),
        (rx(r"Select login method|Claude account with subscription"), 5),
        (rx(r"You've hit your (?:[\w'-]+ )?limit · resets"), 5),
        (rx(r"Credit balance (?:is )?too low · Add funds"), 5),
    ),
    composer=rx(r"^\s*[❯>!](?: |$)"),  # "!" is the bash-mode prompt
    composer_framed=True,
    # Bash-mode prompts echo as "! cmd" at column 0; indented "!" rows are tool output.
    echo=rx(r"^(?:\s*[❯>]|!) (?!\d+\.\s)\S"),
    item=rx(r"^[⏺●] \S"),
    # After Esc, and after "No" in a permission dialog: "⎿  Interrupted · What should Claude
    # do instead?" (2.x), "⎿  Interrupted by user" (1.0).
    interrupted=(
        m("interrupted", r"Interrupted by user|Interrupted · What should Claude do instead"),
        # "⎿ Error: Compaction canceled." after Esc during /compact.
        *CANCELED,
    ),
    working=(
        m("spinner", rf"^\s*{_GLYPH} \S[^…]*…(?:\s|$)", needs=("…",)),
        # Any glyph or none (reduced motion, custom spinner verbs) when the counter follows.
        m("spinner", rf"^\s*(?:[^\w\s(]\s+)?[A-Z][^()…]{{0,60}}(?:…|\.\.\.)\s*\({EL}\b",
          needs=("(",)),
        *COUNTER_WITH_HINT, *SPINNER_VERB,
    ),
    # The todo list (ctrl+t) can hang a dozen rows under the spinner.
    working_window=25,
    # 2.1 moved "esc to interrupt" from the spinner row to the footer.
    working_footer=(m("footer", r"\besc to interrupt\b", ci=True),),
    finished=(
        m("finished", _FINISHED),
        m("finished", rf"^\s*{_GLYPH} Conversation compacted"),
    ),
    retrying=(
        # Anchored to the API error or the attempt counter: a script the agent runs may print
        # "Retrying in 5 seconds" too.
        m("API retry", r"API Error.*Retrying in \d+\s*(?:s|secs?|seconds?)\b"
                       r"|Retrying in \d+\s*(?:s|secs?|seconds?)\b.*\(?attempt \d+/\d+",
          ci=True),  # 2.1 draws it as a spinner row: "✻ 429 … · retrying in 4s · attempt 5/10"
        m("API retry", r"Waiting for API response|will retry in", ci=True),
    ),
    failed=(
        m("API error", r"^\s*(?:[⏺●⎿]\s+)?API Error\b"),
        # The context is full: nothing goes on until the person clears or compacts it.
        m("context full", r"^\s*(?:[⏺●⎿]\s+)?Prompt is too long\b"),
        m("connection", r"Unable to connect to Anthropic services"
                        r"|Failed to connect to api\.anthropic\.com"),
    ),
    dialog=Dialog(
        cursor=rx(r"^\s*[❯>]\s*\d+\.\s+\S"),
        option=rx(r"^\s*(?:[❯>]\s*)?\d+\.\s+\S"),
        footer=rx(r"esc to cancel|enter to confirm|enter to select", ci=True),
        # ≤2.0 drew the dialog in a box with no footer; its "No" option carried "(esc)".
        footer_alternative=rx(r"\(esc\)"),
        titles=(
            ("trust", rx(r"Quick safety check|trust this folder|Do you trust the files in this "
                         r"folder\?")),
            ("plan", rx(r"ready to execute|Exit plan mode\?|Plan saved to |\.claude/plans/")),
            ("edit", rx(r"^\s*(?:Edit|Create) file\b|Do you want to (?:make this edit|create) ")),
            ("exec", rx(r"^\s*Bash command\b|This command requires approval")),
            ("question", rx(r"Enter to select")),
        ),
        default_kind="exec",
    ),
    context=(
        (rx(r"Context left until auto-compact: (\d{1,3})%"), "left"),
        (rx(r"Context low \((\d{1,3})% remaining\)"), "left"),
        (rx(r"\b(\d{1,3})% until auto-compact"), "left"),
        (rx(r"\b(\d{1,3})% context used"), "used"),
    ),
    queue_hint=rx(r"Press up to (?:edit|select) .*queued message|ctrl\+x ctrl\+s to send now"),
    queue_block=rx(r"^\s*[❯>] \S"),
    background=(
        rx(r"\b\d+ shells? still running"),
        rx(r"^\s*⏵⏵ .*· \d+ shells?\b"),
    ),
    # The cursor starts on "1. Yes", so Enter accepts this once without reaching option 2
    # ("don't ask again"). Escape is the footer's "Esc to cancel": it declines and Claude
    # waits for instructions.
    keys=Keys(approve=("Enter",), deny=("Escape",)),
)
