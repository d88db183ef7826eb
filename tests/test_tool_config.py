"""`[[tool]]`: a CLI orchestra has no profile for, defined in the config by its markers, read
as the built-in ones are. The CLI here is "tinker", made up (`demo/fake_tinker.py` draws it as
the simulated agent's `--flavor tinker`): nothing in orchestra knows its rows but this config.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from collections.abc import Iterator

import pytest

from orchestra_tui import agents
from orchestra_tui.agents.profiles import use_profiles
from orchestra_tui.bootstrap import Boot
from orchestra_tui.config import parse_config
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.errors import ConfigError
from orchestra_tui.models import State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.ask import AskScreen
from tests.helpers import pilot_wait_until
from tests.tmux_fixtures import REPO, fake_agent_argv, logged_prompts, screen, wait_for_screen

TINKER = r"""
[[tool]]
name = "tinker"
command = '(^|/)tinker$'
signatures = ['^tinker>(?: |$)', '^  tinker \d+\.\d+ -- ']
composer = '^tinker>(?: |$)'
working = ['^~ busy (?P<el>(?:\d+m )?\d+s)$']
finished = ['^== done in \S+$']
errors = ['^!! error: ']
dialog = ['\[a\] allow\s+\[d\] deny']
approve = ["a"]
deny = ["d"]
continue_text = "go on"
"""

IDLE_SCREEN = ("  tinker 0.3 -- a made-up agent CLI\n\nyou: hi\n\n== done in 3s\n\n"
               "tinker> \n  ctx 90%")
WORKING_SCREEN = "  tinker 0.3 -- a made-up agent CLI\n\nyou: hi\n\n~ busy 1m 4s\n\ntinker> \n"
DIALOG_SCREEN = ("  tinker 0.3 -- a made-up agent CLI\n\nyou: hi\n\n"
                 "?? tinker wants to run: rm -rf build\n   [a] allow   [d] deny")
ERROR_SCREEN = "you: hi\n\n!! error: upstream said 503, try again\n\ntinker> \n  ctx 90%"


@pytest.fixture(autouse=True)
def built_in_profiles_after() -> Iterator[None]:
    """The registry is the process's: every test leaves it as it found it."""
    yield
    use_profiles(())


def _config(tmp_path: pathlib.Path, text: str = TINKER):
    return parse_config(text, tmp_path / "config.toml")


def _problems(tmp_path: pathlib.Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        _config(tmp_path, text)
    return str(raised.value).splitlines()


# -- the table, checked like every other ---------------------------------------------------------

def test_a_tool_table_becomes_a_profile_the_agents_may_name(tmp_path) -> None:
    config = _config(tmp_path, TINKER + '[[agent]]\nname = "tk"\ntool = "tinker"\n')
    [tool] = config.tools
    assert tool.name == "tinker" and tool.continue_text == "go on"
    assert (tool.keys.approve, tool.keys.deny) == (("a",), ("d",))
    assert config.agent("tk").tool == "tinker"


def test_problems_name_the_file_the_line_and_the_key(tmp_path) -> None:
    text = ('[[tool]]\nname = "claude"\ncomposer = "^> "\n\n'
            '[[tool]]\nname = "zap"\ncomposer = "(unclosed"\nworking = ["ok", "[bad"]\n'
            'dialog = "Allow\\\\?"\napprove = ["a"]\ncomand = 1\n\n'
            '[[agent]]\nname = "x"\ntool = "zip"\n')
    shown = str(tmp_path / "config.toml")
    assert _problems(tmp_path, text) == [
        f'{shown}:2: tool[1].name: "claude" is a built-in tool: name yours otherwise',
        # a missing key: the line of its table
        f"{shown}:5: tool[2].deny: missing: a tool with a dialog needs the keys that answer it",
        f"{shown}:7: tool[2].composer: bad regular expression '(unclosed': missing ), "
        "unterminated subpattern at position 0",
        f"{shown}:8: tool[2].working[2]: bad regular expression '[bad': unterminated "
        "character set at position 0",
        f'{shown}:11: unknown key "comand" in [[tool]] (did you mean "command"?)',
        f'{shown}:15: agent[1].tool: "zip" is not one of codex, claude, gemini, aider, '
        "opencode, copilot, qwen, shell, auto",
    ]


def test_a_tool_needs_a_composer_a_good_name_and_one_table_per_name(tmp_path) -> None:
    text = ('[[tool]]\nname = "Tinker Bell"\n\n[[tool]]\nname = "auto"\ncomposer = "> "\n\n'
            '[[tool]]\nname = "ok"\ncomposer = "> "\napprove = "C c"\n\n'
            '[[tool]]\nname = "ok"\ncomposer = ""\n')
    problems = "\n".join(_problems(tmp_path, text))
    assert 'tool[1].name: "Tinker Bell" is not a tool name' in problems
    assert "tool[1].composer: missing" in problems
    assert 'tool[2].name: "auto" is a built-in tool' in problems
    assert 'tool[3].approve[1]: "C c" is not a tmux key name' in problems
    assert 'tool[4].name: duplicate tool name "ok"' not in problems  # tool[3] was refused
    assert "tool[4].composer: must not be empty" in problems


def test_the_readme_example_reads_the_made_up_cli(tmp_path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme.split("### Adding a CLI with `[[tool]]`")[1].split("```toml")[1]
    use_profiles(_config(tmp_path, example.split("```")[0]).tools)
    assert [str(agents.classify(text).state) for text in (
        IDLE_SCREEN, WORKING_SCREEN, DIALOG_SCREEN, ERROR_SCREEN)] == [
        "idle", "working", "approval", "blocked"]


def test_a_numbered_list_of_its_option_rows_under_a_question_is_its_dialog(tmp_path) -> None:
    use_profiles(_config(tmp_path, TINKER + "options = '^\\s*\\d+\\. \\S'\n").tools)
    asked = "you: hi\n\nRun make deploy?\n  1. yes\n  2. no, say why"
    reading = agents.classify(asked, "tinker")
    assert (str(reading.state), reading.dialog) == ("approval", "choice"), reading.reason
    answered = asked + "\n\n~ busy 3s\n\ntinker> "
    assert str(agents.classify(answered, "tinker").state) == "working"


# -- the registry the composition root fills -----------------------------------------------------

def test_bootstrap_adds_the_configured_tool_to_every_reader(tmp_path) -> None:
    fake = " ".join(fake_agent_argv("tinker", tmp_path / "log"))
    assert agents.tool_from_command(fake) is None  # before: nobody knows tinker
    assert agents.classify(IDLE_SCREEN).tool == "unknown"
    Boot(_config(tmp_path), data_dir=tmp_path)
    assert agents.is_agent_tool("tinker") and "tinker" in agents.tool_names()
    assert agents.tool_from_command(fake) == "tinker"
    assert agents.tool_from_command("/opt/tinker/bin/tinker --fast") == "tinker"
    assert agents.tool_from_command("tinkerer") is None
    assert agents.tool_from_command("claude") == "claude"  # the built-ins come first
    assert agents.answer_keys("tinker", "exec", approve=True) == ["a"]
    readings = {name: agents.classify(text) for name, text in (
        ("idle", IDLE_SCREEN), ("working", WORKING_SCREEN), ("approval", DIALOG_SCREEN),
        ("blocked", ERROR_SCREEN))}
    assert {name: (d.tool, str(d.state)) for name, d in readings.items()} == {
        "idle": ("tinker", "idle"), "working": ("tinker", "working"),
        "approval": ("tinker", "approval"), "blocked": ("tinker", "blocked")}
    assert readings["working"].elapsed_seconds == 64
    assert readings["idle"].reason == 'idle: composer "t" under "== done in 3s"'
    Boot(parse_config("", tmp_path / "empty.toml"), data_dir=tmp_path)
    assert not agents.is_agent_tool("tinker")  # a config without it: gone again


def _orchestra(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "orchestra_tui", *args], input=stdin,
                          capture_output=True, text=True, timeout=60, cwd=REPO)


def test_detect_takes_a_configured_tool(tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(TINKER, encoding="utf-8")
    named = _orchestra("detect", "--config", str(config), "--tool", "tinker", "--json",
                       stdin=DIALOG_SCREEN)
    assert named.returncode == 0, named.stderr
    assert json.loads(named.stdout)["state"] == "approval"
    recognised = _orchestra("detect", "--config", str(config), "--json", stdin=WORKING_SCREEN)
    assert json.loads(recognised.stdout)["tool"] == "tinker"
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    unknown = _orchestra("detect", "--tool", "tinker", "--config", str(empty), stdin="x")
    assert unknown.returncode == 2 and "invalid choice: 'tinker'" in unknown.stderr
    wrong = _orchestra("detect", "--config", str(config), "--tool", "tinkr", stdin="x")
    assert wrong.returncode == 2
    assert "invalid choice: 'tinkr'" in wrong.stderr and "qwen, tinker, shell" in wrong.stderr


# -- over a real tmux server, in the app ---------------------------------------------------------

async def test_the_app_reads_a_configured_cli_and_y_answers_with_its_key(tmux, tmp_path) -> None:
    """The simulated tinker in a real pane goes idle, working, approval; `y` in the app
    answers its dialog with the configured key ("a": tinker takes neither y nor Enter); on
    its error row it is blocked, and `c` types the configured continue text."""
    log = tmp_path / "agent.jsonl"
    config = _config(tmp_path, TINKER + '[[agent]]\nname = "tk"\ntool = "auto"\ntarget = "tk"\n')
    Boot(config, data_dir=tmp_path)
    pane = await tmux.start(fake_agent_argv("tinker", log, work=4.0), cwd=str(REPO),
                            session="tk", width=100, height=30, env={"PYTHONPATH": str(REPO)})
    await wait_for_screen(tmux, pane.pane_id, lambda s: "tinker> " in s, message="tinker up")
    store = QueueStore(tmp_path / "data")
    store.load()
    fleet = Fleet(tmux, list(config.agents), store=store,
                  journal=Journal(tmp_path / "data" / "journal.jsonl"),
                  settings=FleetSettings(idle_debounce=0.3))
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.1, bell=False))
    seen: list[tuple[State, str]] = []

    async def reaches(state: State) -> None:
        def now_in() -> bool:
            view = app.snapshot.get("tk")
            if view is None:
                return False
            seen.append((view.status.state, view.status.reason))
            return view.status.state is state and view.status.tool == "tinker"
        await pilot_wait_until(pilot, now_in, timeout=30, message=f"tk {state}: {seen[-3:]}")

    async with app.run_test(size=(120, 35)) as pilot:
        await reaches(State.IDLE)
        await tmux.send_text(pane.pane_id, "build it")
        await reaches(State.WORKING)
        await reaches(State.IDLE)
        await tmux.send_text(pane.pane_id, "ship it [approve make deploy]")
        await reaches(State.APPROVAL)
        await pilot.press("y")
        await pilot_wait_until(pilot, lambda: fleet.journal.read(events=("approval",)),
                               timeout=20, message="the approval journaled")
        await reaches(State.IDLE)
        text = await screen(tmux, pane.pane_id)
        assert "[a] allow" not in text and text.count("== done in 4s") == 2, text
        await tmux.send_text(pane.pane_id, "call the api [error]")
        await reaches(State.BLOCKED)
        await pilot.press("c")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, AskScreen), message="asked")
        await pilot.press("y")
        await pilot_wait_until(pilot, lambda: logged_prompts(log)[-1:] == ["go on"], timeout=20,
                               message="the continue text typed")
    assert logged_prompts(log) == [
        "build it", "ship it [approve make deploy]", "call the api [error]", "go on"]
