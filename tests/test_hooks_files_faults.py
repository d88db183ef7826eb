"""`orchestra hooks install|remove` on settings files that are not plain: a symlink (dotfiles in
a repository) is written through and stays a link, a read-only file is refused in one line, a
number JSON tools cannot read back is refused rather than rewritten as `Infinity`."""

from __future__ import annotations

import json
import pathlib
import stat

import pytest

from orchestra_tui.cli import main
from orchestra_tui.services.hooks.install import HookProgram, install, remove

PERSONAL = '{\n  "model": "opus",\n  "hooks": {}\n}\n'
LATEST = (2, 1, 332)


@pytest.fixture
def home(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("CLAUDE_CONFIG_DIR", "CODEX_HOME"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "home" / ".claude").mkdir(parents=True)
    return tmp_path / "home"


@pytest.fixture
def program(tmp_path: pathlib.Path) -> HookProgram:
    return HookProgram(data_dir=tmp_path / "data", config=tmp_path / "config.toml")


def test_a_symlinked_settings_file_is_written_through_and_stays_a_link(home, program, tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "claude-settings.json"
    target.write_text(PERSONAL)
    link = home / ".claude" / "settings.json"
    link.symlink_to(target)

    assert [c.action for c in install("claude", program, version=LATEST)] == ["installed"]
    assert link.is_symlink() and link.resolve() == target
    assert "orchestra_tui.commands.hook" in target.read_text()
    assert (dotfiles / "claude-settings.json.orchestra-backup").read_text() == PERSONAL
    assert not (home / ".claude" / "settings.json.orchestra-backup").exists()

    assert [c.action for c in remove("claude", program.data_dir)] == ["restored"]
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text() == PERSONAL


def test_a_read_only_settings_file_is_refused_in_one_line(home, program, capsys):
    settings = home / ".claude" / "settings.json"
    settings.write_text(PERSONAL)
    settings.chmod(0o444)
    argv = ["--data-dir", str(program.data_dir), "hooks", "install", "--tool", "claude"]
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert error.startswith("orchestra: ~/.claude/settings.json: read-only (mode 0444)")
    assert settings.read_text() == PERSONAL and stat.S_IMODE(settings.stat().st_mode) == 0o444
    assert not (home / ".claude" / "settings.json.orchestra-backup").exists()


def test_remove_from_a_file_made_read_only_since_is_refused_too(home, program):
    settings = home / ".claude" / "settings.json"
    settings.write_text(PERSONAL)
    install("claude", program, version=LATEST)
    installed = settings.read_bytes()
    settings.chmod(0o400)
    with pytest.raises(Exception, match="read-only"):
        remove("claude", program.data_dir)
    assert settings.read_bytes() == installed


@pytest.mark.parametrize("literal", ["1e400", "-1e400", "NaN", "Infinity"])
def test_a_number_json_cannot_read_back_is_refused_not_rewritten(home, program, capsys,
                                                                 literal):
    settings = home / ".claude" / "settings.json"
    original = f'{{\n  "model": "opus",\n  "budget": {literal}\n}}\n'
    settings.write_text(original)
    argv = ["--data-dir", str(program.data_dir), "hooks", "install", "--tool", "claude"]
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "orchestra leaves it alone" in error
    assert literal in error
    assert settings.read_text() == original


def test_ordinary_numbers_survive_install_and_remove(home, program):
    settings = home / ".claude" / "settings.json"
    settings.write_text('{\n  "limit": 1e300,\n  "big": 123456789012345678901234567890\n}\n')
    install("claude", program, version=LATEST)
    document = json.loads(settings.read_text())
    assert document["limit"] == 1e300 and document["big"] == 123456789012345678901234567890
