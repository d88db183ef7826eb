"""A fixed fleet for rendering tests: the same snapshot every time, so screenshots are
deterministic. Queue operations go to a real QueueStore; what the app asks of tmux (send, answer,
interrupt, attach) is recorded, since here no pane exists to act on.

The Pilot tests share their start-up here: the `fleet` and `pilot` fixtures (the app on a fixed
fleet, 150x40, settled) and `settle`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from orchestra_tui.core.attach import Attach, AttachWay
from orchestra_tui.core.fleet.fleet import AgentView, FleetSnapshot
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import (
    AgentSpec,
    AgentStatus,
    ContextTrend,
    DialogKey,
    SendResult,
    State,
)
from orchestra_tui.services.store.queues import QueueStore

AT = 1_790_000_000.0

CODEX_WORKING = """\
\x1b[1m›\x1b[0m fix the flaky retry test in tests/test_client.py

• Explored
  └ Read test_client.py, client.py

• Edited tests/test_client.py (+12 -3)

\x1b[36m• Working (1m 12s • esc to interrupt)\x1b[0m

› Ask Codex to do anything

  ? for shortcuts                                                    38% context left
"""

CLAUDE_APPROVAL = """\
⏺ I'll run the migration to check the schema.

╭──────────────────────────────────────────────────────────────────────────╮
│ Bash command                                                             │
│                                                                          │
│   alembic upgrade head                                                   │
│   Apply pending migrations                                               │
│                                                                          │
│ Do you want to proceed?                                                  │
│ ❯ 1. Yes                                                                 │
│   2. Yes, and don't ask again for alembic commands in /srv/api           │
│   3. No, and tell Claude what to do differently (esc)                    │
╰──────────────────────────────────────────────────────────────────────────╯
"""

GEMINI_IDLE = """\
✦ Done. The parser now accepts trailing commas; 42 tests pass. [/] stays literal.

╭──────────────────────────────────────────────────────────────────────────╮
│ >   Type your message or @path/to/file                                   │
╰──────────────────────────────────────────────────────────────────────────╯
~/src/parser (feat/commas*)     no sandbox     gemini-2.5-pro (71% context left)
"""

AIDER_BLOCKED = """\
litellm.RateLimitError: AnthropicException - rate limit exceeded
The API provider has rate limited you. Try again later or check your quotas.
Retrying in 8.0 seconds...
"""

SHELL_EXITED = """\
Goodbye!
user@host:~/src/infra$
"""


def _view(name: str, tool: str, state: State, reason: str, *, since: float,
          repo: str = "", branch: str = "*", context: int | None = None,
          trend: ContextTrend = ContextTrend.UNKNOWN, screen: str = "", pane: str = "%1",
          alerts: tuple[str, ...] = (), policy: str = "") -> AgentView:
    spec = AgentSpec(name=name, tool=tool, repo=repo, branch=branch, target=pane, policy=policy)
    status = AgentStatus(name=name, pane_id=pane, tool=tool, state=state, reason=reason,
                         context_left=context, context_trend=trend, since=since, spec=spec,
                         alerts=alerts)
    return AgentView(status=status, screen=screen)


def fixed_views() -> list[AgentView]:
    return [
        _view("api", "claude", State.APPROVAL,
              'approval: "Do you want to proceed?" dialog', since=AT - 42,
              repo="acme/api", branch="claude/*", context=64, trend=ContextTrend.FALLING,
              screen=CLAUDE_APPROVAL, pane="%3", policy="All changes via git."),
        _view("ingest", "aider", State.BLOCKED, 'blocked: "RateLimitError", retrying',
              since=AT - 130, repo="acme/ingest", screen=AIDER_BLOCKED, pane="%5"),
        _view("infra", "shell", State.EXITED, "exited: bash is back in the foreground",
              since=AT - 900, repo="acme/infra", screen=SHELL_EXITED, pane="%6",
              alerts=("forbid: kubectl apply",)),
        _view("parser", "gemini", State.IDLE, "idle: composer, no activity",
              since=AT - 75, repo="acme/parser", branch="feat/*", context=71,
              trend=ContextTrend.FLAT, screen=GEMINI_IDLE, pane="%4"),
        _view("web", "codex", State.WORKING, 'working: status row "(1m 12s • esc to interrupt)"',
              since=AT - 72, repo="acme/web", branch="codex/*", context=38,
              trend=ContextTrend.FALLING, screen=CODEX_WORKING, pane="%2"),
    ]


class FixedFleet:
    """Stands where `core.fleet.Fleet` stands in the app, holding one fixed snapshot."""

    journal = None  # nothing is journaled here
    read_only = False

    def __init__(self, store_dir: Path, views: list[AgentView] | None = None) -> None:
        self.store = QueueStore(store_dir)
        self.store.load()
        self.views = fixed_views() if views is None else views
        self.calls: list[tuple] = []
        self.answered_seen: list[DialogKey | None] = []
        self.send_failure_listeners: list = []  # the app's; nothing is dispatched here
        self._snapshot = self._build()

    def _build(self) -> FleetSnapshot:
        views = tuple(replace(view, queue=tuple(self.store.items(view.name)),
                              paused=self.store.paused(view.name)) for view in self.views)
        return FleetSnapshot(agents=views, at=AT)

    @property
    def snapshot(self) -> FleetSnapshot:
        return self._snapshot

    def current(self) -> FleetSnapshot:
        self._snapshot = self._build()
        return self._snapshot

    async def refresh(self, *, visible=(), history=None) -> FleetSnapshot:
        return self.current()

    def dispatch_ready(self) -> list[str]:
        return []

    def close(self) -> None:
        """Nothing to release: no hook socket here."""

    def listen_for_hooks(self) -> bool:
        return False  # no hooks here: the poll loop sleeps its interval

    async def wait_for_news(self, timeout: float) -> None:
        await asyncio.sleep(timeout)

    def look_now(self) -> None:
        """Nothing to wake: the poll loop sleeps its interval."""

    def spec(self, name: str) -> AgentSpec:
        return next(view.status.spec for view in self.views if view.name == name)

    def watch_send_failures(self, listener) -> None:
        self.send_failure_listeners.append(listener)

    def policy_reminder(self, name: str) -> str:
        from orchestra_tui.core.lifecycle.handoff import policy_reminder

        spec = self.spec(name)
        if not spec.policy:
            raise OrchestraError(f"{name}'s lane has no policy in the config")
        return policy_reminder(spec)

    async def send_now(self, name: str, text: str, *, source: str = "person",
                       allow_blocked: bool = False) -> SendResult:
        self.calls.append(("send_now", name, text))
        return SendResult(delivered=True, enter_presses=1)

    async def enqueue(self, name: str, text: str, *, source: str = "person"):
        self.calls.append(("enqueue", name, text))
        return self.store.add(name, text, source=source)

    async def queue_op(self, op: str, *args) -> None:
        self.calls.append(("queue_op", op, *args))
        getattr(self.store, op)(*args)

    async def toggle_pause(self, name: str) -> bool:
        paused = not self.store.paused(name)
        self.store.set_paused(name, paused)
        self.calls.append(("toggle_pause", name, paused))
        return paused

    async def answer(self, name: str, approve: bool, *, seen: DialogKey | None = None) -> State:
        # The app must hand over the dialog's identity, never the text it displayed.
        if seen is not None and not isinstance(seen, DialogKey):
            raise TypeError(f"answer(seen=...) takes a DialogKey, got {seen!r}")
        self.calls.append(("answer", name, approve))
        self.answered_seen.append(seen)
        return State.APPROVAL

    def alerts_seen(self, name: str) -> None:
        self.calls.append(("alerts_seen", name))

    async def resume_budget(self, lane: str) -> None:
        self.calls.append(("resume_budget", lane))

    async def interrupt(self, name: str) -> None:
        self.calls.append(("interrupt", name))

    async def compose_handoff(self, name: str, note: str = "", pulls=()) -> str:
        return f"You are {name}, restarted. Policy: git only."

    async def restart(self, name: str, handoff: str):
        from orchestra_tui.core.lifecycle.restart import RestartOutcome

        self.calls.append(("restart", name, handoff))
        return RestartOutcome(agent=name, pane_id="%9", state=State.IDLE, reason="ready",
                              handoff_sent=True)

    async def kill(self, name: str) -> None:
        self.calls.append(("kill", name))

    async def attach(self, name: str, *, popup: bool = False) -> Attach:
        self.calls.append(("attach", name))
        return Attach(AttachWay.COMMAND_ONLY, ["tmux", "attach", "-t", name], "ctrl+b d")


@pytest.fixture
def fleet(tmp_path: Path) -> FixedFleet:
    return FixedFleet(tmp_path)


@pytest.fixture
async def pilot(fleet: FixedFleet) -> AsyncIterator:
    """The app on `fleet`, 150x40, started and settled; no poll loop."""
    from orchestra_tui.ui.app import OrchestraApp
    from orchestra_tui.ui.options import AppOptions

    app = OrchestraApp(fleet, AppOptions(poll=False))
    async with app.run_test(size=(150, 40)) as running:
        await settle(running)
        yield running


async def settle(pilot) -> None:
    """Let every message and every action worker finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
