"""What `N` (a new agent) and `X` (retire) do in the app: ask, then run `core.lifecycle` in a
worker and tell the person how it went. The app is given its `Lifecycle` by the composition
root; an app built without one says so instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.core.lifecycle.lifecycle import Lifecycle, NewRequest
from orchestra_tui.core.lifecycle.retire import RetireRefused, check_retire, retire
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import Issue
from orchestra_tui.ui.screens.ask import AskScreen
from orchestra_tui.ui.screens.new_agent import NewAgentScreen


class LifecycleActions:
    """`shown` is the fleet snapshot the person sees (the pane of an agent being retired)."""

    def __init__(self, app: App[Any], lifecycle: Lifecycle | None,
                 shown: Callable[[], FleetSnapshot]) -> None:
        self.app = app
        self.lifecycle = lifecycle
        self.shown = shown

    def _require_lifecycle(self) -> Lifecycle | None:
        if self.lifecycle is None:
            self.app.notify("This app cannot start or retire agents (no lifecycle)",
                            severity="warning")
        return self.lifecycle

    def ask_new_agent(self, *, lane: str = "", name: str = "", issue: int | None = None,
                      title: str = "New agent") -> None:
        lifecycle = self._require_lifecycle()
        if lifecycle is None:
            return
        lanes = [known.name for known in lifecycle.config.lanes]
        if not lanes:
            self.app.notify("No [[lane]] in the config: add one (name, path, branch, command) "
                            "to start agents", severity="warning", timeout=8)
            return

        def chosen(request: NewRequest | None) -> None:
            if request is not None:
                self.start_agent(request)

        self.app.push_screen(NewAgentScreen(lanes, lane=lane if lane in lanes else "",
                                            name=name, issue=issue, title=title), chosen)

    def ask_agent_on_issue(self, issue: Issue) -> None:
        """A new agent in its own worktree on `issue`, from the lane of its repository."""
        lifecycle = self._require_lifecycle()
        if lifecycle is None:
            return
        lane = next((lane for lane in lifecycle.config.lanes
                     if lane.repo.lower() == issue.repo.lower()), None)
        if lane is None:
            self.app.notify(f"No [[lane]] has repo {issue.repo}: add one to start agents on "
                            "its issues", severity="warning", timeout=8)
            return
        self.ask_new_agent(lane=lane.name, name=f"{lane.name}-{issue.number}",
                           issue=issue.number,
                           title=f"New agent on {issue.repo}#{issue.number}")

    def start_agent(self, request: NewRequest) -> None:
        lifecycle = self._require_lifecycle()
        if lifecycle is None:
            return
        app = self.app

        async def work() -> None:
            app.notify(f"Starting {request.name} …", timeout=3)
            try:
                outcome = await lifecycle.new(request)
            except OrchestraError as error:
                app.notify(str(error), title=f"{request.name} not started", severity="error",
                           timeout=12)
                return
            for note in outcome.notes:
                app.notify(note, title=request.name, severity="warning", timeout=10)
            fine = outcome.delivered or not outcome.prompt
            app.notify(outcome.summary, title=request.name,
                       severity="information" if fine else "warning", timeout=12)

        app.run_worker(work(), group="lifecycle")

    def ask_retire(self, agent: str) -> None:
        """Refuse before asking: what retiring would refuse is found first, so the person is
        never asked "Retire docs?" only to be told no."""
        lifecycle = self._require_lifecycle()
        if lifecycle is None:
            return
        app = self.app

        def answered(yes: bool | None) -> None:
            if yes:
                self.retire(agent)

        async def work() -> None:
            try:
                await check_retire(lifecycle, agent)
            except RetireRefused as refused:
                self._offer_force(agent, refused)
                return
            except OrchestraError as error:
                app.notify(str(error), title=f"{agent} cannot be retired", severity="warning",
                           timeout=12)
                return
            app.push_screen(AskScreen(
                f"Retire {agent}?", "It stops, its worktree is removed, and its branch too "
                "when merged."), answered)

        app.run_worker(work(), group="lifecycle")

    def _offer_force(self, agent: str, refused: RetireRefused) -> None:
        def forced(yes: bool | None) -> None:
            if yes:
                self.retire(agent, force=True)

        self.app.push_screen(AskScreen(str(refused), "Retire anyway? That work is lost."),
                             forced)

    def retire(self, agent: str, *, force: bool = False) -> None:
        lifecycle = self._require_lifecycle()
        if lifecycle is None:
            return
        app = self.app

        async def work() -> None:
            view = self.shown().get(agent)
            pane = view.pane.pane_id if view is not None and view.pane is not None else None
            try:
                outcome = await retire(lifecycle, agent, force=force, pane_id=pane)
            except RetireRefused as refused:
                self._offer_force(agent, refused)
                return
            except OrchestraError as error:
                app.notify(str(error), title=f"{agent} not retired", severity="error",
                           timeout=12)
                return
            app.notify(outcome.summary, title=agent, timeout=10)

        app.run_worker(work(), group="lifecycle")
