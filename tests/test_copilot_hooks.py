"""Copilot CLI's hook payloads in Claude Code's terms, and its hooks file edited in place: the
examples of the module, hostile payloads, and install/strip keeping the person's entries."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest

from orchestra_tui.agents import copilot_hooks
from orchestra_tui.agents.copilot_hooks import as_claude
from orchestra_tui.commands.hook import Options, handle
from orchestra_tui.services.hooks.tools import HookProgram, edit_for, targets


def test_docstring_examples():
    result = doctest.testmod(copilot_hooks)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("payload", [
    {}, {"toolArgs": "{not json"}, {"toolArgs": 7, "sessionId": None}, {"toolInput": [1, 2]},
    {"toolArgs": '"a string"'}, {"sessionId": {"x": 1}, "prompt": ["a"]},
])
def test_a_hostile_payload_gives_an_event_and_nothing_else(payload):
    out = as_claude("preToolUse", payload)
    assert out["hook_event_name"] == "PreToolUse" and "tool_input" not in out


def test_the_hook_program_records_copilot_events_under_claude_code_names(tmp_path):
    options = Options.parse(["--tool", "copilot", "--event", "permissionRequest",
                             "--data-dir", str(tmp_path)])
    record, output = handle(options, {"sessionId": "s1", "toolName": "bash",
                                      "toolInput": {"command": "rm -rf build"}}, "%4", 5.0)
    assert output is None
    assert (record["event"], record["session"], record["detail"], record["command"]) == (
        "PermissionRequest", "s1", "bash", "rm -rf build")


def test_install_and_strip_keep_the_person_s_entries_in_the_same_file(tmp_path: Path):
    program = HookProgram(data_dir=tmp_path / "data", config=tmp_path / "config.toml")
    (target,) = targets("copilot", project=tmp_path)
    assert target.path == tmp_path / ".github" / "hooks" / "orchestra.json"
    edit = edit_for(target, program)
    theirs = {"type": "command", "bash": "echo mine"}
    before = (json.dumps({"version": 1, "hooks": {"agentStop": [theirs]}}) + "\n").encode()
    after = edit.add(before)
    assert edit.present(after) and not edit.present(before)
    hooks = json.loads(after)["hooks"]
    assert hooks["agentStop"][0] == theirs and len(hooks["agentStop"]) == 2
    assert "--event preToolUse" in hooks["preToolUse"][0]["bash"]
    assert edit.add(after) == after  # installed twice: the same bytes
    assert json.loads(edit.strip(after)) == json.loads(before)
