"""opencode's plugin events in Claude Code's terms, and orchestra's plugin file: the examples,
hostile payloads, install/remove/status beside the person's own files, and the plugin itself run
under Node with a stand-in hook program (missing, denying, slow, flooded with events): it never
throws but to block a denied call, and reports events in the order they came."""

from __future__ import annotations

import doctest
import json
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest

from orchestra_tui.agents import opencode_hooks
from orchestra_tui.agents.opencode_hooks import as_claude
from orchestra_tui.commands.hook import Options, handle
from orchestra_tui.services.hooks import opencode as opencode_plugin
from orchestra_tui.services.hooks.install import HookProgram, install, remove, status
from orchestra_tui.services.hooks.opencode import plugin_source

NODE = shutil.which("node")


def test_docstring_examples():
    for module in (opencode_hooks, opencode_plugin):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("event", opencode_hooks.EVENTS)
@pytest.mark.parametrize("payload", [
    {}, {"input": None, "properties": 7}, {"input": {"tool": ["x"], "sessionID": {"a": 1}}},
    {"properties": {"metadata": "rm -rf /", "permission": None}}, {"parts": "text"},
    {"output": {"args": "ls"}}, {"error": 5, "child": "yes"}, {"parts": [None, {"type": "text"}]},
])
def test_a_hostile_payload_gives_an_event_and_nothing_that_could_be_judged(event, payload):
    out = as_claude(event, payload)
    assert isinstance(out["hook_event_name"], str)
    assert "tool_input" not in out and "session_id" not in out
    assert all(isinstance(value, str) for value in out.values())


def test_a_sub_agent_s_idle_is_not_the_turn_s_end_and_a_rejection_tells_nothing():
    assert as_claude("session.idle", {"properties": {"sessionID": "s"}, "child": True,
                                      "error": "APIError"})["hook_event_name"] == "SubagentStop"
    assert as_claude("permission.replied", {"properties": {"reply": "reject"}}) == {
        "hook_event_name": ""}
    granted = as_claude("permission.replied", {"properties": {"reply": "once"}})
    assert granted["hook_event_name"] == "PreToolUse" and "tool_input" not in granted
    prompt = as_claude("chat.message", {"parts": [
        {"type": "text", "text": "fix it"}, {"type": "text", "text": "ctx", "synthetic": True}]})
    assert prompt == {"hook_event_name": "UserPromptSubmit", "prompt": "fix it"}


def test_the_hook_program_records_the_asked_command(tmp_path):
    options = Options.parse(["--tool", "opencode", "--event", "permission.asked",
                             "--data-dir", str(tmp_path)])
    record, output = handle(options, {"properties": {
        "sessionID": "ses_1", "permission": "bash", "metadata": {"command": "rm -rf build"}}},
        "%4", 5.0)
    assert output is None
    assert (record["event"], record["session"], record["detail"], record["command"]) == (
        "PermissionRequest", "ses_1", "bash", "rm -rf build")


# -- the plugin file ----------------------------------------------------------------------------


@pytest.fixture
def config_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "opencode"


def program(tmp_path: Path) -> HookProgram:
    return HookProgram(data_dir=tmp_path / "data", config=tmp_path / "config.toml")


def test_install_writes_one_file_of_its_own_and_remove_takes_only_it(tmp_path, config_home):
    plugins = config_home / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "mine.js").write_text("export const Mine = async () => ({})\n")
    (config_home / "opencode.json").write_text('{"model": "x/y"}\n')
    before = {path: path.read_bytes() for path in config_home.rglob("*") if path.is_file()}

    [change] = install("opencode", program(tmp_path))
    assert (change.path, change.action) == (plugins / "orchestra.js", "installed")
    assert [c.action for c in install("opencode", program(tmp_path))] == ["unchanged"]
    [row] = status(("opencode",), data_dir=tmp_path / "data",
                   config=tmp_path / "config.toml")
    assert row.installed and "tool.execute.before" in row.events and not row.problems
    assert "--tool opencode" in row.commands[0]

    assert [c.action for c in remove("opencode", tmp_path / "data")] == ["deleted"]
    after = {path: path.read_bytes() for path in config_home.rglob("*") if path.is_file()}
    assert after == before
    [row] = status(("opencode",), data_dir=tmp_path / "data")
    assert not row.installed


def test_a_person_s_own_orchestra_js_comes_back_and_an_edited_plugin_still_goes(
        tmp_path, config_home):
    plugins = config_home / "plugins"
    plugins.mkdir(parents=True)
    theirs = b"// my own file that happens to be called orchestra.js\n"
    (plugins / "orchestra.js").write_bytes(theirs)
    install("opencode", program(tmp_path))
    assert [c.action for c in remove("opencode", tmp_path / "data")] == ["restored"]
    assert (plugins / "orchestra.js").read_bytes() == theirs

    (plugins / "orchestra.js").unlink()
    install("opencode", program(tmp_path))
    with (plugins / "orchestra.js").open("a") as file:
        file.write("// the person's edit\n")
    assert [c.action for c in remove("opencode", tmp_path / "data")] == ["deleted"]
    assert list(plugins.iterdir()) == []


def test_a_project_install_lands_in_its_opencode_folder_and_status_finds_it(tmp_path,
                                                                           config_home):
    project = tmp_path / "repo"
    project.mkdir()
    [change] = install("opencode", program(tmp_path), project=project)
    assert change.path == project / ".opencode" / "plugins" / "orchestra.js"
    rows = status(("opencode",), data_dir=tmp_path / "data")
    assert [row.installed for row in rows] == [False, True]
    remove("opencode", tmp_path / "data", project=project)
    assert not (project / ".opencode").exists()  # the folders install made go too


def test_status_says_when_the_plugin_runs_a_missing_interpreter(tmp_path, config_home):
    install("opencode", HookProgram(data_dir=tmp_path / "data", config=tmp_path / "c.toml",
                                    python="/gone/python"))
    [row] = status(("opencode",), data_dir=tmp_path / "other", config=tmp_path / "c.toml")
    assert any("interpreter missing" in problem for problem in row.problems)
    assert any("another data dir" in problem for problem in row.problems)


# -- the plugin under Node ------------------------------------------------------------------------


def stand_in(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "hook.sh"
    script.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return [str(script)]


def drive(tmp_path: Path, argv: list[str], steps: str, seconds: int = 10) -> dict:
    """Load the plugin with Node, run `steps` (JS with `hooks` in scope), print what happened."""
    plugin = tmp_path / "orchestra.mjs"
    plugin.write_text(plugin_source(argv, seconds))
    runner = tmp_path / "run.mjs"
    runner.write_text(textwrap.dedent(f"""
        import {{ OrchestraHooks }} from {json.dumps(str(plugin))}
        const result = {{ thrown: [] }}
        const hooks = await OrchestraHooks({{}})
        const attempt = async (name, ...args) => {{
          try {{ await hooks[name](...args) }} catch (error) {{ result.thrown.push(error.message) }}
        }}
        {steps}
        await new Promise((resolve) => setTimeout(resolve, 300))
        console.log(JSON.stringify(result))
    """))
    done = subprocess.run([NODE, str(runner)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


HOSTILE_STEPS = """
await attempt("chat.message", {}, undefined)
await attempt("chat.message", { sessionID: 5 }, { parts: "x" })
await attempt("tool.execute.before", { tool: "bash" }, { args: { command: "ls" } })
await attempt("tool.execute.before", { tool: "bash" }, null)
await attempt("tool.execute.after", {}, {})
for (const event of [null, {}, { type: "session.idle" }, { type: "permission.asked" },
                     { type: "session.error", properties: null },
                     { type: "permission.asked", properties: { metadata: null } }])
  await attempt("event", { event })
await attempt("event", {})
"""

pytestmark_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


@pytestmark_node
def test_a_missing_or_failing_orchestra_never_throws_into_opencode(tmp_path):
    assert drive(tmp_path, ["/gone/python", "-m", "x"], HOSTILE_STEPS)["thrown"] == []
    crashing = stand_in(tmp_path, "echo 'not json {'; exit 3\n")
    assert drive(tmp_path, crashing, HOSTILE_STEPS)["thrown"] == []


@pytestmark_node
def test_a_denial_blocks_the_shell_call_with_its_reason_and_a_slow_hook_lets_it_run(tmp_path):
    denying = stand_in(tmp_path, """\
        cat > /dev/null
        echo '{"decision": "deny", "reason": "Terraform runs only from CI"}'
    """)
    steps = """
    await attempt("tool.execute.before", { tool: "bash" }, { args: { command: "terraform" } })
    await attempt("tool.execute.before", { tool: "read" }, { args: { filePath: "x" } })
    """
    assert drive(tmp_path, denying, steps)["thrown"] == ["Terraform runs only from CI"]
    slow = stand_in(tmp_path, 'sleep 5; echo \'{"decision": "deny", "reason": "late"}\'\n')
    assert drive(tmp_path, slow, steps, seconds=1)["thrown"] == []


@pytestmark_node
def test_events_reach_the_hook_program_in_the_order_opencode_reported_them(tmp_path):
    log = tmp_path / "order.log"
    recorder = stand_in(tmp_path, f"""\
        event=$(echo "$@" | sed "s/.*--event //")
        cat > /dev/null
        [ "$event" = plugin.loaded ] && sleep 0.3
        echo "$event" >> {log}
    """)
    steps = """
    for (let n = 0; n < 12; n++)
      await attempt("event", { event: { type: n % 2 ? "session.idle" : "question.asked",
                                        properties: { sessionID: "s", n } } })
    await attempt("tool.execute.before", { tool: "bash" }, { args: { command: "ls" } })
    """
    drive(tmp_path, recorder, steps)
    names = log.read_text().split()
    assert names == ["plugin.loaded"] + ["question.asked", "session.idle"] * 6 + [
        "tool.execute.before"]
