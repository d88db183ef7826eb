"""`orchestra why` on a real Claude Code under orchestra's hooks (offline, against the scripted
API): run as a person would, it says the agent waits for approval, that its hook told so, which
command the dialog asks about, and what to press; after the answer, that it is idle."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from tests.test_app_real_cli import Claude, api, claude, needs_claude  # noqa: F401 (fixtures)

pytestmark = pytest.mark.real_cli


async def why(agent: Claude) -> dict:
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "orchestra_tui", "why", "api", "--json", "--config",
         str(agent.config), "--data-dir", str(agent.data), "-L", agent.tmux.runner.socket_name],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    told: dict = json.loads(done.stdout)
    return told


@needs_claude
async def test_why_explains_a_real_claude_code_dialog_told_by_its_hook(
        claude: Claude) -> None:  # noqa: F811 (the fixture)
    await claude.start()
    before = claude.count("PermissionRequest")
    await claude.prompt("run: touch EXPLAINED")
    await claude.wait_for_event("PermissionRequest", more_than=before)
    await claude.wait_for_screen(lambda text: claude.question in text, "the agent's dialog")
    told = await why(claude)
    words = json.dumps(told)
    assert told["state"] == "approval", words
    assert "hook" in words.lower() and "touch EXPLAINED" in words, words
    assert "y approves" in told["next"], told["next"]
    await claude.answer_dialog("Enter")
    await claude.wait_for_event("Stop")
    await claude.wait_for_screen(lambda text: claude.question not in text, "the dialog gone")
    assert (claude.work / "EXPLAINED").exists()
