"""discover_agent_panes on real panes: node running claude/codex/gemini, python running aider,
an agent under a shell, the simulated agent, a plain shell and a plain program."""

from __future__ import annotations

import pathlib
import shlex
import sys

import pytest

from orchestra_tui.models import PaneInfo
from orchestra_tui.services.tmux import discovery
from orchestra_tui.services.tmux.discovery import (
    DiscoveredPane,
    classify_pane,
    discover_agent_panes,
)
from orchestra_tui.services.tmux.service import TmuxService
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


def _pane(command: str, *, dead: bool = False) -> PaneInfo:
    return PaneInfo("%1", 100, "s", 0, 0, command, "/", "", dead, 0, 80, 24)


FORMS = {
    "node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js": "claude",
    "claude --resume": "claude",
    "node /usr/local/bin/codex exec": "codex",
    "/x/@openai/codex/vendor/x86_64-unknown-linux-musl/codex/codex": "codex",
    "npx @google/gemini-cli": "gemini",
    "node --max-old-space-size=4096 /opt/bin/gemini": "gemini",
    "python3 -m aider --model sonnet": "aider",
    "/usr/bin/python3 /home/u/.local/bin/aider": "aider",
    "uv run aider": "aider",
    "python -m orchestra_tui.demo.fake_agent --flavor claude": "claude",
    "vim codex.md": None, "cat claude": None, "python3 app.py": None,
}


@pytest.mark.parametrize("argv,tool", FORMS.items(), ids=list(FORMS))
def test_the_nearest_agent_under_a_shell_decides(argv: str, tool: str | None) -> None:
    """A pane runs bash; the process below it is `argv`. `agents.tool_from_command` names it."""
    table = {100: (1, "bash"), 200: (100, argv)}
    found = classify_pane(_pane("bash"), table)
    assert (found.tool, found.argv) == ((tool, argv) if tool else ("shell", "bash"))


def test_a_dead_shell_pane_is_no_tool_and_a_plain_program_is_none() -> None:
    assert classify_pane(_pane("bash", dead=True), {100: (1, "bash")}).tool is None
    for shell in ("-zsh", "nu", "xonsh"):
        assert classify_pane(_pane(shell), {100: (1, shell)}).tool == "shell"
    assert classify_pane(_pane("sleep"), {100: (1, "sleep 60")}).tool is None


# Forms the old detector of this module knew, now known to `agents.tool_from_command`, the one
# source of tool names.
LESS_COMMON_FORMS = {
    "/home/u/.local/share/claude/versions/2.1.29": "claude",  # the native installer
    "env FOO=1 claude": "claude",
    "/usr/bin/python3 /src/orchestra_tui/demo/fake_agent.py --flavor gemini": "gemini",
}


@pytest.mark.parametrize("argv,tool", LESS_COMMON_FORMS.items(), ids=list(LESS_COMMON_FORMS))
def test_the_native_installer_env_prefixes_and_a_script_path_are_recognised(
        argv: str, tool: str) -> None:
    from orchestra_tui.agents import tool_from_command

    assert tool_from_command(argv) == tool
