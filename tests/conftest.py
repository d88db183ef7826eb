"""Fixtures shared by every test module. Module-specific fixtures live beside their tests."""

from __future__ import annotations

import os

import pytest

# Fixtures every module may use, made visible to all tests from here.
from tests import loop_teardown
from tests.ssh_fixtures import remote_tmux, ssh_host  # noqa: F401
from tests.tmux_fixtures import tmux  # noqa: F401

loop_teardown.install()


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the real user's config, data and GitHub token."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    for name in ("ORCHESTRA_CONFIG", "GH_TOKEN", "GITHUB_TOKEN", "GH_HOST", "ORCHESTRA_GITHUB_API"):
        monkeypatch.delenv(name, raising=False)
    os.environ.pop("TMUX", None)
