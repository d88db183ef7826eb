"""The screen reader generalises by family (issue 12 item 5), and reads the person's own interrupt
as idle (issue 10 item 6): dialogs by structure, the last anchor wins, a live counter with an
interrupt hint whatever its glyph, account walls with their reset time, escape sequences, a
composer from one rule line. Screens are in tests/screens (written from the tools' sources);
the variations below are built from them so each rule is tested apart from the wording."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orchestra_tui import agents
from orchestra_tui.agents import AgentTracker, answer_keys, classify, fingerprint, reset_time
from orchestra_tui.models import Detection, State

SCREENS = Path(__file__).resolve().parent / "screens"
RULE = "─" * 60
CLAUDE_COMPOSER = f"{RULE}\n❯\u00a0\n{RULE}\n  ? for shortcuts"
CODEX_COMPOSER = "› Ask Codex to do anything\n\n  ? for shortcuts"
GEMINI_COMPOSER = ("╭" + "─" * 40 + "╮\n│ >   Type your message or @path/to/file │\n╰"
                   + "─" * 40 + "╯")


def screen(rel: str) -> str:
    return (SCREENS / rel).read_text(encoding="utf-8").split("\n", 4)[4]


def every_screen() -> list[Path]:
    return sorted([*SCREENS.glob("shared/*/*.txt"), *SCREENS.glob("*/*.txt")])


# --- the family screens say why ------------------------------------------------------------

@pytest.mark.parametrize(("rel", "reason", "dialog", "resumes_at"), [
    ("codex/approval-31.txt", 'approval: "Since this folder is version controlled', "trust", None),
    ("codex/approval-33.txt", 'approval: "Do you trust the contents', "trust", None),
    ("codex/approval-35.txt", "approval: ", "trust", None),
    ("codex/approval-37.txt", 'approval: "✨ Update available!', "choice", None),
    ("claude/approval-31.txt", 'approval: "Do you trust the files in this folder?"', "trust",
     None),
    ("claude/approval-33.txt", 'approval: "Do you want to allow Claude to fetch', "exec", None),
    ("gemini/approval-31.txt", 'approval: "Do you trust the files in this folder?"', "trust",
     None),
    ("codex/blocked-31.txt", "blocked: usage limit, resets 3:51 PM", None, "3:51 PM"),
    ("codex/blocked-33.txt", "blocked: usage limit, resets Sep 29th, 2026 12:55 AM", None,
     "Sep 29th, 2026 12:55 AM"),
    ("codex/blocked-35.txt", "blocked: quota", None, None),
    ("codex/blocked-37.txt", "blocked: sign-in", None, None),
    ("codex/blocked-39.txt", "blocked: sign-in", None, None),
    ("claude/blocked-31.txt", "blocked: usage limit, resets 3pm (Europe/Berlin)", None,
     "3pm (Europe/Berlin)"),
    ("claude/blocked-33.txt", "blocked: credits", None, None),
    ("claude/blocked-35.txt", "blocked: sign-in", None, None),
    ("claude/blocked-37.txt", "blocked: sign-in", None, None),
    ("gemini/blocked-31.txt", "blocked: usage limit, resets 2:00 PM", None, "2:00 PM"),
    ("gemini/blocked-33.txt", "blocked: sign-in", None, None),
    ("codex/idle-31.txt", 'idle: interrupted "■ Conversation interrupted', None, None),
    ("codex/idle-33.txt", 'idle: interrupted "■ Conversation interrupted', None, None),
    ("claude/idle-33.txt", 'idle: interrupted "⎿ Interrupted · What should Claude', None, None),
    ("claude/idle-15.txt", "idle: interrupted", None, None),
    ("claude/idle-17.txt", 'idle: interrupted "⎿ Interrupted by user"', None, None),
    ("claude/idle-61.txt", 'idle: interrupted "⎿ Interrupted · What should Claude', None, None),
    ("aider/idle-65.txt", 'idle: interrupted "^C again to exit"', None, None),
    ("aider/idle-75.txt", 'idle: interrupted "^C again to exit"', None, None),
    ("gemini/idle-15.txt", 'idle: interrupted "ℹRequest cancelled."', None, None),
    ("claude/idle-31.txt", "idle: composer", None, None),
    ("codex/idle-35.txt", "idle: composer", None, None),
    ("claude/working-31.txt", 'working: spinner "Wrangling… (12s', None, None),
    ("claude/working-33.txt", 'working: spinner "◆ Percolating… (1m 3s', None, None),
    ("gemini/working-31.txt", "working: status row", None, None),
])
def test_family_screen_reason(rel: str, reason: str, dialog: str | None,
                              resumes_at: str | None) -> None:
    detection = classify(screen(rel))
    assert detection.reason.startswith(reason), detection.reason
    assert (detection.dialog, detection.resumes_at) == (dialog, resumes_at)


@pytest.mark.parametrize(("rel", "keys"), [
    ("codex/approval-31.txt", (["1"], ["2"])),  # Enter takes the highlighted row: not safe
    ("codex/approval-37.txt", (["Enter"], ["Escape"])),
    ("claude/approval-31.txt", (["Enter"], ["Escape"])),
    ("gemini/approval-31.txt", (["Enter"], ["3"])),  # Escape would quit Gemini CLI
])
def test_trust_and_unknown_dialogs_are_answered_with_their_own_keys(rel, keys) -> None:
    detection = classify(screen(rel))
    approve = answer_keys(detection.tool, detection.dialog, approve=True)
    deny = answer_keys(detection.tool, detection.dialog, approve=False)
    assert (approve, deny) == keys


# --- a dialog by structure, including ones never seen --------------------------------------

UNSEEN = {  # dialog bodies no profile has a title for
    "claude": (" Connect to the new MCP server \"db\" from .mcp.json?\n\n"
               " ❯ 1. Use this server\n   2. Continue without it\n\n"
               " Enter to confirm · Esc to reject"),
    "codex": ("  Switch to the cheaper model for the rest of this task?\n\n"
              "› 1. Switch\n  2. Keep the current model\n\n"
              "  Press enter to confirm or esc to go back"),
    "gemini": ("╭" + "─" * 50 + "╮\n│ Restore the checkpoint from 10:42?                 │\n│"
               + " " * 50 + "│\n│ ● 1. Restore                                       │\n"
               "│   2. Keep the current files                        │\n╰" + "─" * 50 + "╯"),
}


@pytest.mark.parametrize("tool", sorted(UNSEEN))
def test_a_dialog_never_seen_is_recognised_by_its_structure(tool: str) -> None:
    detection = classify(UNSEEN[tool], tool)
    assert detection.state == State.APPROVAL, detection.reason
    assert detection.dialog in {"choice", "exec", "confirm"}


@pytest.mark.parametrize("body", [
    # an unnumbered list with a cursor and a footer that names enter and esc
    "  Resume which session?\n\n  ❯ fix-parser (2h ago)\n    add-tests (1d ago)\n\n"
    "  ↑/↓ to navigate · enter to select · esc to cancel",
    # a footer that names enter only
    " Update available: 2.1.50\n\n › 1. Update now\n   2. Later\n\n Press enter to continue",
    # no cursor drawn (the highlight is a colour, lost in `capture-pane -p`), descriptions under
    # the options, a footer whose hints have no "to"
    "  Which branch should the fix go to?\n\n  1. main\n     the release branch\n"
    "  2. next\n     the development branch\n\n  ↑↓ select  enter submit  esc dismiss",
])
def test_a_cursor_list_with_a_key_footer_is_a_dialog(body: str) -> None:
    assert classify(body, "claude").state == State.APPROVAL


@pytest.mark.parametrize("body", [
    # a settings picker shows its current value: a menu the person opened, not a request
    " Select model\n\n   1. Sonnet\n ❯ 2. Opus ✔\n\n Enter to confirm · Esc to exit",
    # a list with a cursor but neither a key footer nor a question
    " Recent files\n\n ❯ src/app.py\n   src/cli.py",
    # numbered options in the agent's prose, with the composer under them
    "⏺ Which one do you want?\n  ❯ 1. The parser\n    2. The tokenizer\n\n" + CLAUDE_COMPOSER,
    # numbers that do not start at 1
    " Pick one?\n\n ❯ 2. B\n   3. C\n\n Enter to confirm · Esc to cancel",
    # a numbered list under a question, with no cursor and no key footer: the agent's prose
    "⏺ Which one should I do first?\n  1. The parser\n  2. The tokenizer",
    # a numbered list above a working row that says "esc to interrupt"
    "⏺ Plan:\n  1. Read the parser\n  2. Fix it\n\n✻ Thinking… (3s · esc to interrupt)",
])
def test_lists_that_are_not_waiting_dialogs(body: str) -> None:
    assert classify(body, "claude").state != State.APPROVAL


# --- the last anchor wins --------------------------------------------------------------------

@pytest.mark.parametrize(("tool", "older", "chrome", "newer", "state"), [
    # an answered dialog above a live working row
    ("codex", "codex/approval-13.txt", None,
     "✔ You approved codex to run cargo test this time\n\n• Working (2s • esc to interrupt)"
     "\n\n" + CODEX_COMPOSER, State.WORKING),
    ("claude", "claude/approval-11.txt", None,
     "⏺ Bash(rm -rf build/)\n  ⎿  Running…\n\n✻ Thinking… (3s · esc to interrupt)\n\n"
     + CLAUDE_COMPOSER, State.WORKING),
    ("gemini", "gemini/approval-11.txt", None,
     " ✓  Shell ls\n\n⠼ Thinking... (esc to cancel, 2s)\n\n" + GEMINI_COMPOSER, State.WORKING),
    # a turn-over line below an older spinner
    ("claude", "claude/working-13.txt", "─" * 20, "✻ Cooked for 2m 3s\n\n" + CLAUDE_COMPOSER,
     State.IDLE),
    ("codex", "codex/working-11.txt", "› Summarize", "─ Worked for 1m 6s " + "─" * 20 + "\n\n"
     + CODEX_COMPOSER, State.IDLE),
    # the composer back under an answered dialog
    ("claude", "claude/approval-13.txt", None, "⏺ Trusted.\n\n" + CLAUDE_COMPOSER, State.IDLE),
    # a new prompt and a working row under an older usage-limit notice
    ("codex", "codex/blocked-31.txt", "› Ask Codex",
     "› continue\n\n• Working (4s • esc to interrupt)\n\n" + CODEX_COMPOSER, State.WORKING),
])
def test_the_last_anchor_wins(tool: str, older: str, chrome: str | None, newer: str,
                              state: State) -> None:
    """`older` read alone says something else; with its chrome (composer and footer, from the
    first row starting with `chrome`) taken off and `newer` drawn under it, `newer` decides."""
    text = screen(older)
    before = classify(text, tool)
    assert before.state != state
    rows = text.split("\n")
    if chrome is not None:
        rows = rows[:next(i for i, row in enumerate(rows) if row.startswith(chrome))]
    after = classify("\n".join(rows) + "\n\n" + newer, tool)
    assert after.state == state, after.reason


# --- a live counter with an interrupt hint is working, whatever the glyph --------------------

@pytest.mark.parametrize("glyph", ["", "● ", "◆ ", "⣾ ", "* ", "✻ ", "→ "])
@pytest.mark.parametrize("group", [
    "(12s · esc to interrupt)", "(1m 3s · ↓ 1.2k tokens · esc to interrupt)",
    "(2h 5m 1s · ctrl+c to interrupt)", "(45s · thinking · Esc to interrupt)",
])
def test_counter_with_an_interrupt_hint_is_working(glyph: str, group: str) -> None:
    body = f"⏺ Reading the parser.\n\n{glyph}Pondering… {group}\n\n{CLAUDE_COMPOSER}"
    detection = classify(body, "claude")
    assert detection.state == State.WORKING, detection.reason
    assert detection.elapsed_seconds is not None and detection.elapsed_seconds > 0


@pytest.mark.parametrize(("tool", "row", "composer"), [
    ("codex", "Updating the lockfile (7s • ctrl + c to interrupt)", CODEX_COMPOSER),
    ("gemini", "Consulting the docs (esc to cancel, 1m 2s)", GEMINI_COMPOSER),
    ("claude", "(23s · esc to interrupt)", CLAUDE_COMPOSER),
])
def test_a_counter_and_hint_with_no_known_status_wording(tool, row, composer) -> None:
    detection = classify(f"{row}\n\n{composer}", tool)
    assert detection.state == State.WORKING, detection.reason


@pytest.mark.parametrize("row", [
    "⏺ Reading 1 file… (ctrl+o to expand)",  # a tool row: no counter
    "✻ Brewed for 1h 14m 17s",  # the turn is over
    "  The build takes (about 12s and esc to interrupt does nothing) on CI.",  # prose, no hint
])
def test_rows_that_are_not_a_live_counter(row: str) -> None:
    assert classify(f"⏺ Done.\n{row}\n\n{CLAUDE_COMPOSER}", "claude").state == State.IDLE


# --- account walls --------------------------------------------------------------------------

@pytest.mark.parametrize(("tool", "notice", "label"), [
    ("claude", "  ⎿  You've hit your session limit · resets 12:50pm (UTC)", "usage limit"),
    ("claude", "  ⎿  Claude AI usage limit reached|1760000000", "usage limit"),
    ("claude", "  ⎿  5-hour limit reached ∙ resets 3pm", "usage limit"),
    ("claude", "  ⎿  API Error: 401 {\"type\":\"error\"} · Please run /login", "sign-in"),
    ("claude", "  ⎿  OAuth token has expired. Please obtain a new token.", "sign-in"),
    ("claude", "  ⎿  Not logged in · Please run /login", "sign-in"),
    ("codex", "■ You've hit your usage limit. Upgrade to Plus to continue using Codex "
              "(https://openai.com/chatgpt/pricing).", "usage limit"),
    ("codex", "■ To use Codex with your ChatGPT plan, upgrade to Plus: "
              "https://openai.com/chatgpt/pricing.", "credits"),
    ("codex", "■ We're currently experiencing high demand, which may cause temporary errors.",
     "capacity"),
    ("gemini", "✕ Usage limit reached for gemini-2.5-pro.", "usage limit"),
    ("gemini", "✕ Quota exceeded for quota metric 'Gemini 2.5 Pro Requests'", "quota"),
])
def test_account_walls_block_with_their_reason(tool: str, notice: str, label: str) -> None:
    composer = {"claude": CLAUDE_COMPOSER, "codex": CODEX_COMPOSER, "gemini": GEMINI_COMPOSER}
    detection = classify(f"{notice}\n\n{composer[tool]}", tool)
    assert detection.state == State.BLOCKED
    assert detection.reason.startswith(f"blocked: {label}"), detection.reason


@pytest.mark.parametrize("body", [
    # warnings that the limit is near
    "⏺ Done.\n\n" + CLAUDE_COMPOSER + "\n  Approaching usage limit · resets at 2am",
    "⏺ Done.\n  ⎿  You've used 90% of your weekly limit · resets Oct 12, 4am\n\n" + CLAUDE_COMPOSER,
    # the agent's prose quoting a wall
    "⏺ The detector now treats the text You've hit your usage limit as a wall.\n\n"
    + CLAUDE_COMPOSER,
])
def test_warnings_and_quotations_are_not_walls(body: str) -> None:
    assert classify(body, "claude").state == State.IDLE


@pytest.mark.parametrize(("text", "when"), [
    ("■ You've hit your usage limit. Try again at 3:51 PM.", "3:51 PM"),
    ("You've hit your limit · resets 8am (Europe/London)", "8am (Europe/London)"),
    ("or try again in 4 days 6 hours 37 minutes.", "in 4 days 6 hours 37 minutes"),
    ("Access resets at 2:00 PM PST.", "2:00 PM PST"),
    ("Claude usage limit reached. Your limit will reset at 3pm (America/New_York).",
     "3pm (America/New_York)"),
    ("You've hit your usage limit. Try again later.", None),
    ("Usage limit reached for gemini-2.5-pro.", None),
])
def test_reset_time(text: str, when: str | None) -> None:
    assert reset_time(text) == when


def test_the_tracker_carries_when_a_limit_resets() -> None:
    tracker = AgentTracker()
    limit = Detection(tool="codex", state=State.BLOCKED, reason="blocked: usage limit",
                      resumes_at="3:51 PM")
    assert tracker.observe(limit, "f1", now=0.0).resumes_at == "3:51 PM"
    idle = Detection(tool="codex", state=State.IDLE, reason="idle: composer")
    assert tracker.observe(idle, "f2", now=1.0).resumes_at is None


# --- escape sequences -------------------------------------------------------------------------

def colour(text: str) -> str:
    """`text` as `capture-pane -e` (and a raw pipe) could give it: SGR colours on every word,
    a title and a hyperlink (OSC), cursor hiding and erase-to-end-of-line."""
    words = re.sub(r"(\S+)", lambda w: f"\x1b[1;38;5;{len(w.group(1)) % 200}m{w.group(1)}"
                                       "\x1b[0m", text)
    rows = [f"{row}\x1b[K" for row in words.split("\n")]
    rows[0] = "\x1b]0;agent title\x07\x1b[?25l" + rows[0]
    return "\n".join(rows).replace("https://", "\x1b]8;;https://x\x07https://", 1)


@pytest.mark.parametrize("path", every_screen(),
                         ids=lambda p: str(p.relative_to(SCREENS).with_suffix("")))
def test_escape_sequences_change_nothing(path: Path) -> None:
    plain = path.read_text(encoding="utf-8").split("\n", 4)[4]
    for tool in (path.parent.name, None):
        assert classify(colour(plain), tool) == classify(plain, tool)
    assert fingerprint(colour(plain)) == fingerprint(plain)


# --- a composer from one rule line --------------------------------------------------------------

@pytest.mark.parametrize("body", [
    f"⏺ Done.\n\n❯\u00a0\n{RULE}\n  ? for shortcuts",  # no top rule
    f"⏺ Done.\n\n{RULE}\n❯\u00a0",  # no bottom rule, nothing under it
    f"⏺ Done.\n\n{RULE}\n❯\u00a0\n  ⏵⏵ accept edits on (shift+tab to cycle)",
])
def test_a_composer_is_recognised_from_one_rule(body: str) -> None:
    detection = classify(body, "claude")
    assert (detection.state, detection.reason) == (
        State.IDLE, 'idle: composer "❯" with no working marker')


def test_one_rule_above_a_dialog_option_is_not_a_composer() -> None:
    body = f" Do you want to proceed?\n{RULE}\n ❯ 1. Yes\n   2. No\n\n Esc to cancel"
    assert classify(body, "claude").state == State.APPROVAL


# --- one source for tool and shell names ------------------------------------------------------

def test_tool_and_shell_names_come_from_agents() -> None:
    import orchestra_tui.models as models

    assert not hasattr(models, "TOOLS")  # one source: agents
    assert set(agents.TOOL_NAMES) == set(agents.PROFILES)
    assert set(agents.agent_tools()) == set(agents.TOOL_NAMES) - {"shell"}
    assert agents.is_agent_tool("claude") and not agents.is_agent_tool("shell")
    assert {"bash", "zsh", "fish", "nu", "xonsh", "mksh"} <= agents.SHELLS
    assert agents.tool_from_command("/usr/bin/nu") == "shell"
    tracker = AgentTracker()
    working = Detection(tool="claude", state=State.WORKING, reason="working")
    assert tracker.observe(working, "f", 0.0, current_command="-xonsh").state == State.EXITED
