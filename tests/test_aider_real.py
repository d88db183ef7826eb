"""The send gate on real Aider screens: orchestra types a prompt only at Aider's idle `>`
prompt, never into one of its (Y)es/(N)o questions (a line typed there is the answer: "y"
approves a shell command, and a prompt starting with "y" would too), its retry loop, or a turn
still streaming.

The screens are real captures of Aider 0.86.2 driven offline by `tests/fake_openai_chat_api.py`
(tests/screens/aider/*-61… and up).
"""

from __future__ import annotations

import doctest
import json
import pathlib
import urllib.request

import pytest

from orchestra_tui.agents import classify
from orchestra_tui.agents.draft import composer_draft
from orchestra_tui.core.ansi import strip_ansi
from orchestra_tui.core.sending.send_gate import Reading, judge
from orchestra_tui.models import PaneInfo, State
from tests import fake_openai_chat_api
from tests.fake_openai_chat_api import FakeOpenAIChatAPI

SCREENS = pathlib.Path(__file__).parent / "screens" / "aider"
REAL = sorted(path.name for path in SCREENS.glob("*.txt")
              if "real capture of Aider" in path.read_text(encoding="utf-8").split("\n", 1)[0])


def _reading(name: str, tool: str | None) -> Reading:
    coloured = "\n".join((SCREENS / name).read_text(encoding="utf-8").split("\n")[4:])
    plain = strip_ansi(coloured)
    pane = PaneInfo(pane_id="%1", pid=1, session_name="s", window_index=0, pane_index=0,
                    current_command="aider", current_path="/tmp/repo", title="", dead=False,
                    activity=0, width=120, height=40)
    return Reading(pane=pane, detection=classify(plain, tool), screen=plain, coloured=coloured)


def test_the_real_captures_cover_every_state_the_gate_tells_apart() -> None:
    states = {name.split("-")[0] for name in REAL}
    assert {"approval", "blocked", "idle", "working", "unknown"} <= states


@pytest.mark.parametrize("tool", ["aider", None])
@pytest.mark.parametrize("name", [n for n in REAL if n.startswith("approval-")])
def test_the_gate_refuses_every_confirmation_question(name: str, tool: str | None) -> None:
    verdict = judge(_reading(name, tool), tool, text="yes, and add the tests")
    assert verdict is not None
    state, reason = verdict
    assert state is State.APPROVAL
    assert "(N)o" in reason  # the question quoted to the person (its tail, when wrapped)


@pytest.mark.parametrize("tool", ["aider", None])
@pytest.mark.parametrize("name", [n for n in REAL if n.split("-")[0] in
                                  ("blocked", "working", "unknown")])
def test_the_gate_refuses_a_retry_loop_an_error_and_a_turn_in_progress(
        name: str, tool: str | None) -> None:
    verdict = judge(_reading(name, tool), tool, text="add type hints")
    assert verdict is not None
    assert verdict[0] is State(name.split("-")[0])


@pytest.mark.parametrize("tool", ["aider", None])
@pytest.mark.parametrize("name", [n for n in REAL if n.startswith("idle-")
                                  and not composer_draft(
                                      (SCREENS / n).read_text(encoding="utf-8"))])
def test_the_gate_types_at_the_idle_prompt(name: str, tool: str | None) -> None:
    assert judge(_reading(name, tool), tool, text="add type hints") is None


def test_the_gate_refuses_a_prompt_holding_someone_elses_draft() -> None:
    # idle-79: "fix the flaky test" typed at the prompt and not submitted, as drawn in colour.
    verdict = judge(_reading("idle-79.txt", "aider"), "aider", text="add type hints")
    assert verdict is not None
    assert verdict[0] is State.IDLE
    assert "fix the flaky test" in verdict[1]


def test_a_typed_answer_without_enter_still_waits_for_the_answer() -> None:
    # approval-65: "n" typed after the question; confirm_ask acts only on Enter.
    detection = _reading("approval-65.txt", "aider").detection
    assert detection.state is State.APPROVAL
    assert detection.dialog == "confirm"


def test_the_scripted_chat_api_keeps_its_doctest() -> None:
    result = doctest.testmod(fake_openai_chat_api)
    assert result.attempted > 0
    assert result.failed == 0


def test_the_scripted_chat_api_streams_a_shell_block_as_chat_completion_chunks() -> None:
    # What litellm's OpenAI client reads: bare `data:` lines, deltas that add up to the
    # reply, and `[DONE]` last.
    api = FakeOpenAIChatAPI.start()
    try:
        body = json.dumps({"model": "gpt-4o", "stream": True, "messages": [
            {"role": "user", "content": "run: pytest -q"}]}).encode()
        request = urllib.request.Request(f"{api.base_url}/chat/completions", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            lines = [line for line in response.read().decode().split("\n") if line]
    finally:
        api.stop()
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[len("data: "):]) for line in lines[:-1]]
    text = "".join(choice["delta"].get("content") or ""
                   for chunk in chunks for choice in chunk["choices"])
    assert "```bash\npytest -q\n```" in text
