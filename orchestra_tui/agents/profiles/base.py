"""The shape of a tool profile: everything the engine knows about one CLI, held as data.

A profile never contains code paths of its own; the engine in `agents/engine.py` reads these
fields in the same order for every tool. Patterns are compiled once, at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from orchestra_tui.agents.text import DURATION

Rx = re.Pattern[str]

# The elapsed counter as each tool prints it, kept in a named group so the tracker can tell a
# live counter from a frozen one.
EL = rf"(?P<el>{DURATION})"


def rx(pattern: str, *, ci: bool = False) -> Rx:
    # MULTILINE changes nothing for the one-row searches the engine does, and lets
    # detect_tool run each signature once over the whole screen instead of row by row.
    return re.compile(pattern, re.MULTILINE | (re.IGNORECASE if ci else 0))


@dataclass(frozen=True)
class Marker:
    """One piece of evidence: `label` names it in the reason line. `needs` are literals the row
    must contain for the pattern to be tried at all: a substring test costs a fraction of a
    regex search, and most rows of a screen match no marker."""

    label: str
    pattern: Rx
    needs: tuple[str, ...] = ()

    def search(self, text: str) -> re.Match[str] | None:
        for literal in self.needs:
            if literal not in text:
                return None
        return self.pattern.search(text)


def m(label: str, pattern: str, *, ci: bool = False, needs: tuple[str, ...] = ()) -> Marker:
    return Marker(label, rx(pattern, ci=ci), needs)


# Working, whatever the tool and its spinner (any glyph, a reduced-motion frame, none): a live
# elapsed counter and an interrupt (or cancel) hint in one parenthesised group, as Claude
# "(12s · ↓ 1.2k tokens · esc to interrupt)", Codex "(12s • esc to interrupt)" and Gemini
# "(esc to cancel, 5s)" draw it. Every agent profile appends these to its own status markers.
_HINT = r"\b(?:esc|escape|ctrl ?\+ ?c|ctrl-c|\^c)\b[^()]*?\bto (?:interrupt|cancel|stop)\b"
# The counter is a whole item of the group: after "(" or a separator, before one or ")".
_COUNTER = rf"(?:\(|[•·,|]\s*){EL}\s*(?=[•·,|)]|$)"
COUNTER_WITH_HINT: tuple[Marker, ...] = (
    m("elapsed counter", rf"\((?:[^()]*?[•·,|]\s*)?{EL}\s*(?:[•·,|)]|$)[^()]*?{_HINT}", ci=True,
      needs=("(", " to ")),
    m("elapsed counter", rf"\([^()]*?{_HINT}[^()]*?{_COUNTER}", ci=True, needs=("(", " to ")),
)

# Working, whatever the tool: a spinner glyph and a verb (one or two words) ending in an
# ellipsis, alone on its row or before a parenthesised group: "● Pondering…", "✢ Thinking…",
# "⠋ Reticulating splines...". Prose has more words; prompts and frames have their own glyphs.
_SPINNER_VERB = (r"^\s*(?:[^\w\s❯›>▌│|\-]|\*)\s*[A-Z][\w'’é-]*(?: [a-z][\w'’é-]*)?{dots}"
                 r"\s*(?:\([^()]*\)?)?\s*$")
SPINNER_VERB: tuple[Marker, ...] = (
    m("spinner verb", _SPINNER_VERB.format(dots="…"), needs=("…",)),
    m("spinner verb", _SPINNER_VERB.format(dots=r"\.\.\."), needs=("...",)),
)
# The person's own cancellation reported as an error line ("⎿ Error: Compaction canceled.",
# "Error: Request was aborted.") or as done by the user: their act, not a failure.
CANCELED: tuple[Marker, ...] = (
    m("canceled", r"^[\W_]*(?:[A-Z]\w* )?Error:\s*(?:[\w'-]+ ){0,3}(?:was |has been )?"
                  r"(?:cancell?ed|aborted)\b[^\w]*$"
                  r"|\b(?:cancell?ed|aborted) by (?:the )?user\b", ci=True),
)


@dataclass(frozen=True)
class Keys:
    approve: tuple[str, ...]
    deny: tuple[str, ...]


@dataclass(frozen=True)
class Dialog:
    """How an approval dialog is built. Structure, not wording, decides (pitfall 2):
    a highlighted option row, a numbered block starting at 1, a question above it, the footer
    below it when the tool draws one, and no composer under it."""

    cursor: Rx | None = None  # the highlighted option row
    option: Rx | None = None  # any option row, highlighted or not
    footer: Rx | None = None  # searched in the rows under the options, joined
    footer_required: bool = True
    footer_alternative: Rx | None = None  # e.g. "(esc)" on an option where no footer is drawn
    titles: tuple[tuple[str, Rx], ...] = ()  # (dialog kind, title); first match names the kind
    standalone: tuple[tuple[str, Rx], ...] = ()  # footers that alone prove a dialog
    last_line: tuple[tuple[str, Rx], ...] = ()  # line-UI questions that must be the last row
    # A row under the options that says the tool still waits for the answer: the dialog is live
    # even with the composer drawn below it.
    waiting: Rx | None = None
    default_kind: str = "confirm"
    # Whether a list no profile describes can be a dialog (`agents/choice.py`): not in a shell,
    # where prompts and menus of other programs come and go.
    structural: bool = True


@dataclass(frozen=True)
class Profile:
    name: str
    # The process that runs the tool, matched against its program's path and name (and a
    # runner's script): only configured tools have one; the built-ins' are in `commands.py`.
    command: Rx | None = None
    # (pattern, weight) pairs: detect_tool sums the weights of the patterns found anywhere.
    signatures: tuple[tuple[Rx, int], ...] = ()
    # The input row. Framed composers (Claude, Gemini) sit right under a rule with another
    # rule below; unframed ones (Codex) must sit within `composer_window` bottom rows.
    composer: Rx | None = None
    composer_framed: bool = False
    # Newer Gemini frames its input with half-block rows instead of rules (0.61 on a true-colour
    # terminal: ▄ above, ▀ below, its prompt echo alike; older builds the other way round).
    composer_edges: bool = False
    # The input box may be a background colour alone, which a text capture shows as a blank
    # row above and below (Gemini 0.61 without true colour). With edges or padding, only the
    # composer has nothing but footer rows under its frame: the echo is framed the same.
    composer_padded: bool = False
    composer_window: int = 12
    # Line UIs (Aider, a shell): idle when the last row is this prompt.
    prompt_line: Rx | None = None
    # A user-prompt echo: the live region starts after the last one (pitfall 1).
    echo: Rx | None = None
    # The start of a new transcript entry; an error followed by one is history.
    item: Rx | None = None
    interrupted: tuple[Marker, ...] = ()
    working: tuple[Marker, ...] = ()  # status rows, above the composer
    working_window: int = 12
    working_footer: tuple[Marker, ...] = ()  # hints only meaningful under the composer
    working_joined: tuple[Marker, ...] = ()  # matched on the bottom rows joined (wrapping)
    finished: tuple[Marker, ...] = ()  # turn-over markers, evidence for idle and background
    retrying: tuple[Marker, ...] = ()  # blocked, and the agent is retrying by itself
    # The same, drawn under the input (opencode's footer row: the provider's error and
    # "[retrying in 2s attempt #2]" beside its spinner); read before any working hint.
    retrying_footer: tuple[Marker, ...] = ()
    failed: tuple[Marker, ...] = ()  # blocked, the turn is over until the person acts
    not_error: tuple[Rx, ...] = ()
    dialog: Dialog = field(default_factory=Dialog)
    # (pattern with group 1 = N, "left" | "used" | "none"); searched only in the footer rows.
    context: tuple[tuple[Rx, str], ...] = ()
    context_column: bool = False  # a `context` header row with `N% used` under it (Gemini)
    queue_row: Rx | None = None  # one row per queued prompt (Codex ↳)
    queue_header: Rx | None = None  # rows after it are queued prompts (Gemini)
    queue_more: Rx | None = None  # "... (+N more)"
    queue_hint: Rx | None = None  # proves at least one queued prompt (Claude placeholder)
    queue_block: Rx | None = None  # queued prompts drawn between spinner and composer (Claude)
    background: tuple[Rx, ...] = ()
    keys: Keys = field(default_factory=lambda: Keys((), ()))
    # The composer takes a prompt while the agent works and holds it for the next turn
    # (Codex and Claude Code queue it): the send gate may type into a working agent.
    types_while_working: bool = False
    # What the person types to make the tool take up its turn again after a transient error
    # (`API Error: 529`, a dropped stream): `orchestra send --nudge`. "" when it has none.
    continue_text: str = "continue"
    keys_by_dialog: tuple[tuple[str, Keys], ...] = ()

    def keys_for(self, dialog: str | None) -> Keys:
        for kind, keys in self.keys_by_dialog:
            if kind == dialog:
                return keys
        return self.keys


# Walls outside the agent: only read while the agent is at rest (no working marker), because a
# working agent quoting "No space left on device" from a test run is handling it, not stuck.
# Walls on the account side (usage limits, sign-in, credits) are in `agents/walls.py`.
WALLS: tuple[Marker, ...] = (
    m("disk full", r"\bNo space left on device\b|\bENOSPC\b"),
    m("merge conflict", r"^\s*CONFLICT \([\w/ -]+\): |Automatic merge failed; fix conflicts"),
    m("sandbox", r"\bRead-only file system\b|\bsandbox (?:denied|blocked|violation)\b", ci=True),
)
