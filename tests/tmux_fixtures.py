"""A real tmux server per test on its own socket, a runner that counts invocations, and helpers
that start the simulated agent in a pane and wait for its screen."""

from __future__ import annotations

import json
import pathlib
import shlex
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Sequence

import pytest

from orchestra_tui.models import PaneInfo
from orchestra_tui.services.tmux.service import LocalTmuxRunner, TmuxResult, TmuxService
from tests.helpers import async_wait_until

REPO = pathlib.Path(__file__).resolve().parent.parent


class CountingRunner(LocalTmuxRunner):
    """The real local runner, recording each tmux invocation it makes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[list[str]] = []

    async def run(self, args: Sequence[str], **kwargs) -> TmuxResult:
        self.calls.append(list(args))
        return await super().run(args, **kwargs)


@pytest.fixture
async def tmux() -> AsyncIterator[TmuxService]:
    """A TmuxService on a fresh, isolated server (`-L orch-test-…`, no config file)."""
    runner = CountingRunner(socket_name=f"orch-test-{uuid.uuid4().hex[:10]}",
                            config_file="/dev/null")
    service = TmuxService(runner)
    yield service
    await service.kill_server()


def fake_agent_argv(flavor: str, log: pathlib.Path, *, work: float = 0.3,
                    context: int | None = None, name: str | None = None,
                    extra: tuple[str, ...] = ()) -> list[str]:
    argv = [sys.executable, "-m", "orchestra_tui.demo.fake_agent", "--flavor", flavor,
            "--log", str(log), "--work-seconds", str(work), *extra]
    argv += ["--context", str(context)] if context is not None else []
    argv += ["--name", name] if name else []
    return argv


async def start_fake_agent(tmux: TmuxService, flavor: str, log: pathlib.Path, *,
                           session: str | None = None, width: int = 100, height: int = 30,
                           **options) -> PaneInfo:
    pane = await tmux.start(fake_agent_argv(flavor, log, **options), cwd=str(REPO),
                            session=session or f"{flavor}-{uuid.uuid4().hex[:6]}",
                            env={"PYTHONPATH": str(REPO)}, width=width, height=height)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s,
                          message=f"{flavor} fake agent ready")
    return pane


async def screen(tmux: TmuxService, pane_id: str, **options) -> str:
    return (await tmux.capture([pane_id], **options)).get(pane_id, "")


async def wait_for_screen(tmux: TmuxService, pane_id: str, predicate: Callable[[str], bool], *,
                          timeout: float = 10.0, message: str = "screen") -> str:
    last: list[str] = [""]

    async def check() -> str | None:
        last[0] = await screen(tmux, pane_id)
        return last[0] if predicate(last[0]) else None

    try:
        return await async_wait_until(check, timeout=timeout, message=message)
    except AssertionError as error:
        raise AssertionError(f"{error}; last screen:\n{last[0]}") from None


def logged_prompts(log: pathlib.Path) -> list[str]:
    if not log.exists():
        return []
    return [json.loads(line)["prompt"] for line in log.read_text("utf-8").splitlines()]


async def wait_for_prompts(log: pathlib.Path, count: int, timeout: float = 10.0) -> list[str]:
    async def check() -> list[str] | None:
        prompts = logged_prompts(log)
        return prompts if len(prompts) >= count else None

    return await async_wait_until(check, timeout=timeout, message=f"{count} logged prompts")


def is_idle(flavor: str) -> Callable[[str], bool]:
    """The composer is back and no working row or dialog is shown."""
    def check(text: str) -> bool:
        working = "esc to interrupt" in text or "Do you want to proceed?" in text or (
            "Press enter to confirm" in text)
        placeholder = "Ask Codex to do anything" if flavor == "codex" else "Try \""
        return placeholder in text and not working
    return check


# A hook command for the simulated agent (`--hook`) that sets the pane's @orchestra-hook option
# the way the hooks orchestra gives an agent on a host do (one `mark_command` per event).
MARK_HOOK = shlex.join([sys.executable, "-c", (
    "import json, subprocess, sys\n"
    "from orchestra_tui.services.hooks.marks import mark_command\n"
    "event = json.load(sys.stdin)['hook_event_name']\n"
    "subprocess.run(['sh', '-c', mark_command(event)], check=True)\n")])
