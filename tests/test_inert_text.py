"""Text is text: what orchestra types carries no byte that acts as a key (property tests of
`agents.inert`), and what the recipe really types into a pane (bytes read back from a program
that logs them) has no control but tab and newline, the paste markers only at its ends."""

from __future__ import annotations

import pathlib
import re
import sys
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestra_tui.agents.inert import inert_prompt, valid_text, visible_controls
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, wait_for_screen

CONTROLS = [chr(c) for c in (*range(0x20), 0x7f, *range(0x80, 0xa0))]
SEQUENCES = ["\x1b[201~", "\x1b[200~", "\x1b]2;title\x07", "\x1b[2J", "\x1bP1;2q\x1b\\", "\x1b",
             "\x9b201~", "\x1bOA", "\x03", "\r\n", "\ud800", "\udcff"]
PROMPTS = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(CONTROLS),
                             st.sampled_from(SEQUENCES)), max_size=30).map("".join)
_LEFT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@given(PROMPTS)
def test_an_inert_prompt_holds_no_control_but_tab_and_newline(text: str) -> None:
    inert = inert_prompt(text)
    assert not _LEFT.search(inert)
    assert "\x1b" not in inert and "\r" not in inert
    assert inert_prompt(inert) == inert
    inert.encode("utf-8")  # never a traceback on the way to tmux


@given(PROMPTS)
def test_visible_controls_show_every_control_and_obey_none(text: str) -> None:
    shown = visible_controls(text)
    assert not _LEFT.search(shown) and "\x1b" not in shown
    assert visible_controls(shown) == shown
    plain = valid_text(text).replace("\r\n", "\n").replace("\r", "\n")
    if not _LEFT.search(plain) and "\x1b" not in plain:
        assert shown == plain  # text without controls is shown as it is


def test_inert_examples() -> None:
    assert inert_prompt("a\x1b[201~b\x03\x03c") == "abc"
    assert inert_prompt("one\r\ntwo\rthree\tfour") == "one\ntwo\nthree\tfour"
    assert inert_prompt("caf\udcc3\udca9") == "café"
    assert visible_controls("\x1b]2;title\x07\x1b[2J") == "␛]2;title␇␛[2J"


# -- the bytes a program reads ---------------------------------------------------------------

BYTES_LOGGER = pathlib.Path(__file__).parent / "programs" / "paste_logger.py"
_MARKERS = (b"\x1b[200~", b"\x1b[201~")


async def test_the_typed_bytes_hold_no_control_and_the_paste_markers_only_at_the_ends(
        tmux, tmp_path) -> None:
    """Random prompts typed with the recipe into a program with bracketed paste on: each one
    reaches it as one paste (or plain keys), then Enter."""
    @settings(max_examples=12, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(PROMPTS.filter(lambda t: inert_prompt(t).strip() != ""))
    def one(text: str) -> None:
        samples.append(text)

    samples: list[str] = []
    one()
    log = tmp_path / "bytes.bin"
    pane = await tmux.start([sys.executable, str(BYTES_LOGGER), str(log)], cwd=str(REPO),
                            session=f"b-{uuid.uuid4().hex[:6]}", width=100, height=30)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "ready" in s)
    for text in samples[:12]:
        before = log.stat().st_size if log.exists() else 0
        await tmux.send_text(pane.pane_id, text, pending=lambda s, t: False, verify_timeout=0.2,
                             max_enter_retries=0)

        async def entered(before: int = before) -> bytes | None:
            data = log.read_bytes()[before:] if log.exists() else b""
            return data if data.endswith(b"\r") else None

        typed = await async_wait_until(entered, message="the text and its Enter")
        body = typed[:-1]
        if body.startswith(_MARKERS[0]):
            assert body.endswith(_MARKERS[1])
            body = body[len(_MARKERS[0]):-len(_MARKERS[1])]
        assert _MARKERS[0] not in body and _MARKERS[1] not in body
        assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", body), (text, body)
        assert body.decode("utf-8") == inert_prompt(text)
