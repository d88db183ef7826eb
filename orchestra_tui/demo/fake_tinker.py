"""What the simulated agent draws as "tinker", a CLI no one ships: orchestra has no profile for
it, so it is read only through a config's `[[tool]]` table (tests/data/tinker.toml, and the
README's example). Its rows look like no built-in tool's: `tinker>` for input, `~ busy 3s` while
it works, `== done in 3s` when a turn ends, `!! error:` rows, and a dialog answered with `a`
(allow) or `d` (deny).
"""

from __future__ import annotations

from typing import Any

from orchestra_tui.demo.fake_screens import DIM, RESET, draft_view, elapsed

ECHO = "you: "
PLACEHOLDER = "type a task"
ALLOW, DENY = ("a",), ("d",)


def header(cwd: str) -> list[str]:
    return ["  tinker 0.3 -- a made-up agent CLI", f"  dir: {cwd}", ""]


def done(seconds: float) -> str:
    return f"== done in {elapsed(seconds, codex=False)}"


ERROR = "!! error: upstream said 503, try again"
STOPPED = "-- stopped by you"


def bottom(state: Any, width: int, now: float) -> list[str]:
    if state.mode == "approval":
        return ["", f"?? tinker wants to run: {state.turn.command}", "   [a] allow   [d] deny"]
    rows: list[str] = []
    if state.mode == "working":
        rows += [f"~ busy {elapsed(state.turn_elapsed(now), codex=False)}", ""]
    rows += [f"  (queued) {item.splitlines()[0] if item else ''}" for item in state.queued]
    composer = ("tinker> " + draft_view(state, width) if state.draft
                else f"tinker> {DIM}{PLACEHOLDER}{RESET}")
    return rows + [composer, f"  ctx {state.context}%"]
