"""A config file some editors save with a UTF-8 byte order mark, and floats TOML spells `nan`
and `inf`: read as the person meant, or one line naming the key."""

from __future__ import annotations

import pytest

from orchestra_tui.cli import main
from orchestra_tui.config import load_config
from orchestra_tui.errors import ConfigError

BOM = b"\xef\xbb\xbf"


def test_a_config_starting_with_a_bom_is_read(tmp_path):
    config = tmp_path / "config.toml"
    config.write_bytes(BOM + b'[ui]\npoll_seconds = 2.5\n\n[[agent]]\nname = "api"\n'
                             b'tool = "codex"\ntarget = "api"\n')
    loaded = load_config(config)
    assert loaded.ui.poll_seconds == 2.5 and [a.name for a in loaded.agents] == ["api"]


def test_a_bom_config_with_a_mistake_still_names_the_right_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_bytes(BOM + b'[ui]\npoll_seconds = "fast"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value).startswith(f"{config}:2: ui.poll_seconds")


def test_status_with_a_bom_config_is_no_syntax_error(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_bytes(BOM + b'[ui]\npoll_seconds = 2\n')
    main(["--config", str(config), "-L", "orch-test-none", "--data-dir", str(tmp_path / "d"),
          "status"])
    assert "Invalid statement" not in capsys.readouterr().err


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
def test_nan_and_infinite_numbers_are_one_line_naming_the_key(tmp_path, value):
    config = tmp_path / "config.toml"
    config.write_text(f"[ui]\nstuck_after_seconds = {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value).count("\n") == 0
    assert f"{config}:2: ui.stuck_after_seconds" in str(caught.value)
