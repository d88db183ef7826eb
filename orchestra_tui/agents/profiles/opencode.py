"""opencode (sst/opencode, npm `opencode-ai`; an OpenTUI screen). Strings from real captures of
1.18.33 offline against tests/fake_openai_chat_api.py and from its bundled TUI source.

Its transcript draws the person's prompts, tool output and provider errors alike, as blocks
behind a left bar (┃) that a text capture strips, so no prompt echo can be told apart. What
the text does show: the input box's bottom edge (`╹▀▀▀`), the row under it (the spinner and
"esc interrupt" while a turn runs, the folder and the context figure at rest, a provider
error being retried), and the row each turn ends with: "▣  Build · GPT-4o · 2.1s" when it
finished, "· interrupted" when the person stopped it, nothing after the model when it failed
or a permission was rejected.
"""

from __future__ import annotations

from orchestra_tui.agents.profiles.base import CANCELED, Dialog, Keys, Profile, m, rx

# "▣  Build · GPT-4o · 2.1s": agent, model, then the turn's duration or how it ended.
_TURN_END = r"^\s*▣\s+\S[^·]*· [^·]+ · "

PROFILE = Profile(
    name="opencode",
    signatures=(
        (rx(r"^\s*╹▀{8,}\s*$"), 6),
        (rx(r"^\s*▣\s+\S[^·]*· \S"), 5),
        (rx(r"ctrl\+p commands"), 5),
        (rx(r"tab agents"), 3),
        (rx(r"esc (?:again to )?interrupt\s*(?:\S.*)?$"), 2),
        (rx(r"△ Permission required"), 5),
        (rx(r"Allow once\s+Allow always\s+Reject"), 5),
        (rx(r"\[retrying (?:in \S+ )?attempt #\d+\]"), 4),
        (rx(r"█▀▀█ █▀▀█ █▀▀█ █▀▀▄"), 4),  # the logo on the start screen
        (rx(r"Ask anything… \""), 4),
        (rx(r"opencode -s ses_\w+"), 4),  # the farewell: how to continue the session
    ),
    # The bottom edge of the input box: the only row of it a text capture keeps as drawn.
    composer=rx(r"^\s*╹▀{8,}\s*$"),
    composer_window=16,  # a long footer row can wrap down the right edge (blocked-65)
    item=rx(rf"{_TURN_END}(?:(?:\d+h\s?)?(?:\d+m\s?)?\d+(?:\.\d+)?s|interrupted)\s*$"),
    interrupted=(m("interrupted", rf"{_TURN_END}interrupted\s*$"), *CANCELED),
    # An approved command running draws a braille spinner before it in the transcript.
    working=(m("tool spinner", r"^\s*[\u2801-\u28ff] \S", needs=()),),
    working_window=12,
    working_footer=(m("footer", r"\besc (?:again to )?interrupt\b"),),
    # A provider error being retried is drawn in the footer, with the spinner still turning.
    retrying_footer=(
        m("quota", r"exceeded your current quota|insufficient_quota|quota exceeded", ci=True),
        m("API retry", r"\[retrying (?:in \S+ )?attempt #\d+\]"),
    ),
    finished=(m("turn over", rf"{_TURN_END}(?:\d+h\s?)?(?:\d+m\s?)?\d+(?:\.\d+)?s\s*$"),),
    # Provider errors as the OpenAI-compatible APIs word them; the block has no glyph of its own.
    failed=(
        m("API error", r"\b(?:Incorrect|Invalid) API key\b|\bUnauthorized\b|\bForbidden\b"
                       r"|\bAPI key (?:is )?(?:missing|invalid|not valid)\b", ci=True),
        m("API error", r"^\s*(?:\w+)?Error: \S|\bAPICallError\b|\bProviderInitError\b"),
    ),
    dialog=Dialog(
        # The options sit on one row; the highlighted one is a background colour only.
        standalone=(("exec", rx(r"Allow once\s+Allow always\s+Reject")),),
        titles=(("exec", rx(r"△ Permission required")),),
        default_kind="exec",
        structural=False,
    ),
    # "1.2K (1%)": tokens in context and the share of the window they use.
    context=((rx(r"\d(?:\.\d+)?[KM]? \((\d{1,3})%\)"), "used"),),
    # "Allow once" is preselected, so Enter allows this call only; Esc rejects it.
    keys=Keys(approve=("Enter",), deny=("Escape",)),
    # opencode queues a prompt typed during a turn (its "queued" menu).
    types_while_working=True,
)
