"""What hook events mean (agents.hook_events) and the per-pane log the app reads them from
(services.hook_log): new events since the last read, a recent tail first, rotation, torn lines,
and the nudge socket."""

from __future__ import annotations

import json
import os
import pathlib

import pytest

from orchestra_tui.agents.hook_events import HookEvent, meaning, state_of
from orchestra_tui.models import State
from orchestra_tui.services.hooks import log as hook_log
from orchestra_tui.services.hooks.log import (
    HookLog,
    NudgeListener,
    append_event,
    log_path,
    nudge,
    socket_path,
)


def event(name: str, at: float = 1.0, detail: str = "", **fields: str) -> HookEvent:
    return HookEvent(at=at, event=name, tool=fields.pop("tool", "claude"), pane_id="%1",
                     detail=detail, **fields)


@pytest.mark.parametrize("name,detail,state", [
    ("SessionStart", "startup", State.IDLE),
    ("SessionStart", "compact", None),
    ("UserPromptSubmit", "", State.WORKING),
    ("PreToolUse", "Bash", State.WORKING),
    ("PermissionRequest", "Bash", State.APPROVAL),
    ("Notification", "permission_prompt", State.APPROVAL),
    ("Notification", "idle_prompt", State.IDLE),
    ("Notification", "auth_success", None),
    ("PostToolUse", "Bash", State.WORKING),
    ("Stop", "", State.IDLE),
    ("StopFailure", "rate_limit", State.BLOCKED),
    ("SessionEnd", "prompt_input_exit", State.EXITED),
    ("SessionEnd", "clear", None),
    ("SubagentStop", "", None),
    ("BeforeAgent", "", State.WORKING),
    ("BeforeTool", "run_shell_command", State.WORKING),
    ("Notification", "ToolPermission", State.APPROVAL),
    ("AfterAgent", "", State.IDLE),
    ("agent-turn-complete", "", State.IDLE),
    ("SomethingNew", "", None),
])
def test_what_one_event_means(name: str, detail: str, state: State | None) -> None:
    told = meaning(event(name, detail=detail))
    assert (told[0] if told else None) == state


def test_the_latest_telling_event_decides_with_its_age() -> None:
    events = [event("UserPromptSubmit", 10.0), event("PermissionRequest", 11.0, "Bash"),
              event("PostToolUse", 14.0, "Bash"), event("SubagentStop", 15.0),
              event("Stop", 16.0)]
    reading = state_of(events, now=20.0)
    assert (reading.state, reading.event, reading.age) == (State.IDLE, "Stop", 4.0)
    reading = state_of(events[:2], now=12.5)
    assert reading.state is State.APPROVAL and reading.reason == "hook: PermissionRequest (Bash)"
    assert state_of([event("SubagentStop")], now=2.0) is None
    assert state_of([], now=2.0) is None


def test_codex_notify_of_a_side_thread_is_not_the_persons_turn_ending() -> None:
    """Codex 0.171 calls its notify program when the title it generates for a new session is
    done, in the middle of the person's first turn: another thread id than the hooks'."""
    turn = [event("UserPromptSubmit", 1.0, tool="codex", session_id="main"),
            event("PreToolUse", 2.0, "Bash", tool="codex", session_id="main"),
            event("agent-turn-complete", 3.0, tool="codex", session_id="title")]
    assert state_of(turn, now=4.0).state is State.WORKING
    ended = [*turn, event("agent-turn-complete", 5.0, tool="codex", session_id="main")]
    assert state_of(ended, now=6.0).state is State.IDLE
    notify_only = [event("agent-turn-complete", 3.0, tool="codex", session_id="any")]
    assert state_of(notify_only, now=4.0).state is State.IDLE


def test_a_denied_command_reads_working_with_the_rule() -> None:
    told = meaning(event("PreToolUse", detail="Bash", denied="terraform destroy"))
    assert told == (State.WORKING, "hook: denied terraform destroy before it ran")


def test_records_that_are_not_events_are_skipped() -> None:
    assert HookEvent.from_record({"event": "Stop"}) is None
    assert HookEvent.from_record({"at": True, "event": "Stop"}) is None
    assert HookEvent.from_record({"at": 1, "event": 3}) is None
    assert HookEvent.from_record({"at": 1, "event": "Stop", "detail": 5}).detail == ""


def test_read_new_returns_each_event_once(tmp_path: pathlib.Path) -> None:
    log = HookLog(tmp_path)
    assert log.read_new("%4") == []
    for number, name in enumerate(("SessionStart", "UserPromptSubmit")):
        append_event(tmp_path, "%4", {"at": float(number), "event": name, "pane": "%4"})
    assert [e.event for e in log.read_new("%4")] == ["SessionStart", "UserPromptSubmit"]
    assert log.read_new("%4") == []
    append_event(tmp_path, "%4", {"at": 3.0, "event": "Stop", "pane": "%4"})
    assert [e.event for e in log.read_new("%4")] == ["Stop"]
    assert log.read_new("%5") == [] and log.read_new("not-a-pane") == []


def test_a_first_read_returns_only_the_recent_tail(tmp_path: pathlib.Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hook_log, "TAIL_BYTES", 300)
    for number in range(50):
        append_event(tmp_path, "%2", {"at": float(number), "event": "PreToolUse", "n": number})
    events = HookLog(tmp_path).read_new("%2")
    assert 0 < len(events) < 10 and events[-1].at == 49.0
    assert [e.at for e in events] == sorted(e.at for e in events)


def test_a_torn_last_line_waits_for_its_end(tmp_path: pathlib.Path) -> None:
    path = log_path(tmp_path, "%9")
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"at": 1, "event": "Stop"}\n{"at": 2, "ev')
    log = HookLog(tmp_path)
    assert [e.at for e in log.read_new("%9")] == [1.0]
    with open(path, "ab") as handle:
        handle.write(b'ent": "UserPromptSubmit"}\nnot json\n')
    assert [e.event for e in log.read_new("%9")] == ["UserPromptSubmit"]


def test_rotation_is_noticed_and_the_new_file_read_whole(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hook_log, "MAX_BYTES", 200)
    log = HookLog(tmp_path)
    for number in range(6):
        append_event(tmp_path, "%3", {"at": float(number), "event": "PreToolUse"})
    seen = [e.at for e in log.read_new("%3")]
    for number in range(6, 12):
        append_event(tmp_path, "%3", {"at": float(number), "event": "PreToolUse"})
        seen += [e.at for e in log.read_new("%3")]
    assert seen == [float(n) for n in range(12)]
    assert log_path(tmp_path, "%3").with_name("pane-3.jsonl.1").exists()


def test_events_of_another_tmux_server_are_left_out(tmp_path: pathlib.Path) -> None:
    append_event(tmp_path, "%1", {"at": 1.0, "event": "Stop", "tmux": "/tmp/tmux-0/other"})
    append_event(tmp_path, "%1", {"at": 2.0, "event": "Stop", "tmux": "/tmp/tmux-0/mine"})
    events = HookLog(tmp_path).read_new("%1", tmux_socket="/tmp/tmux-0/mine")
    assert [e.at for e in events] == [2.0]


def test_log_lines_are_private_and_one_json_object_each(tmp_path: pathlib.Path) -> None:
    append_event(tmp_path, "%1", {"at": 1.0, "event": "Stop", "text": "line\nbreak ✓"})
    path = log_path(tmp_path, "%1")
    assert path.stat().st_mode & 0o777 == 0o600
    assert [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()] == [
        "line\nbreak ✓"]


def test_a_nudge_reaches_a_listening_app_and_is_harmless_without_one(
        tmp_path: pathlib.Path) -> None:
    assert nudge(tmp_path, "%1") is False
    listener = NudgeListener.open(tmp_path)
    assert listener is not None
    try:
        assert NudgeListener.open(tmp_path) is None  # one app listens at a time
        assert nudge(tmp_path, "%1") and nudge(tmp_path, "%7") and nudge(tmp_path, "%1")
        assert listener.drain() == {"%1", "%7"}
        assert listener.drain() == set()
    finally:
        listener.close()
    assert not socket_path(tmp_path).exists()
    assert nudge(tmp_path, "%1") is False


def test_a_stale_socket_from_a_crashed_app_is_replaced(tmp_path: pathlib.Path) -> None:
    import socket

    stale = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    stale.bind(os.fsencode(str(socket_path(tmp_path))))
    stale.close()  # the file stays, nobody listens
    listener = NudgeListener.open(tmp_path)
    assert listener is not None
    try:
        assert nudge(tmp_path, "%2") and listener.drain() == {"%2"}
    finally:
        listener.close()


def test_a_deep_data_dir_gets_a_short_socket_path(tmp_path: pathlib.Path) -> None:
    deep = tmp_path.joinpath(*["a-long-directory-name"] * 6)
    path = socket_path(deep)
    assert len(str(path)) < 100 and path == socket_path(deep)
    deep.mkdir(parents=True)
    listener = NudgeListener.open(deep)
    try:
        assert nudge(deep, "%8") and listener.drain() == {"%8"}
    finally:
        listener.close()
