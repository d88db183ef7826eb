"""The send gate and a composer that already holds someone's draft: orchestra's text would be
appended to it and both submitted as one prompt, so the gate refuses before the first byte and
says whose text is there. A placeholder is no draft: only the rendering (dim or grey against the
normal colour, from the `capture-pane -e` capture) tells them apart.

The screens are real captures with their escapes (tests/screens/<tool>/*-4x.txt, Claude Code
2.1.332 and Codex 0.171.0); the panes run the simulated agent, which draws its placeholder dim,
its prompt glyph bold and echoes typed keys in the normal colour, as Codex does.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from orchestra_tui.agents import classify
from orchestra_tui.agents.draft import composer_draft, known_placeholder
from orchestra_tui.core.ansi import strip_ansi
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.sending.send_gate import Reading, SendRefused, judge
from orchestra_tui.models import AgentSpec, PaneInfo, QueueItemState, State
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, fake_agent_argv, logged_prompts, screen, wait_for_screen

SCREENS = pathlib.Path(__file__).parent / "screens"

# Every real colour capture and what its composer holds ("" : nothing typed).
REAL = {
    "claude/idle-41.txt": "",  # empty composer, the cursor a reverse-video space
    "claude/idle-43.txt": "",  # dim `Try "…"`, the cursor on its first letter
    "claude/idle-45.txt": "please refactor the",
    "claude/idle-47.txt": "please refactor the auth module\nand then add tests\nfor the login",
    "claude/idle-49.txt": "[Pasted text #1 +29 lines]",
    "claude/idle-51.txt": "",  # bash mode: refused as such; history prompts are no draft
    "claude/working-41.txt": "also check the",
    "claude/working-43.txt": "",  # dim "Press up to edit queued messages", a queued echo above
    "claude/working-45.txt": "and the",
    "codex/idle-41.txt": "",  # dim "Ask Codex to do anything"
    "codex/idle-43.txt": "fix the flaky",
    "codex/idle-45.txt": "fix the flaky test\nand then run it again",
}


def _capture(rel: str) -> str:
    return "\n".join((SCREENS / rel).read_text(encoding="utf-8").split("\n")[4:])


@pytest.mark.parametrize("rel", sorted(REAL))
def test_real_captures_tell_a_draft_from_a_placeholder(rel: str) -> None:
    assert composer_draft(_capture(rel)) == REAL[rel]


@pytest.mark.parametrize("rel", sorted(REAL))
def test_a_capture_without_attributes_is_never_read_as_a_draft(rel: str) -> None:
    assert composer_draft(strip_ansi(_capture(rel))) == ""


RULE = "\x1b[38;5;244m" + "─" * 60 + "\x1b[39m"
GEMINI_BOX = ("\x1b[38;2;137;180;250m╭" + "─" * 58 + "╮\x1b[39m\n"
              "\x1b[38;2;137;180;250m│\x1b[39m > {text}" + " " * 20 + "\x1b[38;2;137;180;250m│\n"
              "╰" + "─" * 58 + "╯\x1b[39m\n"
              "~/work (main)      no sandbox       gemini-2.5-pro (99% context left)")


@pytest.mark.parametrize(("screen_text", "draft"), [
    # Gemini CLI: a grey (truecolour) placeholder, the cursor on its first letter; typed text.
    (GEMINI_BOX.format(text="\x1b[7m \x1b[27m\x1b[38;2;108;112;134mType your message or "
                            "@path/to/file\x1b[39m"), ""),
    (GEMINI_BOX.format(text="\x1b[38;2;205;214;244mrun the migration\x1b[39m\x1b[7m \x1b[27m"),
     "run the migration"),
    # A theme's placeholder colour not known as grey, an unknown text: the cursor on its first
    # letter and the rest in the tool's own colour is how an Ink input draws a placeholder.
    (GEMINI_BOX.format(text="\x1b[7mA\x1b[27m\x1b[38;2;98;114;164msk me about your code"
                            "\x1b[39m"), ""),
    # The person moved the cursor to the start of their draft: still their text.
    (GEMINI_BOX.format(text="\x1b[7mr\x1b[27mun the migration"), "run the migration"),
    # A grey from the 256-colour ramp, and bright black, are placeholders too.
    (f"{RULE}\n❯\xa0\x1b[38;5;242mask me anything\x1b[39m\n{RULE}", ""),
    (f"{RULE}\n❯\xa0\x1b[90mask me anything\x1b[39m\n{RULE}", ""),
    # Text the tool draws plain but is its own placeholder (attributes lost): not a draft.
    ("\x1b[1m›\x1b[0m Ask Codex to do anything\n\n  ? for shortcuts", ""),
    # A person's draft typed after a dim ghost completion: the typed part is the draft.
    (f"{RULE}\n❯\xa0/comp\x1b[2mact\x1b[0m\n{RULE}", "/comp"),
    # A coloured (not grey) input colour, as Aider's green user input: typed.
    ("\x1b[38;2;0;204;0mmulti> \x1b[38;2;0;204;0mnow add the tests\x1b[0m", "now add the tests"),
])
def test_the_rendering_decides(screen_text: str, draft: str) -> None:
    assert composer_draft(screen_text) == draft


# Words a person or a placeholder might hold: letters, digits, punctuation, spaces, wide
# characters; no control characters (a terminal draws none), no frame or scrollbar glyphs.
WORDS = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"),
                              exclude_characters="│┃║▌›❯>─━═█▄▀▐░▓"), min_size=2, max_size=60
                ).filter(lambda t: t.strip() and not t.startswith(" "))
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(WORDS, st.sampled_from(["\x1b[0;2m", "\x1b[38;5;244m", "\x1b[90m",
                               "\x1b[38;2;108;112;134m", "\x1b[38;2;98;114;164m"]))
def test_no_placeholder_is_ever_a_draft(text: str, style: str) -> None:
    composer = f"❯\xa0\x1b[7m{text[0]}{style}{text[1:]}\x1b[0m"
    screen_text = f"{RULE}\n{composer}\n{RULE}\n  ? for shortcuts"
    assert composer_draft(screen_text) == ""


@FAST
@given(WORDS)
def test_typed_text_is_read_back(text: str) -> None:
    assume(not known_placeholder(" ".join(text.split())))  # the fallback list's own words
    screen_text = f"\x1b[1m›\x1b[0m {text}\n\n  \x1b[2m? for shortcuts\x1b[0m"
    assert composer_draft(screen_text) == " ".join(text.split())


def _pane() -> PaneInfo:
    return PaneInfo(pane_id="%1", pid=1, session_name="s", window_index=0, pane_index=0,
                    current_command="claude", current_path="/", title="", dead=False,
                    activity=0, width=120, height=40, in_mode=False)


def _reading(rel: str) -> Reading:
    coloured = _capture(rel)
    plain = strip_ansi(coloured)
    return Reading(pane=_pane(), detection=classify(plain, rel.split("/")[0]), screen=plain,
                   coloured=coloured)


def test_the_gate_refuses_a_draft_before_the_first_byte_only() -> None:
    idle_draft = judge(_reading("claude/idle-45.txt"), "claude", text="and add tests")
    assert idle_draft == (State.IDLE, 'its prompt box holds unsent text: "please refactor the"')
    working_draft = judge(_reading("claude/working-45.txt"), "claude", text="x")
    assert working_draft is not None and working_draft[0] is State.WORKING
    # Once orchestra typed, the text in the composer is its own: the Enter guard lets it be.
    assert judge(_reading("claude/idle-45.txt"), "claude", before_typing=False) is None
    for placeholder in ("claude/idle-43.txt", "claude/working-43.txt", "codex/idle-41.txt"):
        assert judge(_reading(placeholder), placeholder.split("/")[0], text="go on") is None
    assert idle_draft.draft == "please refactor the"  # its kind is a field, not its words
    state, reason = idle_draft
    message = str(SendRefused("api", state, reason, draft=idle_draft.draft))
    assert message == 'api\'s prompt box holds unsent text: "please refactor the"; not sent'


# -- real panes -------------------------------------------------------------------------------

DRAFT = "wait, before that could you"


async def _agent(tmux, tmp_path) -> tuple[PaneInfo, pathlib.Path, Fleet]:
    log = tmp_path / "codex.jsonl"
    argv = [*fake_agent_argv("codex", log, work=0.5), "--bold-prompt"]
    pane = await tmux.start(argv, cwd=str(REPO),
                            session="api", env={"PYTHONPATH": str(REPO)}, width=100, height=30)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s, timeout=30)
    store = QueueStore(tmp_path / "data")
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="codex", target=pane.pane_id)],
                  store=store, journal=Journal(tmp_path / "data" / "journal.jsonl"),
                  settings=FleetSettings(idle_debounce=0.3))
    return pane, log, fleet


async def _type_as_person(tmux, pane_id: str, text: str) -> None:
    await tmux.run("send-keys", "-t", pane_id, "-l", "--", text)
    await wait_for_screen(tmux, pane_id, lambda s: f"› {text}" in s, timeout=30,
                          message="the person's draft in the composer")


async def _dispatched_once_idle(fleet: Fleet) -> None:
    """Tick until the settled-idle agent is dispatched to, then wait for that send."""
    async def dispatched() -> bool:
        snapshot = await fleet.refresh()
        return (snapshot.get("api").status.state is State.IDLE
                and fleet.dispatch_ready() == ["api"])

    await async_wait_until(dispatched, timeout=30, interval=0.1, message="a dispatch")
    await fleet.wait_for_sends()


@pytest.mark.slow
async def test_a_queued_item_waits_while_the_persons_draft_is_in_the_composer(tmux, tmp_path):
    pane, log, fleet = await _agent(tmux, tmp_path)
    item = await fleet.enqueue("api", "run the tests")
    await fleet.toggle_pause("api")
    await _type_as_person(tmux, pane.pane_id, DRAFT)
    before = await screen(tmux, pane.pane_id, ansi=True)
    await fleet.toggle_pause("api")
    await _dispatched_once_idle(fleet)
    assert fleet.store.get(item.id).state == QueueItemState.QUEUED
    assert await screen(tmux, pane.pane_id, ansi=True) == before  # not a byte
    assert logged_prompts(log) == []
    refusals = fleet.journal.read(events=("send_refused",))
    assert [(e["text"], e["state"], e["typed"]) for e in refusals] == [
        ("run the tests", "idle", False)]
    assert DRAFT[:20] in refusals[0]["reason"]
    assert fleet.journal.read(events=("prompt_sent",)) == []

    # The person types on: every key changes the screen and the gate refuses again each
    # time, but the same draft in the way is one refusal in the journal, not one per key.
    typed = DRAFT
    for more in (" look at", " the logs"):
        await tmux.run("send-keys", "-t", pane.pane_id, "-l", "--", more)
        typed += more
        await wait_for_screen(tmux, pane.pane_id, lambda s, t=typed: f"› {t}" in s,
                              timeout=30, message="more of the person's draft")
        await _dispatched_once_idle(fleet)
    assert fleet.store.get(item.id).state == QueueItemState.QUEUED
    assert len(fleet.journal.read(events=("send_refused",))) == 1

    # The person clears the draft: the composer shows its placeholder again and the item goes,
    # alone, not glued to the person's words.
    await tmux.run("send-keys", "-t", pane.pane_id, "C-u")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Ask Codex to do anything" in s,
                          timeout=30, message="the placeholder back")
    await _dispatched_once_idle(fleet)
    assert fleet.store.get(item.id).state == QueueItemState.SENT
    assert logged_prompts(log) == ["run the tests"]


@pytest.mark.slow
async def test_send_now_to_a_draft_is_refused_and_a_placeholder_takes_it(tmux, tmp_path):
    pane, log, fleet = await _agent(tmux, tmp_path)
    await fleet.refresh()
    assert composer_draft(await screen(tmux, pane.pane_id, ansi=True)) == ""
    result = await fleet.send_now("api", "first task")  # the dim placeholder only: goes
    assert result.delivered
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Worked for" in s
                          and "Ask Codex to do anything" in s, timeout=30,
                          message="the turn over")
    await _type_as_person(tmux, pane.pane_id, DRAFT)
    with pytest.raises(SendRefused) as refused:
        await fleet.send_now("api", "second task")
    assert not refused.value.typed
    assert str(refused.value) == (f'api\'s prompt box holds unsent text: "{DRAFT}"; not sent')
    assert logged_prompts(log) == ["first task"]


@pytest.mark.slow
async def test_orchestra_send_refuses_a_draft_in_one_line(tmux, tmp_path):
    pane, log, _ = await _agent(tmux, tmp_path)
    await _type_as_person(tmux, pane.pane_id, DRAFT)
    before = await screen(tmux, pane.pane_id, ansi=True)
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "api"\ntool = "codex"\ntarget = "api"\n')
    done = subprocess.run(
        [sys.executable, "-m", "orchestra_tui", "--config", str(config),
         "-L", tmux.runner.socket_name, "send", "api", "next task"],
        capture_output=True, text=True, cwd=REPO, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
             "XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert done.returncode == 1 and done.stdout == ""
    assert re.fullmatch(r"orchestra: api's prompt box holds unsent text: .*; not sent\n",
                        done.stderr), done.stderr
    assert await screen(tmux, pane.pane_id, ansi=True) == before
    assert logged_prompts(log) == []
