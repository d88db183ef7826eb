"""Regenerate screenshots/ from the app itself, running on the demo world.

    .venv/bin/python scripts/screenshots.py

Each main screen is saved as SVG (Textual's own export) and as PNG (rsvg-convert, from Debian's
librsvg2-bin, with a monospace font installed); without rsvg-convert only the SVGs are made.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from orchestra_tui.bootstrap import boot, build_app  # noqa: E402
from orchestra_tui.demo.world import start_world, stop_world  # noqa: E402
from orchestra_tui.ui.screens.away import AwayScreen  # noqa: E402
from orchestra_tui.ui.screens.diff import DiffScreen  # noqa: E402

OUT = ROOT / "screenshots"
SIZE = (160, 45)
NARROW = (80, 24)

# (file name, keys pressed from the fleet view, keys that go back)
SCREENS: list[tuple[str, list[str], list[str]]] = [
    ("fleet", [], []),
    ("prompt-bar", ["enter", *"run the migration in CI instead"], ["escape"]),
    ("prompt-bar-queued", ["enter", *"then open a PR", "tab", *"and link the issue"],
     ["escape"]),
    ("zoom", ["z"], ["z"]),
    ("why", ["w"], ["w"]),
    ("cost", ["dollar_sign"], ["dollar_sign"]),
    ("grid", ["g"], ["escape"]),
    ("help", ["question_mark"], ["escape"]),
]


async def capture(app, name: str) -> Path:
    svg = OUT / f"{name}.svg"
    app.save_screenshot(filename=svg.name, path=str(OUT))
    return svg


async def wait_for(pilot, predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("the demo did not reach the state the screenshots need")
        await pilot.pause(0.2)


async def open_diff_and_comment(pilot) -> None:
    """From the fleet: the inbox, `d` on PR #101 (its first item), a comment on a line of
    its second hunk."""
    app = pilot.app
    await pilot.press("i")
    await pilot.pause(0.5)
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen)
                   and app.screen.diff is not None)
    await pilot.press("right_curly_bracket", "down", "down", "down", "c")
    await pilot.pause(0.3)
    await pilot.press(*"Pass the attempt along, and stop after MAX_ATTEMPTS.", "ctrl+s")
    await pilot.pause(0.5)


async def main() -> int:
    OUT.mkdir(exist_ok=True)
    world = await start_world()
    os.environ["GH_TOKEN"] = world.token
    made: list[Path] = []
    try:
        app = build_app(boot(argparse.Namespace(config=str(world.config_path),
                                                socket_name=world.socket_name,
                                                data_dir=str(world.data_dir)),
                                long_lived=True))  # as the demo runs it: figures followed
        async with app.run_test(size=SIZE) as pilot:
            def settled() -> bool:
                states = {view.name: view.status.state for view in app.snapshot.agents}
                return states.get("api") == "approval" and states.get("web") == "working"

            await wait_for(pilot, settled)
            app.select_agent("api")  # the agent that needs the person: what a reader looks at
            await pilot.pause(0.5)
            for name, keys, back in SCREENS:
                await pilot.press(*keys)
                await pilot.pause(0.5)
                made.append(await capture(app, name))
                await pilot.press(*back)
                await pilot.pause(0.3)
            await open_diff_and_comment(pilot)  # a PR's change, a comment written on a line
            made.append(await capture(app, "diff"))
            await pilot.press("escape", "escape")
            await pilot.pause(0.3)
            # The merge panel once the desk has read GitHub and the conflict radar has found
            # api's and web's worktrees conflicting: PRs in a safe order, each conflict marked.
            await wait_for(pilot, lambda: app.desk.loaded and any(
                view.conflicts for view in app.snapshot.agents), timeout=60)
            await pilot.press("m")
            await pilot.pause(0.5)
            made.append(await capture(app, "merge-panel"))
            await pilot.press("escape")
            await pilot.pause(0.3)
            app.select_agent("docs")  # idle with a held queue
            await pilot.pause(0.3)
            await pilot.press("Q")
            await pilot.pause(0.5)
            made.append(await capture(app, "queue"))
            await pilot.press("escape")
            await pilot.pause(0.3)
            # Coming back: the away summary (since the demo began, an hour's span at most).
            app.away_actions.show_since(time.time() - 3600)
            await wait_for(pilot, lambda: isinstance(app.screen, AwayScreen))
            await pilot.pause(0.5)
            made.append(await capture(app, "away"))
            await pilot.press("escape")
            await pilot.pause(0.3)
            # A small terminal: lane and tool give way; state, agent, context and queue stay.
            await pilot.resize_terminal(*NARROW)
            await pilot.pause(0.5)
            made.append(await capture(app, "narrow-80x24"))
            app.select_agent("api")
            await pilot.press("w")  # the explanation under the pane, in a small terminal
            await pilot.pause(0.5)
            made.append(await capture(app, "why-80x24"))
            await pilot.press("w")
            app.away_actions.show_since(time.time() - 3600)
            await wait_for(pilot, lambda: isinstance(app.screen, AwayScreen))
            await pilot.pause(0.5)
            made.append(await capture(app, "away-80x24"))
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, AwayScreen))
            await open_diff_and_comment(pilot)
            made.append(await capture(app, "diff-80x24"))
    finally:
        await stop_world(world)
    converter = shutil.which("rsvg-convert")
    for svg in made:
        if converter:
            subprocess.run([converter, str(svg), "-o", str(svg.with_suffix(".png"))], check=True)
        print(svg.relative_to(ROOT), "and .png" if converter else "(no rsvg-convert: SVG only)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
