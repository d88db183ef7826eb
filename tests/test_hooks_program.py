"""The hook program (`python -m orchestra_tui.commands.hook`) as the agent CLIs run it: a real
process with the event on stdin, one log line per event with its pane, exit 0 and silence for
observing events, and a deny in the tool's own format for a command an enforcing lane forbids."""

from __future__ import annotations

import json
import os
import pathlib
import shlex
import subprocess
import sys
import uuid

import pytest

from orchestra_tui.services.hooks.log import HookLog, NudgeListener, log_path
from orchestra_tui.services.hooks.tools import HookProgram
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.tmux.service import TmuxService
from tests.helpers import async_wait_until

REPO = pathlib.Path(__file__).resolve().parent.parent

ENFORCING = """
[[agent]]
name = "infra"
tool = "claude"
target = "{target}"
policy = "Terraform runs only from CI."
forbid = ["helm upgrade"]
enforce = {enforce}
"""


@pytest.fixture
def program(tmp_path: pathlib.Path) -> HookProgram:
    return HookProgram(data_dir=tmp_path / "data", config=tmp_path / "config.toml")


def run_hook(program: HookProgram, tool: str, payload: object | None, *, pane: str = "%3",
             argv_payload: str | None = None, agent: str = "") -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("TMUX", "TMUX_PANE")}
    if pane:
        env["TMUX_PANE"] = pane
    argv = program.argv(tool, agent) + ([argv_payload] if argv_payload is not None else [])
    stdin = payload if isinstance(payload, (bytes, type(None))) else json.dumps(payload).encode()
    return subprocess.run(argv, input=stdin if stdin is not None else b"", capture_output=True,
                          timeout=30, env=env, cwd=REPO)


def claude_event(name: str, **fields: object) -> dict[str, object]:
    return {"session_id": "s-1", "cwd": "/work", "hook_event_name": name, **fields}


def bash(command: str) -> dict[str, object]:
    return claude_event("PreToolUse", tool_name="Bash", tool_input={"command": command})


def logged(program: HookProgram, pane: str = "%3") -> list[dict[str, object]]:
    path = log_path(program.data_dir, pane)
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()] if (
        path.exists()) else []


def test_each_event_is_one_line_with_its_pane_and_the_program_says_nothing(
        program: HookProgram) -> None:
    events = [claude_event("SessionStart", source="startup"),
              claude_event("UserPromptSubmit", prompt="deploy the secret thing"),
              bash("ls"),
              claude_event("PermissionRequest", tool_name="Bash", tool_input={"command": "rm x"}),
              claude_event("Notification", notification_type="permission_prompt"),
              claude_event("Stop", stop_hook_active=False)]
    for payload in events:
        done = run_hook(program, "claude", payload)
        assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    lines = logged(program)
    assert [line["event"] for line in lines] == [e["hook_event_name"] for e in events]
    assert {line["pane"] for line in lines} == {"%3"}
    assert [line.get("detail") for line in lines] == [
        "startup", None, "Bash", "Bash", "permission_prompt", None]
    assert all(line["session"] == "s-1" and line["tool"] == "claude" for line in lines)
    assert "secret thing" not in json.dumps(lines)  # the person's words stay out of the log


def test_a_permission_request_keeps_its_whole_command_or_none(program: HookProgram) -> None:
    # What a lane's auto_approve judges: the command whole, never a cut one.
    long = "npm test " + "x" * (20 << 10) + " && rm -rf ~"
    for command in ("npm test && curl x | sh", ["bash", "-lc", "npm test"], long):
        run_hook(program, "claude", claude_event("PermissionRequest", tool_name="Bash",
                                                 tool_input={"command": command}))
    run_hook(program, "claude", bash("ls"))
    assert [line.get("command") for line in logged(program)] == [
        "npm test && curl x | sh", "bash -lc 'npm test'", None, None]


def test_bad_input_and_no_pane_still_exit_zero_and_write_nothing(program: HookProgram) -> None:
    for payload in (b"not json", b"", b"[1, 2]", {"no": "event"}):
        done = run_hook(program, "claude", payload)
        assert (done.returncode, done.stdout) == (0, b"")
    done = run_hook(program, "claude", claude_event("Stop"), pane="")
    assert (done.returncode, done.stdout) == (0, b"")
    assert logged(program) == []


def test_an_unwritable_data_dir_never_fails_the_agent(tmp_path: pathlib.Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    program = HookProgram(data_dir=blocker / "data", config=tmp_path / "none.toml")
    done = run_hook(program, "claude", claude_event("Stop"))
    assert (done.returncode, done.stdout) == (0, b"")


def test_codex_notify_passes_the_event_as_an_argument(program: HookProgram) -> None:
    notice = {"type": "agent-turn-complete", "thread-id": "t-9", "turn-id": "1",
              "cwd": "/work", "input-messages": ["go"], "last-assistant-message": "done"}
    done = run_hook(program, "codex", None, argv_payload=json.dumps(notice))
    assert (done.returncode, done.stdout) == (0, b"")
    [line] = logged(program)
    assert (line["event"], line["tool"], line["session"]) == ("agent-turn-complete", "codex",
                                                               "t-9")


def test_a_running_app_is_nudged(program: HookProgram) -> None:
    program.data_dir.mkdir(parents=True)
    listener = NudgeListener.open(program.data_dir)
    try:
        run_hook(program, "claude", claude_event("Stop"), pane="%12")
        assert listener.drain() == {"%12"}
        assert [e.event for e in HookLog(program.data_dir).read_new("%12")] == ["Stop"]
    finally:
        listener.close()


def test_enforce_denies_a_forbidden_command_before_it_runs_and_journals_it(
        program: HookProgram) -> None:
    program.config.write_text(ENFORCING.format(target="%3", enforce="true"), encoding="utf-8")
    done = run_hook(program, "claude", bash("cd infra && terraform destroy -auto-approve"))
    assert done.returncode == 0
    output = json.loads(done.stdout)["hookSpecificOutput"]
    assert output["hookEventName"] == "PreToolUse" and output["permissionDecision"] == "deny"
    assert "terraform destroy" in output["permissionDecisionReason"]
    assert "Terraform runs only from CI." in output["permissionDecisionReason"]
    [alert] = Journal(program.data_dir / "journal.jsonl").read(events=("alert",))
    assert (alert["agent"], alert["kind"], alert["denied"]) == ("infra", "forbid", True)
    assert alert["text"] == "terraform destroy -auto-approve (forbidden: terraform destroy; " \
                            "denied before it ran)"
    assert logged(program)[-1]["denied"] == "terraform destroy"

    lane_rule = run_hook(program, "claude", bash("helm upgrade api ./chart"))
    assert json.loads(lane_rule.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
    allowed = run_hook(program, "claude", bash("terraform plan"))
    assert (allowed.returncode, allowed.stdout) == (0, b"")
    other_pane = run_hook(program, "claude", bash("terraform destroy"), pane="%4")
    assert other_pane.stdout == b""


def test_a_command_given_as_an_argv_is_checked_too(program: HookProgram) -> None:
    program.config.write_text(ENFORCING.format(target="%3", enforce="true"), encoding="utf-8")
    payload = {"hook_event_name": "PreToolUse", "tool_name": "Bash",
               "tool_input": {"command": ["bash", "-lc", "kubectl delete ns prod"]}}
    done = run_hook(program, "codex", payload)
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_gemini_gets_its_own_deny_format(program: HookProgram) -> None:
    program.config.write_text(ENFORCING.format(target="%3", enforce="true"), encoding="utf-8")
    payload = {"hook_event_name": "BeforeTool", "tool_name": "run_shell_command",
               "tool_input": {"command": "git push --force origin main"}}
    done = run_hook(program, "gemini", payload)
    output = json.loads(done.stdout)
    assert output["decision"] == "deny" and "git push --force to main" in output["reason"]


def test_without_enforce_commands_run_and_only_the_screen_watch_alerts(
        program: HookProgram) -> None:
    program.config.write_text(ENFORCING.format(target="%3", enforce="false"), encoding="utf-8")
    done = run_hook(program, "claude", bash("terraform destroy"))
    assert (done.returncode, done.stdout) == (0, b"")
    assert Journal(program.data_dir / "journal.jsonl").read() == []


def test_a_permission_request_is_never_answered(program: HookProgram) -> None:
    program.config.write_text(ENFORCING.format(target="%3", enforce="true"), encoding="utf-8")
    payload = claude_event("PermissionRequest", tool_name="Bash",
                           tool_input={"command": "terraform destroy"})
    done = run_hook(program, "claude", payload)
    assert (done.returncode, done.stdout) == (0, b"")


def test_a_broken_config_denies_nothing_and_says_so_in_the_journal(
        program: HookProgram) -> None:
    program.config.write_text("[[agent]]\nname = 'x'\nenforce = 'yes'\n", encoding="utf-8")
    done = run_hook(program, "claude", bash("terraform destroy"))
    assert (done.returncode, done.stdout) == (0, b"")
    [alert] = Journal(program.data_dir / "journal.jsonl").read(events=("alert",))
    assert alert["kind"] == "hook" and "enforcement skipped" in alert["text"]


def test_the_agent_named_at_launch_needs_no_pane_lookup(program: HookProgram) -> None:
    program.config.write_text(ENFORCING.format(target="somewhere-else", enforce="true"),
                              encoding="utf-8")
    done = run_hook(program, "claude", bash("kubectl apply -f k8s/"), agent="infra")
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


async def test_a_session_target_is_matched_against_the_real_tmux_pane(
        tmux: TmuxService, program: HookProgram, tmp_path: pathlib.Path) -> None:
    """The hook runs inside a tmux pane of session `infra-…` (the agent's target): it finds
    the pane's agent through the server in `$TMUX`, as it does under a real agent CLI."""
    session = f"infra-{uuid.uuid4().hex[:6]}"
    program.config.write_text(ENFORCING.format(target=session, enforce="true"),
                              encoding="utf-8")
    payload = tmp_path / "event.json"
    payload.write_text(json.dumps(bash("terraform apply")), encoding="utf-8")
    out = tmp_path / "out.json"
    script = (f"{shlex.join(program.argv('claude'))} < {shlex.quote(str(payload))} "
              f"> {shlex.quote(str(out))}; sleep 30")
    pane = await tmux.start(["sh", "-c", script], cwd=str(REPO), session=session,
                            env={"PYTHONPATH": str(REPO)})

    async def answered() -> dict | None:
        text = out.read_text("utf-8") if out.exists() else ""
        return json.loads(text) if text.strip() else None

    output = await async_wait_until(answered, timeout=30, message="the hook's answer")
    assert output["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert logged(program, pane.pane_id)[-1]["agent"] == "infra"
    assert sys.executable == program.python
