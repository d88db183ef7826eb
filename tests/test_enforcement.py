"""Enforcement is never silently off: the real hook program (`python -m
orchestra_tui.commands.hook`, the event on stdin) against configs a hostile run wrote, and
`orchestra hooks status` saying every way enforcement an agent asks for is off."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from orchestra_tui.core.guard.enforcement import enforcement_problems
from orchestra_tui.models import AgentRecord, AgentSpec
from orchestra_tui.services.hooks.tools import HookProgram
from orchestra_tui.services.store.agents_registry import AgentsRegistry
from orchestra_tui.services.store.journal import Journal
from tests.storage_faults import read_only
from tests.test_hooks_program import bash, logged, run_hook

REPO = pathlib.Path(__file__).resolve().parent.parent
AGENT = """
[[agent]]
name = "infra"
tool = "claude"
target = "%3"
policy = "Terraform runs only from CI."
"""


@pytest.fixture
def program(tmp_path: pathlib.Path) -> HookProgram:
    return HookProgram(data_dir=tmp_path / "data", config=tmp_path / "config.toml")


def decision(done: subprocess.CompletedProcess) -> tuple[str, str]:
    assert done.returncode == 0, done.stderr
    if not done.stdout.strip():
        return ("allow", "")
    output = json.loads(done.stdout)["hookSpecificOutput"]
    return (output["permissionDecision"], output["permissionDecisionReason"])


def write(program: HookProgram, text: str) -> None:
    program.config.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("key", ['"enforce"', "'enforce'", '"enf\\u006frce"'])
def test_a_quoted_enforce_key_is_enforced(program: HookProgram, key: str) -> None:
    write(program, AGENT + f"{key} = true\n")
    verdict, reason = decision(run_hook(program, "claude", bash("terraform destroy")))
    assert verdict == "deny" and "terraform destroy" in reason
    assert decision(run_hook(program, "claude", bash("terraform plan"))) == ("allow", "")


def test_agents_written_as_an_inline_table_array_are_enforced(program: HookProgram) -> None:
    write(program, 'agent = [{name = "infra", tool = "claude", target = "%3", enforce = true},'
                   ' {name = "web", target = "%4"}]\n')
    assert decision(run_hook(program, "claude", bash("terraform destroy")))[0] == "deny"
    assert decision(run_hook(program, "claude", bash("terraform destroy"), pane="%4")) == (
        "allow", "")


def test_a_problem_outside_the_agents_table_leaves_enforcement_on(
        program: HookProgram) -> None:
    write(program, '[ui]\nthem = "dark"\npoll_seconds = -1\n\n[surprise]\nx = 1\n'
                   + AGENT + "enforce = true\n"
                   + '\n[[agent]]\nname = "web"\nforbid = "not a list"\n')
    verdict, reason = decision(run_hook(program, "claude", bash("terraform destroy")))
    assert verdict == "deny" and "forbidden for agent infra" in reason
    assert enforcement_problems(program.config) == {}


def test_a_problem_in_an_enforcing_agents_own_table_denies_with_the_reason(
        program: HookProgram) -> None:
    write(program, AGENT + 'enforce = true\nforbid = "helm upgrade"\n')
    verdict, reason = decision(run_hook(program, "claude", bash("ls")))
    assert verdict == "deny"
    assert "orchestra cannot read its config" in reason and "agent[1].forbid" in reason
    assert "config.toml:8" in reason and "denied because this lane enforces" in reason
    assert "agent[1].forbid" in enforcement_problems(program.config)["infra"]


def test_unparsable_toml_denies_for_an_enforcing_lane_agent_named_at_launch(
        program: HookProgram) -> None:
    """`orchestra new w2 --lane ops` recorded w2 (ops enforces); the config then broke."""
    write(program, '[[lane]]\nname = "ops"\npath = "/src/ops"\nenforce = true\n'
                   '[ui\ntheme = "dark"\n')
    AgentsRegistry(program.data_dir).add(AgentRecord(
        AgentSpec("w2", tool="claude", target="w2", lane="ops", enforce=True)))
    verdict, reason = decision(run_hook(program, "claude", bash("ls"), agent="w2"))
    assert verdict == "deny"
    assert reason.startswith(f"orchestra cannot read its config ({program.config}:5")
    assert "TOML syntax error" in reason and "denied because this lane enforces" in reason
    [line] = logged(program)
    assert line["denied"] == "config unreadable" and line["agent"] == "w2"


def test_unparsable_toml_denies_for_a_configured_agent_it_can_still_read(
        program: HookProgram) -> None:
    write(program, AGENT + "enforce = true\n\n[ui]\ntheme = dark\n")
    verdict, reason = decision(run_hook(program, "claude", bash("ls")))
    assert verdict == "deny" and "orchestra cannot read its config" in reason
    assert "config.toml:10" in reason


def test_unparsable_toml_and_a_pane_it_cannot_place_runs_but_is_loud(
        program: HookProgram) -> None:
    write(program, AGENT + "enforce = true\n\n[ui]\ntheme = dark\n")
    assert decision(run_hook(program, "claude", bash("terraform destroy"), pane="%9",
                             agent="stranger")) == ("allow", "")
    [alert] = Journal(program.data_dir / "journal.jsonl").read(events=("alert",))
    assert "enforcement skipped" in alert["text"] and "TOML syntax error" in alert["text"]
    problems = enforcement_problems(program.config)
    assert "orchestra cannot read its config" in problems[""]
    assert "denies every shell command" in problems["infra"]


def test_lane_agents_orchestra_started_are_enforced_by_their_lane(
        program: HookProgram) -> None:
    lane = '[[lane]]\nname = "ops"\npath = "/src/ops"\nforbid = ["helm upgrade"]\n'
    AgentsRegistry(program.data_dir).add(AgentRecord(
        AgentSpec("w2", tool="claude", target="w2", lane="ops", enforce=True)))
    write(program, lane + "enforce = true\n")
    verdict, reason = decision(run_hook(program, "claude", bash("helm upgrade x"), agent="w2"))
    assert verdict == "deny" and "agent w2" in reason
    write(program, lane + "enforce = false\n")  # the lane as the person says it now
    assert decision(run_hook(program, "claude", bash("helm upgrade x"), agent="w2")) == (
        "allow", "")


def orchestra(home: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in ("ORCHESTRA_CONFIG", "CLAUDE_CONFIG_DIR", "CODEX_HOME", "TMUX")}
    env["HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "orchestra_tui", *args], capture_output=True,
                          text=True, timeout=60, env=env, cwd=REPO)


def test_hooks_status_shows_enforcement_problems_and_the_config_the_hooks_read(
        tmp_path: pathlib.Path) -> None:
    home, data = tmp_path / "home", tmp_path / "data"
    (home / ".gemini").mkdir(parents=True)
    installed, current = tmp_path / "installed.toml", tmp_path / "current.toml"
    installed.write_text("", encoding="utf-8")
    current.write_text('[[agent]]\nname = "infra"\ntool = "aider"\nenforce = true\n'
                       '[[agent]]\nname = "api"\nenforce = "yes"\n', encoding="utf-8")
    done = orchestra(home, "--config", str(installed), "hooks", "install", "--tool", "gemini",
                     "--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    done = orchestra(home, "--config", str(installed), "hooks", "status", "--data-dir",
                     str(data))
    assert done.returncode == 0 and "another config" not in done.stdout
    done = orchestra(home, "--config", str(current), "hooks", "status", "--data-dir",
                     str(data))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"enforces by another config: {installed}" in done.stdout
    assert f"this orchestra reads {current}" in done.stdout
    assert "enforcement ! infra: enforce is on, but aider has no pre-tool hook" in done.stdout
    assert "enforcement ! api: enforce is on, but its settings have a problem" in done.stdout


def test_hooks_status_names_an_unreadable_config(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "infra"\nenforce = true\n[ui\n', encoding="utf-8")
    done = orchestra(tmp_path, "--config", str(config), "hooks", "status", "--data-dir",
                     str(tmp_path / "data"))
    assert done.returncode == 1
    assert "enforcement ! orchestra cannot read its config" in done.stdout
    assert "config.toml:4" in done.stdout


def full_journal(data: pathlib.Path) -> None:
    data.mkdir(parents=True)
    (data / "journal.jsonl").symlink_to("/dev/full")
    (data / "hooks").mkdir()
    (data / "hooks" / "pane-3.jsonl").symlink_to("/dev/full")


@pytest.mark.parametrize("fault", ["under a file", "read-only", "full"])
def test_the_decision_is_printed_when_the_data_dir_cannot_be_written(
        tmp_path: pathlib.Path, fault: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(AGENT + "enforce = true\n", encoding="utf-8")
    if fault == "under a file":
        (tmp_path / "file").write_text("")
        data = tmp_path / "file" / "data"
    else:
        data = tmp_path / "data"
    program = HookProgram(data_dir=data, config=config)
    if fault == "full":
        full_journal(data)
    if fault == "read-only":
        with read_only(data):
            done = run_hook(program, "claude", bash("terraform destroy"))
    else:
        done = run_hook(program, "claude", bash("terraform destroy"))
    verdict, reason = decision(done)
    assert verdict == "deny" and "forbidden for agent infra" in reason
    if fault == "full":
        assert (data / "journal.jsonl").is_symlink()


def test_an_agent_started_enforcing_is_denied_when_nothing_of_the_config_reads(
        program: HookProgram) -> None:
    """Launch recorded `--enforcing` on the hook's command line (`launch_injection(...,
    enforcing=True)`): a config turned to garbage cannot say otherwise, so the hook denies."""
    from orchestra_tui.services.hooks.install import launch_injection

    injected = launch_injection("claude", program, agent="api", enforcing=True)
    settings = json.loads(pathlib.Path(injected.args[1]).read_text("utf-8"))
    command = settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    assert command.endswith("--agent api --enforcing")
    program.config.write_bytes(b"\x00\xff garbage [[[")
    env = {key: value for key, value in os.environ.items() if key not in ("TMUX", "TMUX_PANE")}
    env["TMUX_PANE"] = "%3"
    done = subprocess.run(command, shell=True, input=json.dumps(bash("ls")).encode(),
                          capture_output=True, timeout=30, env=env, cwd=REPO)
    verdict, reason = decision(done)
    assert verdict == "deny" and "orchestra cannot read its config" in reason
    assert "not UTF-8" in reason and "(agent api)" in reason
    done = run_hook(program, "claude", bash("ls"), agent="api")  # not started enforcing
    assert decision(done) == ("allow", "")
    program.config.unlink()  # gone is unreadable too
    done = subprocess.run(command, shell=True, input=json.dumps(bash("ls")).encode(),
                          capture_output=True, timeout=30, env=env, cwd=REPO)
    assert "no such config file" in decision(done)[1]


@pytest.mark.parametrize(("tool", "off"), [("aider", True), ("opencode", False),
                                           ("copilot", False), ("qwen", False),
                                           ("gemini", False)])
def test_enforce_on_a_cli_without_orchestra_s_pre_tool_hook_is_said_to_be_off(tmp_path, tool,
                                                                               off):
    config = tmp_path / "config.toml"
    config.write_text(f'[[agent]]\nname = "infra"\ntool = "{tool}"\nenforce = true\n',
                      encoding="utf-8")
    problems = enforcement_problems(config)
    assert (problems.get("infra", "").startswith(
        f"enforce is on, but {tool} has no pre-tool hook")) is off, problems
