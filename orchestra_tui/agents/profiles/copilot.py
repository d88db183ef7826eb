"""GitHub Copilot CLI (npm `@github/copilot`; an Ink TUI). Strings from real captures of
1.0.102 run offline with its own provider settings (`COPILOT_PROVIDER_BASE_URL` to
tests/fake_openai_chat_api.py, `COPILOT_OFFLINE=1`: no GitHub sign-in) and from its bundle.
Like Claude Code it frames the composer `❯` between rules and asks in a numbered list under
"↑/↓ to navigate · enter to select · esc to cancel"; its status ("● Working", "● Cancelling")
sits under the bottom rule, where Claude draws its footer.
"""

from __future__ import annotations

from orchestra_tui.agents.profiles.base import CANCELED, Dialog, Keys, Profile, m, rx

PROFILE = Profile(
    name="copilot",
    signatures=(
        (rx(r"\bCopilot\b"), 6),
        (rx(r"GitHub Copilot|Copilot v\d"), 4),
        (rx(r"open sidebar · "), 5),
        (rx(r"Manual Approval|Autopilot"), 3),
        (rx(r"^\s*\S Working esc esc "), 5),
        (rx(r"COPILOT_PROVIDER_|copilot-instructions\.md"), 5),
        (rx(r"^\s*/\S+ \[⎇ \S+\]$"), 4),
        (rx(r"↑/↓ to navigate · enter to select · esc to cancel"), 3),
    ),
    composer=rx(r"^\s*❯(?: |$)"),
    composer_framed=True,
    # " ❯ say hello        02:09": the prompt echo carries the time it was sent.
    echo=rx(r"^\s*❯ (?!\d+\.\s)\S"),
    item=rx(r"^\s*[●✗$] \S"),
    interrupted=(*CANCELED,),
    working=(),
    working_footer=(
        m("footer", r"^\s*\S Working\b", needs=("Working",)),
        m("footer", r"^\s*\S Cancelling\b", needs=("Cancelling",)),
    ),
    failed=(m("error", r"^\s*✗ \S"),),
    dialog=Dialog(
        cursor=rx(r"^\s*❯\s*\d+\.\s+\S"),
        option=rx(r"^\s*(?:❯\s*)?\d+\.\s+\S"),
        footer=rx(r"enter to select|esc to cancel", ci=True),
        titles=(
            ("trust", rx(r"Do you trust the files in this folder\?|Confirm folder trust")),
            ("exec", rx(r"Do you want to run this command\?")),
            ("edit", rx(r"Do you want to (?:make|apply) (?:this|these) (?:edit|change)s?\?"
                        r"|Do you want to (?:create|edit) ")),
        ),
        default_kind="exec",
    ),
    # The cursor starts on "1. Yes"; Esc is "No, and tell Copilot what to do differently".
    keys=Keys(approve=("Enter",), deny=("Escape",)),
    keys_by_dialog=(
        # "3. No (Esc)" on the trust dialog: Esc quits nothing there, it declines.
        ("trust", Keys(approve=("Enter",), deny=("Escape",))),
    ),
    types_while_working=True,
)
