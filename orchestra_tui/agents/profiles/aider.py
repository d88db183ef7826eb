"""Aider (prompt_toolkit line UI, not full screen). Strings from aider's source and issues."""

from __future__ import annotations

import re

from orchestra_tui.agents.profiles.base import (
    CANCELED,
    COUNTER_WITH_HINT,
    SPINNER_VERB,
    Dialog,
    Keys,
    Profile,
    m,
    rx,
)


def _wrappable(literal: str) -> str:
    """`literal` as a pattern that still matches when the terminal wrapped it anywhere (the
    rows are joined with a space)."""
    return " ?".join(re.escape(char) for char in literal)


# The end of every confirm_ask question: "(Y)es/(N)o[/(A)ll/…] [Yes]: " and at most a short
# answer typed without Enter (confirm_ask reads a whole line).
_CONFIRM_END = (_wrappable("(Y)es/(N)o") + r".{0,80}?" + _wrappable("[")
                + f"(?:{_wrappable('Yes')}|{_wrappable('No')})" + _wrappable("]:")
                + r" ?[A-Za-z]{0,3}\s*$")

# `prompt_prefix = edit_format + " multi" + "> "`: "> ", "multi> ", "architect> ", "ask multi> ".
_PROMPT = r"^(?:[a-z][\w-]*(?: multi)?|multi)?> ?(?P<draft>.*)$"

PROFILE = Profile(
    name="aider",
    signatures=(
        (rx(r"^Aider v\d"), 6),
        (rx(r"\(Y\)es/\(N\)o"), 6),
        (rx(r"litellm\."), 4),
        (rx(r"^Tokens: .* sent"), 4),
        (rx(r"^Repo-map: "), 3),
        (rx(r"^Git repo: "), 2),
        (rx(r"/help to see in-chat commands"), 3),
        (rx(r"rate limited you"), 3),
        (rx(r"^Retrying in [\d.]+ seconds\.\.\.|^Retry in [\d.]+ seconds\."), 3),
        (rx(r"^Added \S+ to the chat"), 3),
        (rx(r"^(?:Main |Weak )?[Mm]odel: \S"), 1),
        (rx(r"^The API provider\b"), 2),
        (rx(r"\(y/n[^)]*\): ?$"), 2),
        # The WaitingSpinner's scanner moves across a 10-column frame, so the row can start
        # with blanks, glyphs or both (real 0.86 captures).
        (rx(r"^[ ░█#=]{0,12}Waiting for [\w./:@-]+\s*$"), 3),
        # io.rule() then (optionally) the files in chat, then the prompt at column 0.
        (rx(r"^─{20,}$\n(?:.*\n)?(?:[a-z][\w-]*(?: multi)?|multi)?>(?: |$)"), 3),
    ),
    prompt_line=rx(_PROMPT),
    # The prompt on the last row is the composer, so an error printed just above it (the turn
    # gave up) is still live, while the prompts above it are echoes that end older turns.
    composer=rx(_PROMPT),
    composer_window=1,
    echo=rx(_PROMPT),
    # A reply that finished prints its token report: errors above it were recovered from.
    item=rx(r"^Tokens: .* sent"),
    # WaitingSpinner("Waiting for " + model) before the first token; nothing while streaming.
    working=(m("spinner", r"Waiting for [\w./:@-]+", needs=("Waiting for",)),
             # An approved shell command runs in the foreground: "Running CMD", then its output.
             m("shell command", r"^Running \S", needs=("Running ",)),
             *COUNTER_WITH_HINT, *SPINNER_VERB),
    working_window=3,
    retrying=(
        m("retrying", r"^\s*Retrying in [\d.]+ seconds\.\.\.|^\s*Retry in [\d.]+ seconds\."),
        m("edit format", r"The LLM did not conform to the edit format"),
    ),
    failed=(
        m("rate limit", r"RateLimitError|rate limited you"),
        m("connection", r"APIConnectionError"),
        m("token limit", r"has hit a token limit|exceeds the \d+ token limit"),
        m("auth", r"litellm\.AuthenticationError"),
        # Any other litellm exception as aider prints it ("litellm.InternalServerError: ..."),
        # at the row start after whatever the spinner left there, and aider's own gloss on it.
        m("api error", r"^[\s░█#=]{0,12}litellm\.[A-Z]\w*: ", needs=("litellm.",)),
        m("api error", r"^The API provider\b", needs=("The API provider",)),
        m("empty response", r"^Empty response received from LLM\b"),
    ),
    # The person's Ctrl-C: the turn (a stream, a retry loop) is over, not failed.
    interrupted=(m("interrupted", r"^\^C again to exit|^\^C KeyboardInterrupt"), *CANCELED),
    dialog=Dialog(
        # confirm_ask: "<question> (Y)es/(N)o[/(A)ll...] [Yes]: " with nothing typed after.
        last_line=(
            # A short answer typed without Enter still waits (confirm_ask reads a line); a
            # quoted question starts with "> " (the chat history file, pitfall 2).
            ("confirm", rx(r"^(?!> ).*\(Y\)es/\(N\)o.*\[(?:Yes|No)\]: ?[A-Za-z]{0,3}\s*$")),
            ("confirm", rx(r"\(y/n[^)]*\):\s*$")),
        ),
        # The same question wrapped by a narrow pane: its last row is only the tail of it.
        standalone=(("confirm", rx(_CONFIRM_END)),),
    ),
    # confirm_ask reads a whole line, so a letter does nothing until Enter. The default is
    # [Yes], so deny must type "n": a bare Enter would approve.
    keys=Keys(approve=("y", "Enter"), deny=("n", "Enter")),
)
