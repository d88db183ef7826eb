"""The real Claude Code CLI (npm `@anthropic-ai/claude-code`) in a real tmux pane, offline
against the scripted Anthropic API on loopback: a draft the person typed into its composer makes
`orchestra send` refuse, in one line, with nothing typed and nothing sent to the model; once the
person clears it (ctrl-u), the same send goes, alone.

Skipped, with the reason, where the CLI is not installed; `.ci/run` installs it.
"""

from __future__ import annotations

import asyncio
import pathlib
import subprocess
import sys
from collections.abc import Iterator

import pytest

from orchestra_tui.agents.draft import composer_draft
from orchestra_tui.services.tmux.service import TmuxService
from tests.fake_anthropic_api import FakeAnthropicAPI, _last_user_content, _prompt_text
from tests.helpers import async_wait_until
from tests.real_cli import (
    CLAUDE,
    CLAUDE_MISSING,
    STARTUP_SECONDS,
    claude_command,
    claude_home,
    wait_for_pane,
)
from tests.tmux_fixtures import REPO, screen

pytestmark = [pytest.mark.real_cli, pytest.mark.skipif(CLAUDE is None, reason=CLAUDE_MISSING)]
DRAFT = "please refactor the"


@pytest.fixture
def api() -> Iterator[FakeAnthropicAPI]:
    server = FakeAnthropicAPI.start()
    yield server
    server.stop()


async def _start_claude(tmux: TmuxService, root: pathlib.Path, api: FakeAnthropicAPI) -> str:
    home, work = root / "home", root / "work"
    work.mkdir(parents=True)
    claude_home(home, work)
    pane = await tmux.start(["sh", "-c", claude_command(home, api.base_url)], cwd=str(work),
                            session="api", width=120, height=40)
    await wait_for_pane(tmux, pane.pane_id, lambda s: "? for shortcuts" in s,
                        "Claude Code's composer", STARTUP_SECONDS)
    return pane.pane_id


def _prompts(api: FakeAnthropicAPI) -> list[str]:
    """The person's prompts the model was asked about (tool-using requests only: the side
    requests Claude Code makes for titles carry no tools)."""
    return [_prompt_text(_last_user_content(body)) for body in api.requests
            if body.get("tools")]


async def _orchestra_send(tmux: TmuxService, root: pathlib.Path, text: str):
    config = root / "config.toml"
    config.write_text('[[agent]]\nname = "api"\ntool = "claude"\ntarget = "api"\n')
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "orchestra_tui", "--config", str(config),
         "-L", tmux.runner.socket_name, "send", "api", text],
        capture_output=True, text=True, cwd=REPO, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
             "XDG_DATA_HOME": str(root / "xdg")})


async def test_a_draft_in_claude_codes_composer_refuses_the_send_until_cleared(
        tmux: TmuxService, tmp_path: pathlib.Path, api: FakeAnthropicAPI) -> None:
    pane_id = await _start_claude(tmux, tmp_path, api)
    empty = await screen(tmux, pane_id, ansi=True)
    assert composer_draft(empty) == ""

    await tmux.run("send-keys", "-t", pane_id, "-l", "--", DRAFT)
    before = await wait_for_pane(tmux, pane_id, lambda s: composer_draft(s) == DRAFT,
                                    "the person's draft in the composer", ansi=True)
    refused = await _orchestra_send(tmux, tmp_path, "say hello")
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr == (f'orchestra: api\'s prompt box holds unsent text: "{DRAFT}"; '
                              "not sent\n")
    assert composer_draft(await screen(tmux, pane_id, ansi=True)) == DRAFT
    assert "say hello" not in await screen(tmux, pane_id)
    assert _prompts(api) == []

    await tmux.run("send-keys", "-t", pane_id, "C-u")  # Claude Code: delete to line start
    await wait_for_pane(tmux, pane_id, lambda s: DRAFT not in s and composer_draft(s) == "",
                           "the composer cleared", ansi=True)
    sent = await _orchestra_send(tmux, tmp_path, "say hello")
    assert sent.returncode == 0, sent.stderr

    async def asked() -> list[str]:
        return _prompts(api)

    prompts = await async_wait_until(asked, timeout=60, interval=0.2,
                                     message="the prompt reaching the model")
    assert prompts[-1] == "say hello", (prompts, before)
