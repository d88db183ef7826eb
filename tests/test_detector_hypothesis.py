"""The detector never raises, whatever the pane holds: control characters, huge rows, only box
drawing, half a dialog."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestra_tui.agents import (
    TOOL_NAMES,
    AgentTracker,
    answer_keys,
    classify,
    detect_tool,
    draft_pending,
    fingerprint,
    tool_from_command,
)
from orchestra_tui.models import Detection, State

TOOL_CHOICES = st.sampled_from([*TOOL_NAMES, None, "auto", "nonsense"])
# Fragments the detector looks for, so random screens reach the deep branches too.
FRAGMENTS = st.sampled_from([
    "─" * 30, "╭──────╮", "╰──────╯", "│ > ", "❯ ", "› ", "▌ ", "> ", "• Working (1s • esc ",
    "esc to interrupt", "(esc to cancel, 5s)", "cancel, 5s)", "✶ Seasoning… (1m 2s)",
    "❯ 1. Yes", "  2. No", "› 1. Yes, proceed (y)", "● 1. Allow once", "○ No (esc)",
    "Do you want to proceed?", "Press enter to confirm or esc to cancel", "Esc to cancel",
    "■ Conversation interrupted", "⏺ API Error: 529", "Retrying in 2.0 seconds...", "✕ ",
    "(Y)es/(N)o [Yes]: ", "Queued (press ↑ to edit):", "... (+3 more)", "  ↳ queued",
    "Context left until auto-compact: 5%", "workspace   context", "12% used",
    "\u00a0", "\u2019", "\x1b[31m", "\r", "\t", "\x00", "\x7f", "\u2800", "█▄▀",
    "\x1b]8;;https://x\x07", "\x1b]0;title", "\x1bP", "\x1b", "\x9b1m", "\x1b[?25l",
    "(12s · esc to interrupt)", "(esc to cancel, 1m 2s)", "Press enter to continue",
    "■ You've hit your usage limit. Try again at 3:51 PM.", "· resets 3pm (UTC)",
    "Please run /login", "■ Conversation interrupted", "⎿  Interrupted by user",
    "› 1. Yes, continue", "  2. No, quit", "❯ Yes", "  No", "● 1. Trust folder (x)", "✔",
    "Claude AI usage limit reached|99999999999", "Enter to confirm · Esc to exit",
])
SCREENS = st.one_of(
    st.text(),
    st.lists(st.one_of(st.text(max_size=40), FRAGMENTS), max_size=60).map("\n".join),
    st.text(alphabet="│╭╮╰╯─━═┃║█▄▀ \n", max_size=400),
    st.integers(1, 20_000).map(lambda n: "x" * n),
    st.lists(FRAGMENTS, max_size=80).map(" ".join),
)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(SCREENS, TOOL_CHOICES)
def test_classify_never_raises(screen: str, tool: str | None) -> None:
    detection = classify(screen, tool)
    assert isinstance(detection.state, State)
    assert detection.state not in (State.STUCK, State.EXITED)
    assert detection.context_left is None or 0 <= detection.context_left <= 100
    assert detection.queued is None or detection.queued > 0
    assert "\n" not in detection.reason
    assert detection.reason.startswith(detection.state.value), detection.reason
    assert detection.resumes_at is None or (
        detection.state == State.BLOCKED and "\n" not in detection.resumes_at)
    assert detection.dialog is None or detection.state == State.APPROVAL
    detect_tool(screen)


@FAST
@given(SCREENS)
def test_fingerprint_never_raises_and_is_stable(screen: str) -> None:
    value = fingerprint(screen)
    assert value == fingerprint(screen) and len(value) == 20


@FAST
@given(SCREENS, st.one_of(st.text(), FRAGMENTS))
def test_draft_pending_never_raises(screen: str, text: str) -> None:
    assert draft_pending(screen, text) in (True, False)


@FAST
@given(st.text())
def test_tool_from_command_never_raises(argv: str) -> None:
    assert tool_from_command(argv) in (*TOOL_NAMES, None)


@FAST
@given(st.text(), st.one_of(st.none(), st.text()), st.booleans())
def test_answer_keys_never_raise(tool: str, dialog: str | None, approve: bool) -> None:
    assert isinstance(answer_keys(tool, dialog, approve), list)


@FAST
@given(st.lists(st.tuples(SCREENS, st.floats(0, 10), st.booleans(), st.booleans(),
                          st.sampled_from([None, "bash", "node", "codex", "-zsh", ""])),
                max_size=12), TOOL_CHOICES)
def test_tracker_never_raises(steps, tool) -> None:
    tracker = AgentTracker(stuck_after=5.0)
    now = 0.0
    for screen, step, dead, in_mode, command in steps:
        now += step
        detection: Detection = classify(screen, tool)
        tracked = tracker.observe(detection, fingerprint(screen), now, pane_dead=dead,
                                  current_command=command, in_mode=in_mode)
        assert tracked.since <= now
