"""The state detector on real screens (tests/screens/shared) and on regression screens built from
the tools' own sources (tests/screens/<tool>): state, context left and queue length must equal
each file's header, with the tool given and with the tool recognised from the screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestra_tui.agents import (
    answer_keys,
    classify,
    detect_tool,
    draft_pending,
    fingerprint,
    tool_from_command,
)
from orchestra_tui.agents.text import parse_duration
from orchestra_tui.models import State

OWN = Path(__file__).resolve().parent / "screens"
SHARED = OWN / "shared"


def _screens(root: Path) -> list[Path]:
    return sorted(root.glob("*/*.txt")) if root.is_dir() else []


def _read(path: Path) -> tuple[dict[str, str], str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    header = {}
    for line in lines[:4]:
        key, _, value = line.removeprefix("#").partition(":")
        header[key.strip()] = value.strip()
    return header, "\n".join(lines[4:])


def _expected(header: dict[str, str]) -> tuple[str, int | None, int | None]:
    def number(value: str) -> int | None:
        return None if value == "none" else int(value)
    return header["state"], number(header["context_left"]), number(header["queued"])


def _check(path: Path, tool: str | None) -> None:
    header, screen = _read(path)
    detection = classify(screen, tool)
    got = (detection.state.value, detection.context_left, detection.queued)
    assert got == _expected(header), detection.reason
    assert detection.tool == path.parent.name
    assert detection.reason.startswith(detection.state.value), detection.reason
    assert "\n" not in detection.reason


shared = _screens(SHARED)
own = _screens(OWN)


def test_the_real_screens_are_in_the_repository() -> None:
    assert {p.parent.name for p in shared} == {"codex", "claude", "gemini", "aider"}
    assert len(shared) >= 35


@pytest.mark.parametrize("path", shared, ids=[f"{p.parent.name}/{p.stem}" for p in shared])
@pytest.mark.parametrize("given", [True, False], ids=["tool-given", "tool-recognised"])
def test_shared_screen(path: Path, given: bool) -> None:
    _check(path, path.parent.name if given else None)


@pytest.mark.parametrize("path", own, ids=[f"{p.parent.name}/{p.stem}" for p in own])
@pytest.mark.parametrize("given", [True, False], ids=["tool-given", "tool-recognised"])
def test_regression_screen(path: Path, given: bool) -> None:
    _check(path, path.parent.name if given else None)


def test_regression_screens_cover_every_tool_and_state() -> None:
    seen = {(p.parent.name, p.stem.rsplit("-", 1)[0]) for p in own}
    for tool in ("codex", "claude", "gemini", "aider"):
        for state in ("working", "idle", "approval", "blocked"):
            assert (tool, state) in seen, (tool, state)


# --- details the headers do not carry ------------------------------------------------------

def _screen(rel: str) -> str:
    path = OWN / rel
    return _read(path)[1]


@pytest.mark.parametrize(("rel", "elapsed"), [
    ("codex/working-11.txt", 65),
    ("codex/working-17.txt", 3915),
    ("claude/working-13.txt", 114),
    ("gemini/working-15.txt", 72),
    ("gemini/working-13.txt", 5),
    ("claude/working-15.txt", None),
])
def test_elapsed_seconds_from_the_working_row(rel: str, elapsed: int | None) -> None:
    assert classify(_screen(rel)).elapsed_seconds == elapsed


@pytest.mark.parametrize(("rel", "background"), [
    ("codex/working-19.txt", True),
    ("claude/idle-21.txt", True),
    ("codex/working-11.txt", False),
    ("claude/idle-13.txt", False),
])
def test_background_sub_flag(rel: str, background: bool) -> None:
    assert classify(_screen(rel)).background is background


@pytest.mark.parametrize(("rel", "dialog"), [
    ("codex/approval-11.txt", "exec"),
    ("codex/approval-13.txt", "exec"),
    ("codex/approval-15.txt", "network"),
    ("codex/approval-17.txt", "question"),
    ("claude/approval-13.txt", "trust"),
    ("claude/approval-17.txt", "plan"),
    ("gemini/approval-11.txt", "exec"),
    ("aider/approval-11.txt", "confirm"),
])
def test_dialog_kind(rel: str, dialog: str) -> None:
    assert classify(_screen(rel)).dialog == dialog


def test_reason_quotes_the_evidence() -> None:
    codex = classify(_screen("codex/approval-13.txt"), "codex")
    assert codex.reason == 'approval: "Would you like to run the following command?" dialog'
    working = classify("• Working (12s • esc to interrupt)", "codex")
    assert working.reason == 'working: status row "• Working (12s • esc to interrupt)"'


def test_unrecognised_screen_is_unknown() -> None:
    detection = classify("just some text\nwith nothing in it")
    assert detection.state == State.UNKNOWN
    assert detection.tool == "unknown"
    assert detect_tool("just some text") is None
    assert classify("", "codex").state == State.UNKNOWN


def test_shell_prompt_is_recognised() -> None:
    assert detect_tool("total 0\nuser@host:~/src$ ") == "shell"
    assert classify("$ ", "shell").state == State.IDLE
    assert classify("make\ncompiling foo.c", "shell").state == State.UNKNOWN


@pytest.mark.parametrize(("text", "seconds"), [
    ("12s", 12), ("1m 05s", 65), ("1h 05m 15s", 3915), ("2h 3m", 7380), ("0s", 0),
    ("", None), ("soon", None),
])
def test_parse_duration(text: str, seconds: int | None) -> None:
    assert parse_duration(text) == seconds


# --- fingerprint ---------------------------------------------------------------------------

def test_fingerprint_masks_animation_but_not_the_counter() -> None:
    frames = [f"{glyph} Wrangling… (38m 52s · ↓ 59.0k tokens)\n❯ \n" for glyph in "·✢✳✶✻✽*"]
    assert len({fingerprint(frame) for frame in frames}) == 1
    assert fingerprint("• Working (3s • esc to interrupt)") == fingerprint(
        "◦ Working (3s • esc to interrupt)")
    assert fingerprint("⠋ Thinking... (esc to cancel, 5s)") == fingerprint(
        "⠏ Thinking... (esc to cancel, 5s)")
    assert fingerprint("✢ Wrangling… (38m 52s)") != fingerprint("✢ Wrangling… (38m 53s)")


def test_fingerprint_ignores_trailing_blanks_and_nbsp() -> None:
    assert fingerprint("❯\u00a0\n\n\n") == fingerprint("❯ ")
    assert fingerprint("a\nb") != fingerprint("a\nc")


def test_fingerprint_masks_codex_braille_sparkles() -> None:
    assert fingerprint("⠁   › Ask Codex to do anything   ⠂") == fingerprint(
        "⠄   › Ask Codex to do anything   ⡀")


# --- tool_from_command ---------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "tool"), [
    ("node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js", "claude"),
    ("claude --dangerously-skip-permissions", "claude"),
    ("codex", "codex"),
    ("/opt/homebrew/bin/codex --yolo", "codex"),
    ("node /usr/lib/node_modules/@openai/codex/bin/codex.js", "codex"),
    ("codex-x86_64-unknown-linux-musl", "codex"),
    ("/usr/bin/python3 -m aider", "aider"),
    ("/home/u/.local/bin/aider --model gpt-4o", "aider"),
    ("gemini", "gemini"),
    ("node /usr/local/lib/node_modules/@google/gemini-cli/dist/index.js", "gemini"),
    ("npx @google/gemini-cli", "gemini"),
    ("python -m orchestra_tui.demo.fake_agent --flavor codex", "codex"),
    ("python -m orchestra_tui.demo.fake_agent --flavor claude", "claude"),
    ("/work/.venv/bin/python -m orchestra_tui.demo.fake_agent --flavor=claude", "claude"),
    ("bash", "shell"),
    ("-zsh", "shell"),
    ("/bin/fish", "shell"),
    ("vim", None),
    ("grep claude notes.md", None),
    ("less codex.log", None),
    ("", None),
])
def test_tool_from_command(argv: str, tool: str | None) -> None:
    assert tool_from_command(argv) == tool


# --- draft_pending -------------------------------------------------------------------------

RULE = "─" * 40


@pytest.mark.parametrize(("screen", "text", "pending"), [
    ("› fix the flaky test\n\n  ? for shortcuts", "fix the flaky test", True),
    ("› Ask Codex to do anything\n\n  ? for shortcuts", "fix the flaky test", False),
    (f"{RULE}\n❯\u00a0fix the flaky test\n{RULE}\n  ? for shortcuts", "fix the flaky test", True),
    (f"{RULE}\n❯\u00a0\n{RULE}\n  ? for shortcuts", "fix the flaky test", False),
    # Claude's queued prompt sits above the composer: delivered, not pending.
    (f"✢ Wrangling… (3s)\n\n❯ fix the flaky test\n\n{RULE}\n❯\u00a0\n{RULE}\n  esc to interrupt",
     "fix the flaky test", False),
    # Codex's queued follow-up (↳) is delivered too.
    ("• Working (3s • esc to interrupt)\n  ↳ fix the flaky test\n\n› Ask Codex to do anything",
     "fix the flaky test", False),
    ("│ > fix the flaky test                │", "fix the flaky test", True),
    ("architect> fix the flaky test", "fix the flaky test", True),
    (f"{RULE}\n❯\u00a0[Pasted text #1 +42 lines]\n{RULE}", "line one\nline two", True),
    ("› [Pasted Content 1234 chars]\n\n  ? for shortcuts", "x" * 1234, True),
    # A long draft the composer wrapped over two rows.
    ("› please rewrite the parser so that it handles\n  nested brackets correctly\n",
     "please rewrite the parser so that it handles nested brackets correctly", True),
    ("› only the last line of a\n  multi-line prompt matters", "first\nmulti-line prompt matters",
     True),
    ("", "anything", False),
    ("› something", "", False),
])
def test_draft_pending(screen: str, text: str, pending: bool) -> None:
    assert draft_pending(screen, text) is pending


# --- answer keys ---------------------------------------------------------------------------

@pytest.mark.parametrize(("tool", "dialog", "approve", "keys"), [
    ("codex", "exec", True, ["y"]),
    ("codex", "exec", False, ["Escape"]),
    ("codex", "edit", True, ["y"]),
    ("codex", "trust", True, ["1"]),
    ("codex", "trust", False, ["2"]),
    ("codex", "choice", True, ["Enter"]),
    ("gemini", "trust", True, ["Enter"]),
    ("gemini", "trust", False, ["3"]),
    ("claude", "trust", True, ["Enter"]),
    ("codex", "question", True, ["Enter"]),
    ("claude", "exec", True, ["Enter"]),
    ("claude", "exec", False, ["Escape"]),
    ("claude", None, True, ["Enter"]),
    ("gemini", "edit", True, ["Enter"]),
    ("gemini", "edit", False, ["Escape"]),
    ("aider", "confirm", True, ["y", "Enter"]),
    ("aider", "confirm", False, ["n", "Enter"]),
    ("shell", None, True, []),
    ("nonsense", "exec", True, []),
])
def test_answer_keys(tool: str, dialog: str | None, approve: bool, keys: list[str]) -> None:
    assert answer_keys(tool, dialog, approve) == keys


# --- dialog structure beyond the header screens -------------------------------------------

CLAUDE_PLAN_PICKER = "\n".join([  # ccmux pane-classify test, Claude Code 2.1.211 shape
    "  " + "─" * 46,
    "   Claude has written up a plan and is ready to execute. Would you like to proceed?",
    "",
    "   ❯ 1. Yes, and use auto mode",
    "     2. Yes, manually approve edits",
    "     3. No, refine with Ultraplan on Claude Code on the web",
    "     4. Tell Claude what to change",
    "",
    "   ctrl+g to edit in  Nvim  · ~/.claude/plans/plan-lexical-twilight.md",
])
CLAUDE_MODEL_PICKER = "\n".join([  # claudeless v2.1.23 model_picker: a menu, not a question
    "─" * 60,
    " Select model",
    " Switch between Claude models. Applies to this session and future Claude Code",
    "",
    "   1. Default (recommended)  Opus 4.5 · Most capable for complex work",
    "   2. Sonnet                 Sonnet 4.5 · Best for everyday tasks",
    " ❯ 3. Haiku ✔                Haiku 4.5 · Fastest for quick answers",
    "",
    " Enter to confirm · Esc to exit",
])


def test_a_known_title_stands_in_for_a_missing_footer() -> None:
    plan = classify(CLAUDE_PLAN_PICKER, "claude")
    assert (plan.state, plan.dialog) == (State.APPROVAL, "plan")
    single = classify("  Would you like to grant these permissions?\n\n"
                      "› 1. Yes, and allow these permissions for this session", "codex")
    assert (single.state, single.dialog) == (State.APPROVAL, "permissions")


def test_a_settings_menu_is_not_an_approval() -> None:
    assert classify(CLAUDE_MODEL_PICKER, "claude").state != State.APPROVAL


def test_a_dialog_above_a_live_composer_is_history() -> None:
    screen = _screen("claude/approval-13.txt") + "\n⏺ Trusted.\n" + "─" * 40 + "\n❯ \n" + \
        "─" * 40 + "\n  ? for shortcuts"
    assert classify(screen, "claude").state == State.IDLE


def test_docstring_examples() -> None:
    import doctest

    import orchestra_tui.agents as agents
    result = doctest.testmod(agents)
    assert result.attempted > 0 and result.failed == 0


def test_codex_sparkle_rows_do_not_hide_the_composer() -> None:
    screen = "• Done.\n\n  ⠁        ⠂\n› Ask Codex to do anything\n    ⠄\n  ? for shortcuts"
    assert classify(screen, "codex").state == State.IDLE
