"""opencode, GitHub Copilot CLI and Qwen Code (issue 24, item 4): each profile read on the real
captures under tests/screens/<tool>/ (taken offline against tests/fake_openai_chat_api.py, see
tests/screens/README.md), the reason each one gives, the keys that answer their dialogs, the
process command lines that name them, and hypothesis variations of the rows each decision
rests on."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestra_tui.agents import answer_keys, classify, tool_from_command
from orchestra_tui.models import State

SCREENS = Path(__file__).resolve().parent / "screens"
NEW_TOOLS = ("opencode", "copilot", "qwen")


def screen(rel: str) -> str:
    return (SCREENS / rel).read_text(encoding="utf-8").split("\n", 4)[4]


def test_each_new_tool_has_real_captures_of_every_state() -> None:
    for tool in NEW_TOOLS:
        seen = {p.stem.rsplit("-", 1)[0] for p in (SCREENS / tool).glob("*.txt")}
        assert {"working", "idle", "approval", "blocked"} <= seen, (tool, seen)
        for path in (SCREENS / tool).glob("*.txt"):
            assert "# source: real capture of" in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize(("rel", "reason", "dialog"), [
    ("opencode/working-61.txt", "working: footer \"⬝⬝⬝⬝⬝⬝⬝⬝ esc interrupt", None),
    ("opencode/working-63.txt", "working: footer", None),
    ("opencode/working-65.txt", 'working: tool spinner "⠼ sleep 20"', None),
    ("opencode/idle-61.txt", 'idle: composer "╹"', None),
    ("opencode/idle-63.txt", "idle: ", None),
    ("opencode/approval-61.txt", "approval: ", "exec"),
    ("opencode/blocked-61.txt", 'blocked (failed): API error "Incorrect API key provided', None),
    ("opencode/blocked-63.txt", "blocked (retrying): API retry", None),
    ("opencode/blocked-65.txt", "blocked (retrying): quota", None),
    ("qwen/working-61.txt", "working: ", None),
    ("qwen/approval-61.txt", "approval: \"Allow execution of: 'touch'?\" dialog", "exec"),
    ("qwen/blocked-61.txt", 'blocked (failed): error "✕ [API Error: 401', None),
    ("copilot/working-61.txt", 'working: footer "● Working', None),
    ("copilot/working-65.txt", 'working: footer "● Cancelling', None),
    ("copilot/idle-65.txt", "idle: ", None),
    ("copilot/approval-61.txt", 'approval: "Do you want to run this command?" dialog', "exec"),
    ("copilot/approval-63.txt", "approval: ", "trust"),
    ("copilot/blocked-61.txt", 'blocked (failed): error "✗ Authentication failed', None),
])
def test_new_tool_screen_reason(rel: str, reason: str, dialog: str | None) -> None:
    detection = classify(screen(rel))
    assert detection.tool == rel.split("/")[0]
    assert detection.reason.startswith(reason), detection.reason
    assert detection.dialog == dialog


@pytest.mark.parametrize(("tool", "dialog", "approve", "keys"), [
    ("opencode", "exec", True, ["Enter"]), ("opencode", "exec", False, ["Escape"]),
    ("qwen", "exec", True, ["Enter"]), ("qwen", "exec", False, ["Escape"]),
    ("copilot", "exec", True, ["Enter"]), ("copilot", "trust", False, ["Escape"]),
])
def test_new_tools_dialog_keys(tool: str, dialog: str, approve: bool, keys: list[str]) -> None:
    assert answer_keys(tool, dialog, approve) == keys


@pytest.mark.parametrize(("argv", "tool"), [
    ("/usr/lib/node_modules/opencode-ai/bin/opencode.exe", "opencode"),
    ("opencode --model scripted/gpt-4o", "opencode"),
    ("node /usr/bin/copilot", "copilot"),
    ("/usr/lib/node_modules/@github/copilot/node_modules/@github/copilot-linux-x64/copilot",
     "copilot"),
    ("node /usr/bin/qwen --approval-mode default", "qwen"),
    ("/usr/bin/node --expose-gc /usr/lib/node_modules/@qwen-code/qwen-code/cli.js", "qwen"),
    ("python -m orchestra_tui.demo.fake_agent --flavor opencode", "opencode"),
    ("grep opencode notes.md", None),
])
def test_new_tools_from_their_command_lines(argv: str, tool: str | None) -> None:
    assert tool_from_command(argv) == tool


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=30).map(
    str.strip).filter(bool)


@settings(max_examples=40, deadline=None)
@given(model=_WORDS, agent=st.sampled_from(["Build", "Plan", "Review"]),
       seconds=st.floats(min_value=0.1, max_value=599, allow_nan=False),
       width=st.integers(min_value=60, max_value=200),
       reply=_WORDS, working=st.booleans())
def test_opencode_turn_rows_whatever_the_model_and_width(model, agent, seconds, width, reply,
                                                         working) -> None:
    """The turn-end row and the footer decide opencode's state, whatever the agent, model,
    duration, width and reply."""
    footer = ("   ⬝⬝■■■⬝⬝⬝  esc interrupt" if working else "   ~/src/app") + " " * 10 \
        + "1.2K (1%)  ctrl+p commands"
    end = f"     ▣  {agent} · {model}" + ("" if working else f" · {seconds:.1f}s")
    rows = ["  ┃", f"  ┃  {reply}", "  ┃", "", f"     {reply}", "", end, "", "  ┃", "  ┃",
            f"  ┃  {agent} · {model} Scripted", "  ╹" + "▀" * (width - 4), footer[:width]]
    detection = classify("\n".join(rows), "opencode")
    assert detection.state is (State.WORKING if working else State.IDLE), detection.reason


@settings(max_examples=40, deadline=None)
@given(command=_WORDS, folder=st.sampled_from(["/tmp/x", "/home/me/src/app"]),
       width=st.integers(min_value=70, max_value=160))
def test_copilot_and_qwen_dialogs_whatever_the_command(command, folder, width) -> None:
    rule = "─" * width
    copilot = [f" ❯ run: {command}", "", f" $ Shell {command}", "", "╭" + rule + "╮",
               f"│ {command} │", "│ Do you want to run this command? │", "│ ❯ 1. Yes │",
               f"│   2. Yes, and don't ask again for `{command.split()[0]}` in this repo │",
               "│   3. No, and tell Copilot what to do differently (Esc to stop) │", "│ │",
               "│ ↑/↓ to navigate · enter to select · esc to cancel │", "╰" + rule + "╯"]
    qwen = [f"  > run: {command}", f"  ? Shell {command} ←", f"     {command}",
            f"   Allow execution of: '{command.split()[0]}'?", "   › 1. Yes, allow once",
            f"     2. Always allow run '{command.split()[0]} *' commands in this project",
            "     3. No, suggest changes (esc)", "  ⠏ Waiting for user confirmation..."]
    for tool, rows in (("copilot", copilot), ("qwen", qwen)):
        detection = classify("\n".join(rows), tool)
        assert (detection.state, detection.dialog) == (State.APPROVAL, "exec"), detection.reason
        assert classify("\n".join(rows)).tool == tool
