"""The command line as a person uses it from a shell, run as a real process: the global options
before or after the subcommand, one line on stderr for every error, `init --print` with no
agents, and `--data-dir`."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest

from orchestra_tui.config import load_config
from orchestra_tui.services.store.journal import Journal
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, start_fake_agent


def orchestra(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "orchestra_tui", *args], cwd=cwd or str(REPO),
                          env=env, capture_output=True, text=True, timeout=120)


async def run(*args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(orchestra, *args)


@pytest.fixture
async def fleet(tmux, tmp_path):
    """Two simulated agents on a test server, and a config naming one of them."""
    await start_fake_agent(tmux, "codex", tmp_path / "api.jsonl", session="api")
    await start_fake_agent(tmux, "claude", tmp_path / "web.jsonl", session="web")
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "api"\ntool = "codex"\ntarget = "api"\n')
    return tmux.runner.socket_name, config


def names(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return sorted(row["name"] for row in json.loads(result.stdout))


async def test_global_options_before_or_after_the_subcommand_mean_the_same(fleet):
    socket_name, config = fleet

    async def both_found() -> list[str] | None:
        found = names(await run("-L", socket_name, "status", "--json"))
        return found if found == ["api", "web"] else None

    # With no config every agent pane on the server is one: both are found once started.
    await async_wait_until(both_found, timeout=30, message="both agents discovered")
    assert names(await run("status", "-L", socket_name, "--json")) == ["api", "web"]
    assert names(await run("status", "--json", "--config", str(config), "-L",
                           socket_name)) == ["api"]
    assert names(await run("--config", str(config), "status", "-L", socket_name,
                           "--json")) == ["api"]
    # Given twice, the one after the subcommand wins, as a later option does.
    assert names(await run("-L", "orch-no-such-server", "status", "-L", socket_name,
                           "--json", "--config", str(config))) == ["api"]


@pytest.mark.parametrize("argv", [
    ["foo"],
    ["--bogus"],
    ["status", "--bogus", "value"],
    ["log", "--since", "soon"],
    ["send"],
    ["report", "--json", "--markdown"],
    ["-L", "one", "status", "-S", "/tmp/two"],
    ["status", "-L", "orch-no-such-server-here"],
    ["status", "--config", "/nonexistent/orchestra.toml"],
    ["detect", "/nonexistent/screen.txt"],
    ["detect", "--tool", "vim"],
], ids=" ".join)
def test_every_error_is_one_line_on_stderr(argv, tmp_path):
    result = orchestra(*argv)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("orchestra")
    assert "usage:" not in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_command_names_the_commands():
    result = orchestra("stauts")
    assert result.returncode == 2
    assert result.stderr.startswith("orchestra: unknown command 'stauts' (try: status, detect,")


def test_init_print_with_no_agents_prints_the_commented_template(tmp_path):
    result = orchestra("init", "--print", "-L", f"orch-none-{tmp_path.name}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# orchestra config")
    assert "# [[agent]]" in result.stdout and "# name = " in result.stdout
    written = tmp_path / "config.toml"
    written.write_text(result.stdout)
    config = load_config(str(written))
    assert config.agents == () and config.tmux.socket_name == f"orch-none-{tmp_path.name}"


def test_data_dir_picks_the_journal(tmp_path):
    Journal(tmp_path / "state" / "journal.jsonl").append("approval", "api")
    result = orchestra("log", "--json", "--data-dir", str(tmp_path / "state"))
    assert result.returncode == 0, result.stderr
    assert [(entry["event"], entry["agent"]) for entry in json.loads(result.stdout)] == [
        ("approval", "api")]
    elsewhere = orchestra("--data-dir", str(tmp_path / "empty"), "log", "--json")
    assert json.loads(elsewhere.stdout) == []
