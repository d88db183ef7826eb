"""`orchestra hooks install|remove|status` on real settings files: the person's own settings and
hooks kept, idempotent, a backup beside the file, and remove byte for byte as before."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

from orchestra_tui.cli import main
from orchestra_tui.services.hooks_install import (
    HookProgram,
    LaunchInjection,
    install,
    launch_injection,
    remove,
    status,
    with_hooks,
)
from orchestra_tui.services.hooks_tools import claude_events

# A person's settings as Claude Code writes them, with a hook of their own on two events.
PERSONAL = """{
  "model": "opus",
  "permissions": {
    "allow": ["Bash(npm test:*)"]
  },
  "hooks": {
    "Stop": [
      {
        "hooks": [
          {"type": "command", "command": "notify-send done"}
        ]
      }
    ],
    "PreToolUse": [
      {
        "matcher": "Write",
        "hooks": [{"type": "command", "command": "~/bin/check-write"}]
      }
    ]
  },
  "statusLine": {"type": "command", "command": "~/bin/status — ünïcode"}
}
"""
LATEST = (2, 1, 332)


@pytest.fixture
def home(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("CLAUDE_CONFIG_DIR", "CODEX_HOME"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


@pytest.fixture
def program(tmp_path: pathlib.Path) -> HookProgram:
    return HookProgram(data_dir=tmp_path / "data", config=tmp_path / "config.toml")


def ours(document: dict) -> list[str]:
    """Events that carry orchestra's hook handler."""
    return [event for event, groups in document.get("hooks", {}).items()
            for group in groups for handler in group["hooks"]
            if "orchestra_tui.commands.hook" in handler["command"]]


def test_install_keeps_the_persons_settings_and_remove_restores_every_byte(
        home: pathlib.Path, program: HookProgram) -> None:
    settings = home / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(PERSONAL, encoding="utf-8")
    settings.chmod(0o640)

    changes = install("claude", program, version=LATEST)

    assert [c.action for c in changes] == ["installed"]
    document = json.loads(settings.read_text("utf-8"))
    assert sorted(ours(document)) == sorted(claude_events(LATEST))
    assert document["model"] == "opus" and document["statusLine"]["command"].endswith("ünïcode")
    assert document["hooks"]["Stop"][0]["hooks"][0]["command"] == "notify-send done"
    assert document["hooks"]["PreToolUse"][0]["matcher"] == "Write"
    command = document["hooks"]["Stop"][1]["hooks"][0]["command"]
    assert command.startswith(sys.executable + " -m orchestra_tui.commands.hook --tool claude")
    assert f"--data-dir {program.data_dir}" in command and f"--config {program.config}" in command
    backup = settings.with_name("settings.json.orchestra-backup")
    assert backup.read_text("utf-8") == PERSONAL
    assert settings.stat().st_mode & 0o777 == 0o640

    assert [c.action for c in install("claude", program, version=LATEST)] == ["unchanged"]
    assert [c.action for c in remove("claude", program.data_dir)] == ["restored"]
    assert settings.read_bytes() == PERSONAL.encode()
    assert not backup.exists()
    assert settings.stat().st_mode & 0o777 == 0o640


def test_remove_after_the_person_edited_strips_only_orchestras_entries(
        home: pathlib.Path, program: HookProgram) -> None:
    settings = home / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(PERSONAL, encoding="utf-8")
    install("claude", program, version=LATEST)
    edited = json.loads(settings.read_text("utf-8"))
    edited["hooks"]["Notification"].append(
        {"hooks": [{"type": "command", "command": "say hello"}]})
    edited["theme"] = "light"
    settings.write_text(json.dumps(edited, indent=2), encoding="utf-8")

    assert [c.action for c in remove("claude", program.data_dir)] == ["stripped"]

    left = json.loads(settings.read_text("utf-8"))
    assert ours(left) == []
    assert left["theme"] == "light"
    assert left["hooks"]["Notification"] == [
        {"hooks": [{"type": "command", "command": "say hello"}]}]
    assert left["hooks"]["PreToolUse"] == json.loads(PERSONAL)["hooks"]["PreToolUse"]
    assert set(left["hooks"]) == {"Stop", "PreToolUse", "Notification"}


def test_install_into_a_missing_file_and_remove_leaves_nothing_behind(
        home: pathlib.Path, program: HookProgram) -> None:
    assert [c.action for c in install("claude", program, version=LATEST)] == ["installed"]
    assert (home / ".claude" / "settings.json").exists()
    assert [c.action for c in remove("claude", program.data_dir)] == ["deleted"]
    assert not (home / ".claude").exists()
    assert [c.action for c in remove("claude", program.data_dir)] == ["absent"]


def test_an_older_claude_code_gets_only_the_events_it_knows(
        home: pathlib.Path, program: HookProgram) -> None:
    install("claude", program, version=(2, 0, 50))
    document = json.loads((home / ".claude" / "settings.json").read_text("utf-8"))
    assert "StopFailure" not in ours(document) and "PermissionRequest" in ours(document)


def test_reinstall_from_another_interpreter_replaces_orchestras_entry(
        home: pathlib.Path, program: HookProgram, tmp_path: pathlib.Path) -> None:
    install("claude", program, version=LATEST)
    moved = HookProgram(data_dir=program.data_dir, config=program.config, python="/opt/py/bin/py")
    assert [c.action for c in install("claude", moved, version=LATEST)] == ["updated"]
    document = json.loads((home / ".claude" / "settings.json").read_text("utf-8"))
    commands = {h["command"] for g in document["hooks"]["Stop"] for h in g["hooks"]}
    assert len(commands) == 1 and commands.pop().startswith("/opt/py/bin/py -m")
    rows = status(("claude",), data_dir=program.data_dir)
    assert rows[0].installed and any("interpreter missing" in p for p in rows[0].problems)


def test_project_install_for_every_tool_and_status(
        home: pathlib.Path, program: HookProgram, tmp_path: pathlib.Path) -> None:
    project = tmp_path / "repo"
    (project / ".codex").mkdir(parents=True)
    config_toml = '# my codex\nmodel = "o4"\n\n[projects."/x"]\ntrust_level = "trusted"\n'
    (project / ".codex" / "config.toml").write_text(config_toml, encoding="utf-8")
    for tool in ("claude", "codex", "gemini"):
        install(tool, program, project=project, version=LATEST)

    assert json.loads((project / ".claude" / "settings.local.json").read_text())["hooks"]
    gemini = json.loads((project / ".gemini" / "settings.json").read_text())
    assert gemini["hooks"]["BeforeTool"][0]["hooks"][0]["timeout"] == 10000
    codex_config = (project / ".codex" / "config.toml").read_text("utf-8")
    import tomllib
    parsed = tomllib.loads(codex_config)
    assert parsed["notify"][:3] == [sys.executable, "-m", "orchestra_tui.commands.hook"]
    assert parsed["projects"]["/x"]["trust_level"] == "trusted"
    rows = {(row.tool, row.path.name): row
            for row in status(project=project, data_dir=program.data_dir)}
    assert rows[("codex", "config.toml")].installed and rows[("codex", "hooks.json")].installed
    assert rows[("gemini", "settings.json")].installed

    for tool in ("claude", "codex", "gemini"):
        remove(tool, program.data_dir, project=project)
    assert (project / ".codex" / "config.toml").read_text("utf-8") == config_toml
    assert sorted(p.name for p in project.iterdir()) == [".codex"]
    assert sorted(p.name for p in (project / ".codex").iterdir()) == ["config.toml"]


def test_a_persons_own_codex_notify_is_kept(home: pathlib.Path, program: HookProgram) -> None:
    config = home / ".codex" / "config.toml"
    config.parent.mkdir()
    config.write_text('notify = ["notify-send", "codex"]\n', encoding="utf-8")
    changes = {c.path.name: c.action for c in install("codex", program)}
    assert changes == {"hooks.json": "installed", "config.toml": "skipped"}
    assert config.read_text("utf-8") == 'notify = ["notify-send", "codex"]\n'
    config.write_text("model = \n", encoding="utf-8")
    skipped = [c for c in install("codex", program) if c.path == config]
    assert skipped[0].action == "skipped" and "not valid TOML" in skipped[0].note
    assert config.read_text("utf-8") == "model = \n"


def test_a_broken_settings_file_is_left_alone_with_one_error_line(
        home: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = home / ".gemini" / "settings.json"
    settings.parent.mkdir()
    settings.write_text("{ not json", encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert main(["hooks", "install", "--tool", "gemini"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "not valid JSON" in error
    assert settings.read_text("utf-8") == "{ not json"


def test_the_command_line_round_trip(home: pathlib.Path, tmp_path: pathlib.Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "state"
    settings = home / ".gemini" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"theme": "GitHub"}\n', encoding="utf-8")
    assert main(["hooks", "install", "--tool", "gemini", "--data-dir", str(data)]) == 0
    assert "installed" in capsys.readouterr().out
    assert main(["hooks", "status", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "gemini  user  ~/.gemini/settings.json: installed (SessionStart" in out
    assert "claude  user  ~/.claude/settings.json: not installed" in out
    assert main(["hooks", "remove", "--tool", "gemini", "--data-dir", str(data)]) == 0
    assert settings.read_text("utf-8") == '{"theme": "GitHub"}\n'
    assert main(["hooks", "install", "--data-dir", str(data)]) == 1
    assert "--tool" in capsys.readouterr().err


def test_launch_injection_touches_none_of_the_persons_files(
        home: pathlib.Path, program: HookProgram) -> None:
    claude = launch_injection("claude", program, agent="api", version=LATEST)
    assert claude.args[0] == "--settings"
    injected = json.loads(pathlib.Path(claude.args[1]).read_text("utf-8"))
    assert "--agent api" in injected["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    codex = launch_injection("codex", program, agent="api")
    assert codex.args[0] == "-c" and codex.args[1].startswith("notify=[")
    assert not list(home.iterdir())
    assert with_hooks("codex --full-auto", codex).startswith("codex -c 'notify=[")
    assert with_hooks("claude", LaunchInjection("claude")) == "claude"
