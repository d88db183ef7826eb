"""The tracker over time: explicit `now` values, never sleeping."""

from __future__ import annotations

from orchestra_tui.agents import AgentTracker, classify, fingerprint
from orchestra_tui.models import ContextTrend, Detection, State

RULE = "─" * 40
FROZEN = "⏺ Searching for 1 pattern… (ctrl+o to expand)\n✶ Seasoning… (10m 9s · ↑ 198 tokens)"


def claude_working(seconds: int, glyph: str = "✶") -> str:
    return (f"{glyph} Seasoning… ({seconds // 60}m {seconds % 60}s · ↑ 198 tokens)\n"
            f"{RULE}\n❯ \n{RULE}\n  esc to interrupt")


CLAUDE_IDLE = f"⏺ Done.\n\n{RULE}\n❯ \n{RULE}\n  ? for shortcuts"


def feed(tracker: AgentTracker, screen: str, now: float, tool: str = "claude", **kw):
    return tracker.observe(classify(screen, tool), fingerprint(screen), now, **kw)


def test_frozen_working_screen_becomes_stuck_after_the_threshold() -> None:
    tracker = AgentTracker(stuck_after=60.0)
    assert feed(tracker, FROZEN, 0.0).state == State.WORKING
    assert feed(tracker, FROZEN, 59.0).state == State.WORKING
    stuck = feed(tracker, FROZEN, 75.0)
    assert stuck.state == State.STUCK
    assert stuck.changed and stuck.since == 75.0
    assert stuck.reason == 'stuck: "✶ Seasoning… (10m 9s · ↑ 198 tokens)" frozen for 75s'


def test_spinner_glyph_animation_alone_does_not_count_as_progress() -> None:
    tracker = AgentTracker(stuck_after=60.0)
    for now, glyph in zip(range(0, 91, 10), "✶✻✽·✢✳✶✻✽·"):
        result = feed(tracker, claude_working(609, glyph), float(now))
    assert result.state == State.STUCK


def test_live_counter_is_not_stuck() -> None:
    tracker = AgentTracker(stuck_after=60.0)
    for second in range(0, 300, 5):
        result = feed(tracker, claude_working(600 + second), float(second))
        assert result.state == State.WORKING
    assert result.elapsed_seconds == 600 + 295


def test_stuck_recovers_when_the_screen_moves_again() -> None:
    tracker = AgentTracker(stuck_after=30.0)
    feed(tracker, claude_working(10), 0.0)
    assert feed(tracker, claude_working(10), 40.0).state == State.STUCK
    moving = feed(tracker, claude_working(51), 41.0)
    assert moving.state == State.WORKING and moving.changed


def test_idle_is_debounced_after_working() -> None:
    tracker = AgentTracker(idle_debounce=1.5)
    feed(tracker, claude_working(5), 0.0)
    settling = feed(tracker, CLAUDE_IDLE, 1.0)
    assert settling.state == State.WORKING
    assert "settling" in settling.reason
    assert feed(tracker, CLAUDE_IDLE, 2.0).state == State.WORKING
    idle = feed(tracker, CLAUDE_IDLE, 2.6)
    assert idle.state == State.IDLE and idle.changed and idle.since == 2.6
    assert idle.previous == State.WORKING  # the edge a queued prompt waits for


def test_a_streaming_pause_does_not_flap_to_idle() -> None:
    tracker = AgentTracker(idle_debounce=1.5)
    feed(tracker, claude_working(5), 0.0)
    assert feed(tracker, CLAUDE_IDLE, 1.0).state == State.WORKING
    assert feed(tracker, claude_working(7), 2.0).state == State.WORKING
    # The idle clock restarts after the agent worked again.
    assert feed(tracker, CLAUDE_IDLE, 3.0).state == State.WORKING
    assert feed(tracker, CLAUDE_IDLE, 4.6).state == State.IDLE


def test_first_idle_observation_is_reported_at_once() -> None:
    tracker = AgentTracker(idle_debounce=1.5)
    first = feed(tracker, CLAUDE_IDLE, 0.0)
    assert first.state == State.IDLE and first.changed


def test_exited_on_a_shell_in_the_foreground() -> None:
    tracker = AgentTracker()
    feed(tracker, CLAUDE_IDLE, 0.0, current_command="node")
    gone = feed(tracker, CLAUDE_IDLE, 1.0, current_command="bash")
    assert gone.state == State.EXITED and gone.changed
    assert "bash" in gone.reason
    # Later the screen shows only a shell prompt: still the agent that exited.
    shell_screen = "user@host:~/src$ "
    later = tracker.observe(classify(shell_screen), fingerprint(shell_screen), 2.0,
                            current_command="-zsh")
    assert later.state == State.EXITED and not later.changed


def test_a_shell_agent_at_its_prompt_has_not_exited() -> None:
    tracker = AgentTracker()
    result = feed(tracker, "user@host:~/src$ ", 0.0, tool="shell", current_command="bash")
    assert result.state == State.IDLE


def test_exited_on_a_dead_pane() -> None:
    tracker = AgentTracker()
    feed(tracker, claude_working(3), 0.0)
    dead = feed(tracker, claude_working(3), 1.0, pane_dead=True)
    assert dead.state == State.EXITED and dead.reason == "exited: the pane is dead"


def test_copy_mode_is_unknown() -> None:
    tracker = AgentTracker()
    feed(tracker, claude_working(3), 0.0)
    scrolled = feed(tracker, claude_working(3), 1.0, in_mode=True)
    assert scrolled.state == State.UNKNOWN and "copy mode" in scrolled.reason
    assert feed(tracker, claude_working(5), 2.0).state == State.WORKING


def _with_context(value: int | None) -> Detection:
    return Detection(tool="claude", state=State.IDLE, context_left=value, reason="idle: test")


def test_context_trend_and_last_known_value() -> None:
    tracker = AgentTracker(trend_window=600.0)
    first = tracker.observe(_with_context(80), "a", 0.0)
    assert first.context_trend == ContextTrend.UNKNOWN and first.context_left == 80
    assert tracker.observe(_with_context(80), "a", 10.0).context_trend == ContextTrend.FLAT
    falling = tracker.observe(_with_context(60), "b", 20.0)
    assert falling.context_trend == ContextTrend.FALLING
    # The indicator disappears: the last value stays, with the time it was read.
    hidden = tracker.observe(_with_context(None), "c", 30.0)
    assert hidden.context_left == 60 and hidden.context_at == 20.0
    rising = tracker.observe(_with_context(95), "d", 40.0)  # compacted
    assert rising.context_trend == ContextTrend.RISING and rising.context_at == 40.0
    # A change older than the window is no trend any more.
    assert tracker.observe(_with_context(95), "d", 700.0).context_trend == ContextTrend.FLAT


def test_aider_streaming_without_a_marker_is_working_while_it_changes() -> None:
    tracker = AgentTracker(quiet_after=3.0)
    base = "─" * 40 + "\n> add type hints\n\nHere are the changes:\n"
    assert feed(tracker, base + "def a", 0.0, tool="aider").state == State.UNKNOWN
    assert feed(tracker, base + "def ab", 1.0, tool="aider").state == State.WORKING
    assert feed(tracker, base + "def abc", 2.0, tool="aider").state == State.WORKING
    # The stream stops without a prompt: after the quiet period nothing says it works.
    assert feed(tracker, base + "def abc", 6.0, tool="aider").state == State.UNKNOWN
    prompt = feed(tracker, base + "def abc\n" + "─" * 40 + "\n> ", 7.0, tool="aider")
    assert prompt.state == State.IDLE


def test_passes_through_detection_details() -> None:
    tracker = AgentTracker()
    detection = Detection(tool="codex", state=State.APPROVAL, reason="approval: x",
                          dialog="exec", queued=2, background=True)
    result = tracker.observe(detection, "f", 0.0)
    assert (result.dialog, result.queued, result.background, result.tool) == (
        "exec", 2, True, "codex")
    assert tracker.last is result


def test_idle_is_debounced_after_an_answered_dialog_too() -> None:
    """`y` closes the dialog; a real model's spinner takes a moment to come back. The idle
    composer in between is not the turn's end: a queued prompt must not go in then."""
    tracker = AgentTracker(idle_debounce=1.5)
    dialog = ("Bash command\n\n  terraform plan\n\nDo you want to proceed?\n❯ 1. Yes\n"
              "  2. No, and tell Claude what to do differently (esc)\n\n"
              "Esc to cancel · Tab to amend")
    assert feed(tracker, dialog, 0.0).state == State.APPROVAL
    settling = feed(tracker, CLAUDE_IDLE, 1.0)
    assert settling.state == State.WORKING and "settling" in settling.reason
    assert feed(tracker, CLAUDE_IDLE, 2.0).state == State.WORKING
    assert feed(tracker, CLAUDE_IDLE, 2.6).state == State.IDLE
