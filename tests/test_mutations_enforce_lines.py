"""The enforcing pre-tool hook judges every line of a multi-line command (issue 20, item 5).

Agents send multi-line shell commands all the time (a script pasted into one Bash call, a
`bash -lc` whose string holds several lines): a forbidden command on line two or later must be
denied like one on line one. The hook program runs as the agent CLIs run it: a real process,
the event JSON on stdin (or as Codex's argv), its deny read from its output and the journal.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

from orchestra_tui.services.hooks.tools import HookProgram
from orchestra_tui.services.store.journal import Journal

REPO = pathlib.Path(__file__).resolve().parent.parent

CONFIG = """
[[agent]]
name = "infra"
target = "%3"
policy = "Terraform runs only from CI."
forbid = ["helm upgrade"]
enforce = true
"""


@pytest.fixture
def program(tmp_path: pathlib.Path) -> HookProgram:
    hooks = HookProgram(data_dir=tmp_path / "data", config=tmp_path / "config.toml")
    hooks.config.write_text(CONFIG, encoding="utf-8")
    return hooks


def _decision(program: HookProgram, tool: str, payload: dict) -> str:
    """What the hook answered: the deny reason, or "" when it let the command run."""
    env = {key: value for key, value in os.environ.items() if key not in ("TMUX", "TMUX_PANE")}
    env["TMUX_PANE"] = "%3"
    done = subprocess.run(program.argv(tool), input=json.dumps(payload).encode(),
                          capture_output=True, timeout=30, env=env, cwd=REPO)
    assert done.returncode == 0, done.stderr
    if not done.stdout.strip():
        return ""
    output = json.loads(done.stdout)
    if tool == "gemini":
        assert output["decision"] == "deny"
        return output["reason"]
    decision = output["hookSpecificOutput"]
    assert decision["permissionDecision"] == "deny"
    return decision["permissionDecisionReason"]


def _claude(command: str) -> dict:
    return {"session_id": "s-1", "cwd": "/work", "hook_event_name": "PreToolUse",
            "tool_name": "Bash", "tool_input": {"command": command}}


@pytest.mark.parametrize(("command", "label"), [
    ("echo ready\nterraform destroy -auto-approve", "terraform destroy"),
    ("cd infra\n\n   terraform apply -auto-approve\necho done", "terraform apply"),
    ("git add -A\ngit commit -m wip\ngit push origin main", "git push to main"),
    ("# deploy the chart\nhelm upgrade api ./chart", "helm upgrade"),
    ("make build\r\nkubectl apply -f k8s/", "kubectl apply"),
])
def test_a_forbidden_command_on_a_later_line_is_denied(program, command, label):
    reason = _decision(program, "claude", _claude(command))
    assert reason, f"the enforcing hook let {command!r} run"
    assert reason.startswith("orchestra denied this command before it ran"), reason
    assert label in reason
    [alert] = Journal(program.data_dir / "journal.jsonl").read(events=("alert",))
    assert alert["denied"] is True and label in alert["text"]


def test_the_other_agent_clis_get_every_line_judged_too(program):
    codex = {"hook_event_name": "PreToolUse", "tool_name": "Bash",
             "tool_input": {"command": ["bash", "-lc", "echo ok\nkubectl delete ns prod"]}}
    assert "kubectl delete" in _decision(program, "codex", codex)
    gemini = {"hook_event_name": "BeforeTool", "tool_name": "run_shell_command",
              "tool_input": {"command": "make test\ngit commit --no-verify -m wip"}}
    assert "--no-verify" in _decision(program, "gemini", gemini)


def test_a_multi_line_command_with_nothing_forbidden_runs(program):
    assert _decision(program, "claude", _claude("cd infra\nterraform plan\necho ok")) == ""
    assert Journal(program.data_dir / "journal.jsonl").read(events=("alert",)) == []
