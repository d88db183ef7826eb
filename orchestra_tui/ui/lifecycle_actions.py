"""What `N` (a new agent) and `X` (retire) do in the app: ask, then run `core.lifecycle` in a
worker and tell the person how it went. The app gets its `Lifecycle` from the composition
root (`app.lifecycle`); an app built without one says so instead."""

from __future__ import annotations

from orchestra_tui.core.lifecycle import NewRequest
from orchestra_tui.core.lifecycle_retire import RetireRefused, check_retire, retire
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import BranchFigures
from orchestra_tui.ui.screens.ask import AskScreen
from orchestra_tui.ui.screens.new_agent import NewAgentScreen


def figures_text(work: BranchFigures) -> str:
    """`codex/7 ↑2 ↓0 · 3 files +40 −2`, as much as is known."""
    parts = [work.branch or "(detached)"]
    if work.ahead is not None:
        parts[0] += f" ↑{work.ahead} ↓{work.behind}"
    if work.files_changed:
        parts.append(f"{work.files_changed} file{'s' if work.files_changed != 1 else ''} "
                     f"+{work.insertions} −{work.deletions}")
    if work.merged:
        parts.append("merged: X retires it")
    return " · ".join(parts)


def _lifecycle(app):
    lifecycle = getattr(app, "lifecycle", None)
    if lifecycle is None:
        app.notify("This app cannot start or retire agents (no lifecycle)", severity="warning")
    return lifecycle


def ask_new_agent(app, *, lane: str = "", name: str = "", issue: int | None = None,
                  title: str = "New agent") -> None:
    lifecycle = _lifecycle(app)
    if lifecycle is None:
        return
    lanes = [known.name for known in lifecycle.config.lanes]
    if not lanes:
        app.notify("No [[lane]] in the config: add one (name, path, branch, command) to start "
                   "agents", severity="warning", timeout=8)
        return

    def chosen(request: NewRequest | None) -> None:
        if request is not None:
            start_agent(app, request)

    app.push_screen(NewAgentScreen(lanes, lane=lane if lane in lanes else "", name=name,
                                   issue=issue, title=title), chosen)


def start_agent(app, request: NewRequest) -> None:
    lifecycle = _lifecycle(app)
    if lifecycle is None:
        return

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


def ask_retire(app, agent: str) -> None:
    """Refuse before asking: what retiring would refuse is found first, so the person is
    never asked "Retire docs?" only to be told no."""
    lifecycle = _lifecycle(app)
    if lifecycle is None:
        return

    def answered(yes: bool | None) -> None:
        if yes:
            retire_agent(app, agent)

    def forced(yes: bool | None) -> None:
        if yes:
            retire_agent(app, agent, force=True)

    async def work() -> None:
        try:
            await check_retire(lifecycle, agent)
        except RetireRefused as refused:
            app.push_screen(AskScreen(str(refused), "Retire anyway? That work is lost."),
                            forced)
            return
        except OrchestraError as error:
            app.notify(str(error), title=f"{agent} cannot be retired", severity="warning",
                       timeout=12)
            return
        app.push_screen(AskScreen(
            f"Retire {agent}?", "It stops, its worktree is removed, and its branch too when "
            "merged."), answered)

    app.run_worker(work(), group="lifecycle")


def retire_agent(app, agent: str, *, force: bool = False) -> None:
    lifecycle = _lifecycle(app)
    if lifecycle is None:
        return

    async def work() -> None:
        view = app.snapshot.get(agent)
        pane = view.pane.pane_id if view is not None and view.pane is not None else None
        try:
            outcome = await retire(lifecycle, agent, force=force, pane_id=pane)
        except RetireRefused as refused:
            def forced(yes: bool | None) -> None:
                if yes:
                    retire_agent(app, agent, force=True)

            app.push_screen(AskScreen(str(refused), "Retire anyway? That work is lost."),
                            forced)
            return
        except OrchestraError as error:
            app.notify(str(error), title=f"{agent} not retired", severity="error", timeout=12)
            return
        app.notify(outcome.summary, title=agent, timeout=10)

    app.run_worker(work(), group="lifecycle")
