"""discover_agent_panes on real panes: node running claude/codex/gemini, python running aider,
an agent under a shell, the simulated agent, a plain shell and a plain program."""

from __future__ import annotations

import pathlib
import shlex
import sys

from orchestra_tui.services import discovery
from orchestra_tui.services.discovery import (
    DiscoveredPane,
    discover_agent_panes,
    local_tool_from_command,
)
from orchestra_tui.services.tmux import TmuxService
from tests.helpers import async_wait_until
from tests.tmux_fixtures import fake_agent_argv, start_fake_agent

SLEEPER_JS = "setInterval(() => {}, 1000);\n"
SLEEPER_PY = "import time\nwhile True:\n    time.sleep(1)\n"


def _script(root: pathlib.Path, relative: str, body: str) -> str:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    return str(path)


async def _discover_when(tmux: TmuxService, expected: dict[str, str | None],
                         panes=None) -> dict[str, DiscoveredPane]:
    """Discover until every pane's program has started (shells forking, node loading)."""
    last: list[object] = []

    async def found():
        by_session = {d.pane.session_name: d
                      for d in await discover_agent_panes(tmux, panes=panes)}
        last[:] = [{session: (d.tool, d.argv) for session, d in by_session.items()}]
        tools = {session: d.tool for session, d in by_session.items()}
        return by_session if tools == expected else None

    try:
        return await async_wait_until(found, message="every pane classified")
    except AssertionError as error:
        raise AssertionError(f"{error}: last saw {last}") from None


async def test_discovers_each_agent_from_its_process_tree(tmux: TmuxService,
                                                          tmp_path: pathlib.Path):
    claude_js = _script(tmp_path, "lib/node_modules/@anthropic-ai/claude-code/cli.js", SLEEPER_JS)
    codex_js = _script(tmp_path, "lib/node_modules/@openai/codex/bin/codex.js", SLEEPER_JS)
    gemini_js = _script(tmp_path, "lib/node_modules/@google/gemini-cli/dist/index.js",
                        SLEEPER_JS)
    aider = _script(tmp_path, "bin/aider", SLEEPER_PY)
    q = shlex.quote
    await tmux.start(f"exec node {q(claude_js)}", session="claude")
    await tmux.start(f"exec node {q(codex_js)} --full-auto", session="codex")
    await tmux.start(["node", gemini_js], session="gemini")
    # under a shell that stays the pane's process: the agent is its child
    await tmux.start(f"{q(sys.executable)} {q(aider)} --model x; echo done", session="aider")
    await tmux.start("bash --norc", session="shell")
    await tmux.start("exec sleep 60", session="plain")
    await start_fake_agent(tmux, "claude", tmp_path / "log.jsonl", session="fake")
    tmux.runner.calls.clear()

    expected = {"claude": "claude", "codex": "codex", "gemini": "gemini", "aider": "aider",
                "shell": "shell", "plain": None, "fake": "claude"}
    found = await _discover_when(tmux, expected)

    assert found["claude"].argv.startswith("node ") and claude_js in found["claude"].argv
    assert found["aider"].argv.endswith(f"{aider} --model x")
    assert found["aider"].pane.current_command != "aider"  # only the tree tells
    assert "fake_agent" in found["fake"].argv
    assert found["plain"].argv.startswith("sleep")
    assert sum(call[0] == "list-panes" for call in tmux.runner.calls) >= 1


async def test_ps_fallback_and_given_panes(tmux: TmuxService, tmp_path: pathlib.Path,
                                           monkeypatch):
    aider = _script(tmp_path, "bin/aider", SLEEPER_PY)
    await tmux.start(f"{shlex.quote(sys.executable)} {shlex.quote(aider)}; true", session="aider")
    await tmux.start(fake_agent_argv("codex", tmp_path / "l.jsonl"), session="fake",
                     env={"PYTHONPATH": str(pathlib.Path(__file__).resolve().parent.parent)})
    monkeypatch.setattr(discovery, "_proc_tree", lambda roots: None)  # as on macOS
    panes = await tmux.list_panes()
    tmux.runner.calls.clear()

    await _discover_when(tmux, {"aider": "aider", "fake": "codex"}, panes=panes)
    assert tmux.runner.calls == []  # panes given: no tmux call at all


def test_tool_from_command_forms():
    cases = {
        "node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js": "claude",
        "claude --resume": "claude",
        "/home/u/.local/share/claude/versions/2.1.29": "claude",
        "node /usr/local/bin/codex exec": "codex",
        "/x/@openai/codex/vendor/x86_64-unknown-linux-musl/codex/codex": "codex",
        "npx @google/gemini-cli": "gemini",
        "node --max-old-space-size=4096 /opt/bin/gemini": "gemini",
        "python3 -m aider --model sonnet": "aider",
        "/usr/bin/python3 /home/u/.local/bin/aider": "aider",
        "uv run aider": "aider",
        "env FOO=1 claude": "claude",
        "python -m orchestra_tui.demo.fake_agent --flavor claude": "claude",
        "bash": None, "vim codex.md": None, "cat claude": None, "python3 app.py": None,
    }
    assert {argv: local_tool_from_command(argv) for argv in cases} == cases
