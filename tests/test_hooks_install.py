"""`orchestra hooks install|remove|status` on real settings files: the person's own settings and
hooks kept, idempotent, a backup beside the file, and remove byte for byte as before."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

from orchestra_tui.cli import main
from orchestra_tui.services.hooks.install import (
    HookProgram,
    LaunchInjection,
    install,
    launch_injection,
    remove,
    status,
    with_hooks,
)
from orchestra_tui.services.hooks.tools import (
    HOOK_MODULE,
    NOTIFY_COMMENT,
    claude_events,
    codex_trust_hash,
)

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
    codex = json.loads((project / ".codex" / "hooks.json").read_text())
    assert codex["hooks"]["PreToolUse"][0]["hooks"][0]["timeout"] == 10
    # Codex keeps hook trust in the user's config.toml only: a project's is left alone, and
    # the person trusts the project's hooks once in Codex's /hooks.
    assert (project / ".codex" / "config.toml").read_text("utf-8") == config_toml
    assert not (home / ".codex").exists()
    rows = {(row.tool, row.path.name): row
            for row in status(project=project, data_dir=program.data_dir)}
    assert rows[("codex", "hooks.json")].installed
    assert rows[("gemini", "settings.json")].installed

    for tool in ("claude", "codex", "gemini"):
        remove(tool, program.data_dir, project=project)
    assert (project / ".codex" / "config.toml").read_text("utf-8") == config_toml
    assert sorted(p.name for p in project.iterdir()) == [".codex"]
    assert sorted(p.name for p in (project / ".codex").iterdir()) == ["config.toml"]


def test_codex_hooks_come_with_their_trust_and_leave_with_it(
        home: pathlib.Path, program: HookProgram) -> None:
    """Orchestra's handlers in hooks.json are trusted in config.toml the way Codex's /hooks
    does it (key: file, event, group and handler index); the person's own entries stay."""
    hooks_json, config = home / ".codex" / "hooks.json", home / ".codex" / "config.toml"
    config.parent.mkdir()
    own = {"type": "command", "command": "notify-send done"}
    hooks_json.write_text(json.dumps({"hooks": {"Stop": [{"hooks": [own]}]}}), encoding="utf-8")
    original = (f'notify = ["notify-send", "codex"]\n\n[hooks.state."{hooks_json}:stop:0:0"]\n'
                f'trusted_hash = "{codex_trust_hash("Stop", own)}"\n')
    config.write_text(original, encoding="utf-8")

    changes = {c.path.name: c.action for c in install("codex", program)}
    assert changes == {"hooks.json": "installed", "config.toml": "installed"}
    import tomllib
    state = tomllib.loads(config.read_text("utf-8"))["hooks"]["state"]
    ours = json.loads(hooks_json.read_text())["hooks"]["Stop"][1]["hooks"][0]
    assert state[f"{hooks_json}:stop:1:0"]["trusted_hash"] == codex_trust_hash("Stop", ours)
    assert len(state) == 1 + 6 and config.read_text("utf-8").startswith(original)
    assert [c.action for c in install("codex", program)] == ["unchanged", "unchanged"]
    assert status(("codex",), data_dir=program.data_dir)[1].events == ("trust of 6 hooks",)

    assert [c.action for c in remove("codex", program.data_dir)] == ["restored", "restored"]
    assert config.read_text("utf-8") == original


def test_codex_trust_matches_what_codex_writes() -> None:
    """The hash Codex 0.171's /hooks "Trust all" wrote for a SessionStart command handler."""
    handler = {"type": "command", "timeout": 10, "command":
               "/work/main/.venv/bin/python -m orchestra_tui.commands.hook --tool codex "
               "--data-dir /tmp/cx/data --config /tmp/cx/orch.toml"}
    assert codex_trust_hash("SessionStart", handler) == (
        "sha256:c5584f41b90610b01fc67b21aba7efce45cb55fd88a90b7c28090182985c9028")


def test_an_older_installs_codex_notify_goes_and_a_broken_config_is_left_alone(
        home: pathlib.Path, program: HookProgram) -> None:
    config = home / ".codex" / "config.toml"
    config.parent.mkdir()
    config.write_text(f"{NOTIFY_COMMENT}\nnotify = [\"/py\", \"-m\", \"{HOOK_MODULE}\"]\n"
                      'model = "o4"\n', encoding="utf-8")
    install("codex", program)
    assert "notify" not in config.read_text("utf-8")
    remove("codex", program.data_dir)
    assert config.read_text("utf-8") == 'model = "o4"\n'
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
    assert "gemini   user  ~/.gemini/settings.json: installed (SessionStart" in out
    assert "claude   user  ~/.claude/settings.json: not installed" in out
    assert main(["hooks", "remove", "--tool", "gemini", "--data-dir", str(data)]) == 0
    assert settings.read_text("utf-8") == '{"theme": "GitHub"}\n'
    assert main(["hooks", "install", "--data-dir", str(data)]) == 2  # a usage error
    assert "--tool" in capsys.readouterr().err


def test_launch_injection_touches_none_of_the_persons_files(
        home: pathlib.Path, program: HookProgram) -> None:
    claude = launch_injection("claude", program, agent="api", version=LATEST)
    assert claude.args[0] == "--settings"
    injected = json.loads(pathlib.Path(claude.args[1]).read_text("utf-8"))
    assert "--agent api" in injected["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    codex = launch_injection("codex", program, agent="api")
    assert codex.args[0] == "-c" and codex.args[1].startswith("hooks = {SessionStart = [")
    import tomllib
    layer = tomllib.loads(codex.args[1])["hooks"]
    assert "--agent api" in layer["PreToolUse"][0]["hooks"][0]["command"]
    assert layer["state"]["/<session-flags>/config.toml:stop:0:0"]["trusted_hash"] == (
        codex_trust_hash("Stop", layer["Stop"][0]["hooks"][0]))
    assert not list(home.iterdir())
    assert with_hooks("codex --full-auto", codex).startswith("codex -c 'hooks = {")
    assert with_hooks("claude", LaunchInjection("claude")) == "claude"
