"""Unknown is a prompt to learn: a screen read `unknown` past `UNKNOWN_KEEP_AFTER` is kept in
the data dir, redacted of secrets, with agent, tool, version and time; once per distinct screen;
at most N files. Real panes on a real tmux server, the CLI (`screens`, `detect FILE`) as a
subprocess. Attacks: secrets and control bytes (redacted, inert), two agents' unknown screens
at once (both kept, none clobbered), racing writers of one screen (one whole file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.fleet.unknown_screens import UNKNOWN_KEEP_AFTER, kept_screen, redact
from orchestra_tui.models import AgentSpec, Detection, State
from orchestra_tui.services.store.kept_screens import ScreenKeep
from tests.tmux_fixtures import REPO, wait_for_screen

SECRETS = {
    "openai": "sk-proj-" + "Ab3dE6gH9jK2mN5pQ8sT1vW4",
    "anthropic": "sk-ant-api03-" + "x7Y2z9Q4w1E6r3T8" * 2,
    "github": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "github_pat": "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "bearer": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    "hex": "9f86d081884c7d659a2feaa0c55ad015",
}


def orchestra(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "orchestra_tui", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60, input=stdin,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


async def _drain(fleet: Fleet) -> None:
    """The fleet's background writes (screens kept, journal) finished."""
    await fleet.record.settle()


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def _printer(lines: list[str]) -> list[str]:
    """A program that prints `lines` and waits: a screen no profile reads."""
    code = f"import sys, time\nprint({chr(10).join(lines)!r}, flush=True)\ntime.sleep(600)"
    return [sys.executable, "-c", code]


async def _pane(tmux, session: str, lines: list[str]):
    pane = await tmux.start(_printer(lines), session=session, cwd=str(REPO), width=100,
                            height=20)
    await wait_for_screen(tmux, pane.pane_id, lambda screen: lines[-1] in screen,
                          message=f"{session} printed")
    return pane


async def test_unknown_screens_of_two_agents_at_once_are_both_kept_redacted(tmux, tmp_path):
    hostile = ["Claude Code v2.1.29 (a banner, no composer: nothing the reader knows)",
               f"export OPENAI_API_KEY={SECRETS['openai']}",
               f"ANTHROPIC_API_KEY: {SECRETS['anthropic']}",
               f"git remote set-url origin https://{SECRETS['github']}@github.com/a/b",
               f"fine-grained {SECRETS['github_pat']} and {SECRETS['aws']}",
               f"curl -H 'Authorization: Bearer {SECRETS['bearer']}'",
               f"config token={SECRETS['hex']} done"]
    first = await _pane(tmux, "first", hostile)
    second = await _pane(tmux, "second", ["a screen of another kind", "still nothing known"])
    twin = await _pane(tmux, "twin", ["a screen of another kind", "still nothing known"])
    data = tmp_path / "data"
    clock = Clock()
    specs = [AgentSpec(name=name, tool="claude", target=pane.pane_id)
             for name, pane in (("api", first), ("web", second), ("web2", twin))]
    fleet = Fleet(tmux, specs, settings=FleetSettings(), clock=clock,
                  screens=ScreenKeep(data / "screens"))
    looked = await fleet.refresh()
    assert {view.name: view.status.state for view in looked.agents} == {
        "api": State.UNKNOWN, "web": State.UNKNOWN, "web2": State.UNKNOWN}
    clock.offset = UNKNOWN_KEEP_AFTER - 1
    await fleet.refresh()
    await _drain(fleet)
    assert not (data / "screens").exists()  # not yet: a moment's unknown is not kept

    clock.offset = UNKNOWN_KEEP_AFTER + 0.5
    await fleet.refresh()
    await fleet.refresh()  # the same spell: nothing more
    await _drain(fleet)
    files = sorted((data / "screens").glob("*.txt"))
    # web and web2 show one screen: kept once. api's is the other.
    assert len(files) == 2, files
    texts = {path.read_text("utf-8") for path in files}
    api = next(text for text in texts if "# agent: api" in text)
    assert "# tool: claude" in api and "# version: 2.1.29" in api
    assert "# kept_at: " in api and "read unknown for 6s" in api
    for secret in SECRETS.values():
        assert all(secret not in text for text in texts), secret
    assert api.count("[REDACTED]") == len(SECRETS)
    assert "export OPENAI_API_KEY=[REDACTED]" in api
    assert (os.stat(files[0]).st_mode & 0o777) == 0o600
    assert not list((data / "screens").glob(".*.tmp"))

    listed = orchestra("--data-dir", str(data), "screens", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert sorted(row["agent"] for row in rows) in (["api", "web"], ["api", "web2"])
    kept_api = next(row for row in rows if row["agent"] == "api")
    assert (kept_api["tool"], kept_api["version"]) == ("claude", "2.1.29")
    replay = orchestra("detect", kept_api["path"], "--json")
    assert replay.returncode == 0, replay.stderr
    assert json.loads(replay.stdout)["state"] == "unknown"
    assert json.loads(replay.stdout)["tool"] == "claude"  # from the kept header


def test_a_kept_screen_replays_as_the_screen_itself(tmp_path):
    """The header is skipped, as the shared corpus's is: a kept copy of a known screen reads as
    the screen does."""
    corpus = sorted((REPO / "tests" / "screens" / "shared").glob("*/*.txt"))
    assert corpus
    for source in corpus[:6]:
        raw = orchestra("detect", str(source), "--json")
        lines = source.read_text("utf-8").split("\n")
        while lines and lines[0].startswith("# "):
            lines.pop(0)
        body = "\n".join(lines)
        told = json.loads(raw.stdout)
        kept = kept_screen("api", Detection(tool=told["tool"], state=State.UNKNOWN), body,
                           "fp", 6.0, 1_790_000_000.0)
        path = tmp_path / kept.name
        path.write_text(kept.text, "utf-8")
        again = orchestra("detect", str(path), "--json")
        assert json.loads(again.stdout) == told, source


def test_hostile_text_is_redacted_and_inert_in_file_and_listing(tmp_path):
    screen = ("\x1b]0;pwned\x07title \x9b31m csi \x00nul \x1b[2J clear\n"
              f"key={SECRETS['hex']} Bearer {SECRETS['bearer']}")
    kept = kept_screen("evil\x1b[2Jagent", Detection(tool="codex", state=State.UNKNOWN,
                                                     reason="unknown: \x1b]8;;x\x07"),
                       screen, "fp", 7.0, 1_790_000_000.0)
    assert not any(ord(ch) < 0x20 and ch != "\n" or 0x7f <= ord(ch) < 0xa0 for ch in kept.text)
    assert "␛]0;pwned␇title" in kept.text and SECRETS["hex"] not in kept.text
    keep = ScreenKeep(tmp_path / "screens")
    keep.keep(kept.name, kept.text)
    listed = orchestra("--data-dir", str(tmp_path), "screens")
    assert listed.returncode == 0, listed.stderr
    assert "\x1b" not in listed.stdout and "evil␛[2Jagent" in listed.stdout
    assert "replay one: orchestra detect FILE" in listed.stdout


def test_racing_writers_of_one_screen_leave_one_whole_file_and_old_ones_go(tmp_path):
    keep = ScreenKeep(tmp_path / "screens", limit=3)
    text = "# source: x\n" + "row\n" * 5000
    results: list[Path | None] = []
    writers = [threading.Thread(target=lambda: results.append(keep.keep("same.txt", text)))
               for _ in range(8)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert sum(result is not None for result in results) == 1
    assert (tmp_path / "screens" / "same.txt").read_text() == text
    for number in range(5):
        path = keep.keep(f"screen-{number}.txt", f"# source: {number}\n")
        assert path is not None  # each write drops the oldest beyond the limit
    names = [item.path.name for item in keep.listing()]
    assert names == ["screen-4.txt", "screen-3.txt", "screen-2.txt"]


def test_redaction_leaves_ordinary_text_alone():
    ordinary = "tokens: 12.4k  key=value  sk-short  AKIA123  Bearer me"
    assert redact(ordinary) == ordinary
