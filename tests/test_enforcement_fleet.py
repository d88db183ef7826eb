"""Enforcement an agent asks for and does not get is a loud state of that agent: an alert in
the fleet (and so in `status`, the app's row and "needs you"), never only a journal line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.tmux_fixtures import REPO, start_fake_agent

pytestmark = pytest.mark.slow


async def test_an_agent_whose_enforcement_is_off_carries_an_alert(tmux, tmp_path):
    await start_fake_agent(tmux, "codex", tmp_path / "agent.jsonl", session="infra")
    config = tmp_path / "config.toml"
    # Aider has no pre-tool hook: its forbidden commands can only be spotted, not stopped.
    config.write_text('[[agent]]\nname = "infra"\ntool = "aider"\ntarget = "infra"\n'
                      "enforce = true\n")
    done = subprocess.run(
        [sys.executable, "-m", "orchestra_tui", "--config", str(config), "-L",
         tmux.runner.socket_name, "--data-dir", str(tmp_path / "data"), "status", "--json"],
        capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout)
    assert any(alert.startswith("enforcement off: enforce is on, but aider has no pre-tool")
               for alert in row["alerts"]), row
