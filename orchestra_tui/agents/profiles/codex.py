"""Codex CLI (Rust TUI, codex-rs/tui). Strings from its snapshot tests and real captures."""

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

# The composer row; `› 1.` is a dialog option, not a composer.
_COMPOSER = r"^(?:› (?!\d+\.\s)|›$|▌(?: |$))"

PROFILE = Profile(
    name="codex",
    types_while_working=True,
    signatures=(
        (rx(r"Ask Codex to do anything"), 6),
        (rx(r"Codex\b"), 2),
        (rx(r"Would you like to (?:run the following command|make the following edits"
            r"|grant these permissions)\?"), 5),
        (rx(r"Press enter to confirm or esc to (?:cancel|go back)", ci=True), 3),
        (rx(r"\((?:\d+h )?(?:\d+m )?\d+s • "), 5),
        (rx(r"^■ ", ci=False), 2),
        (rx(r"Conversation interrupted"), 3),
        (rx(r"J newline"), 4),
        (rx(r"⏎ send"), 2),
        (rx(r"/ps to view|background terminals? running"), 3),
        (rx(r"^▌(?: |$)"), 2),
        (rx(r"^› "), 1),
        (rx(r"% context left(?!\))"), 2),
        (rx(r"Context \d{1,3}% (?:left|used)"), 2),
        (rx(r"tab to queue message"), 5),
        (rx(r"Describe a task like"), 4),
        (rx(r"^─+ Worked for "), 3),
        (rx(r"^\s*↳ "), 1),
        (rx(r"^▌ (?:Allow command|Apply changes)\?"), 4),
        (rx(r"hit your usage limit|chatgpt\.com/codex|/feedback"), 3),
        (rx(r"Reconnecting\.\.\. \d+/\d+"), 3),
        # Its start-up dialog for hooks it has not been told to trust (0.171).
        (rx(r"Hooks can run outside the sandbox|Continue without trusting"), 5),
        (rx(r"\(esc\)$"), 1),
        (rx(r"gpt-\d"), 1),
        # The rotating composer placeholders seen in captures.
        (rx(r"^› (?:Summarize recent commits|Implement \{feature\}"
            r"|Improve documentation in @filename|Use /skills to list available skills)"), 4),
        (rx(r"Do you trust the contents of this directory\?"), 4),
        (rx(r"^> You are (?:running Codex )?in /|Since this folder is (?:not )?version controlled"
            r"|allow Codex to work in this folder"), 4),
        (rx(r"Sign in with ChatGPT|Provide your own API key|@openai/codex"), 4),
        (rx(r"^✗ You (?:canceled the request|did not approve)|^✔ You approved codex"), 4),
        (rx(r"unanswered\)$"), 2),
        (rx(r"enter:? (?:to )?submit answer", ci=True), 4),
        (rx(r"^• (?:Explored|Ran|Edited|Running|Working) "), 3),
        (rx(r"(?<=\d)[KM] used\b"), 1),
    ),
    composer=rx(_COMPOSER),
    composer_window=16,  # slash-command and file popups open under the composer
    echo=rx(r"^› (?!\d+\.\s)\S"),
    # Queue section headers share the bullet but sit between the status row and the composer.
    item=rx(r"^(?:[•◦] (?!Messages to be submitted|Queued follow-up)|[■⚠✔✗] )|^─+ Worked for "),
    # `chatwidget.rs` on_interrupted_turn (Esc, or "No, and tell Codex what to do differently"
    # in a dialog): "■ Conversation interrupted - tell the model what to do differently. …"
    # (older) or "- use /feedback if something went wrong" (current), after the decision cell
    # "✗ You canceled the request to run <cmd>"; `core/src/error.rs` TurnAborted/Interrupted.
    interrupted=(
        m("interrupted", r"^■\s+Conversation interrupted\b|^✗ You canceled the request\b"
                         r"|^■\s+(?:turn aborted|interrupted \(Ctrl-C\))"),
        *CANCELED,
    ),
    working=(
        # "• Working (12s • esc to interrupt)", "(0s • background: 0 • Esc to interrupt)",
        # truncated "• Working (0s • esc " at 20 columns: the counter and bullet suffice.
        m("status row", rf"\({EL} • ", needs=("(", "•")),
        m("status row", r"press Esc twice to interrupt", ci=True, needs=("twice",)),
        *COUNTER_WITH_HINT, *SPINNER_VERB,
    ),
    working_window=40,
    working_footer=(
        m("footer", r"tab to queue message", ci=True),
        m("footer", r"ctrl \+ c again to interrupt", ci=True),
    ),
    finished=(m("turn divider", r"^(?:─+ |[•◦] )?Worked for (?:\d+h\s?)?(?:\d+m\s?)?\d+s\b"),),
    retrying=(
        # Pitfall 4: this row also ends in "esc to interrupt"; it is checked first.
        m("reconnecting", r"Reconnecting\.\.\.\s*\d+/\d+", ci=True),
        m("stream error", r"stream disconnected", ci=True),
    ),
    failed=(m("error", r"^■\s+\S"),),
    # A slash command refused while a task runs: the task is fine (pitfall 15).
    not_error=(rx(r"^■\s+'/[\w-]+' is disabled"),),
    dialog=Dialog(
        cursor=rx(r"^\s*(?:▌\s*)?[›>]\s*\d+\.\s+\S"),
        option=rx(r"^\s*(?:▌\s*)?(?:[›>]\s*)?\d+\.\s+\S"),
        footer=rx(r"press enter to (?:confirm|continue)|esc to (?:cancel|go back)", ci=True),
        # Each option names its shortcut, "(y)" … "(esc)": proof enough if a build drops the footer.
        footer_alternative=rx(r"\((?:y|esc)\)$"),
        titles=(
            ("exec", rx(r"Would you like to run the following command\?|Allow command\?")),
            ("edit", rx(r"Would you like to make the following edits\?|Apply changes\?")),
            ("permissions", rx(r"Would you like to grant these permissions\?")),
            ("network", rx(r"Do you want to approve network access")),
            ("mcp", rx(r"needs your approval\.")),
            # `onboarding/trust_directory.rs`, three generations: "Since this folder is (not)
            # version controlled…" with "Press enter to continue", "Do you trust the contents
            # of this directory?", and "You are in <dir>" with "Open restricted" / "Quit".
            ("trust", rx(r"Do you trust the contents of this directory\?|^> You are (?:running "
                         r"Codex )?in /|Since this folder is (?:not )?version controlled"
                         r"|allow Codex to work in this folder|^\s*(?:› )?1\. Open (?:restricted"
                         r"|existing task)")),
        ),
        # request_user_input: its footer also says "esc to interrupt" (pitfall 4).
        standalone=(("question", rx(r"enter:? (?:to )?submit answer", ci=True)),),
        default_kind="exec",
    ),
    context=(
        (rx(r"\b(\d{1,3})% context left", ci=True), "left"),
        (rx(r"\bContext (\d{1,3})% left", ci=True), "left"),
        (rx(r"\bContext (\d{1,3})% used", ci=True), "used"),
        # The window size is unknown, so no percentage can be given (pitfall 10).
        (rx(r"\b(\d+(?:\.\d+)?[KM]) used\b"), "none"),
    ),
    queue_row=rx(r"^\s*↳ \S"),
    background=(rx(r"\b\d+ background terminals? running"),),
    # "y" is bound to "Yes, proceed" in every exec/edit dialog whatever row the cursor is on,
    # so a moved cursor can never turn an approval into "don't ask again". Escape is bound to
    # "No, and tell Codex what to do differently": it declines and leaves the turn waiting.
    keys=Keys(approve=("y",), deny=("Escape",)),
    keys_by_dialog=(
        # The trust dialog binds "1" to trust and "2" to its other row in every version of
        # `trust_directory.rs`; Enter would take the highlighted row, which for a folder
        # outside git is "Require approval", and Esc does nothing in the older ones.
        ("trust", Keys(approve=("1",), deny=("2",))),
        # A list never seen before: Enter takes the highlighted row (the first, unless the
        # person moved it), Escape closes it.
        ("choice", Keys(approve=("Enter",), deny=("Escape",))),
        # A question wants an answer: Enter submits the highlighted one, Escape interrupts.
        ("question", Keys(approve=("Enter",), deny=("Escape",))),
    ),
)
