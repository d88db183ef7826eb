"""The diff view's controller, owned by the app: opens the diff screen, reads the change off the
screen's turn (git through the fleet, here or on the agent's host; a PR's files through the
desk) and sends a review where the person chose.

Before a review leaves, the change is read again and every comment's lines are looked for in
it (`core.review.relocate_all`): lines that moved are named where they are now; a comment whose
lines are gone is not sent, and the person is told, with its text, on a redrawn diff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.binding import Binding

from orchestra_tui.agents.text import clip
from orchestra_tui.core.desk.desk import NOT_CONFIGURED, Desk
from orchestra_tui.core.fleet.fleet import Fleet, FleetSnapshot
from orchestra_tui.core.review import (
    ReviewTarget,
    queue_review,
    relocate_all,
    review_prompt,
    review_source,
)
from orchestra_tui.diff_models import Diff, LineComment
from orchestra_tui.errors import OrchestraError
from orchestra_tui.ui.controllers.github import bindings_of
from orchestra_tui.ui.messages import DiffLoaded
from orchestra_tui.ui.screens.diff import DiffScreen

__all__ = ["DiffActions"]


class DiffActions:
    """`send_now(agent, text, source)` types a prompt through the send gate, offering to queue
    it on a refusal (the fleet controller's); `refresh_desk` reads GitHub again; `show_fleet`
    puts a newer fleet snapshot on screen (a queued review shows in the queue at once)."""

    def __init__(self, app: App[Any], fleet: Fleet, desk: Desk | None, *,
                 send_now: Callable[..., None], refresh_desk: Callable[[], None],
                 show_fleet: Callable[[FleetSnapshot], None]) -> None:
        self.app = app
        self.fleet = fleet
        self.desk = desk
        self.send_now = send_now
        self.refresh_desk = refresh_desk
        self.show_fleet = show_fleet

    # -- opening and reading ---------------------------------------------------------------------

    def show_agent(self, agent: str | None) -> None:
        """`d` on the fleet: the selected agent's change (none selected: nothing)."""
        if agent:
            self.show(ReviewTarget(agent))

    @staticmethod
    def help_section() -> tuple[str, list[Binding]]:
        return ("Diff", bindings_of(DiffScreen))

    def show(self, target: ReviewTarget) -> None:
        """The diff screen of `target`: read again if it is the one shown, else opened."""
        if target.pr is not None and self.desk is None:
            self.app.notify(NOT_CONFIGURED, severity="warning", timeout=6)
            return
        shown = self.app.screen_stack[-1] if self.app.screen_stack else None
        if not (isinstance(shown, DiffScreen) and shown.target == target):
            self.app.push_screen(DiffScreen(target))
        self._load(target)

    async def _read(self, target: ReviewTarget) -> Diff:
        if target.pr is not None:
            if self.desk is None:
                raise OrchestraError(NOT_CONFIGURED)
            return await self.desk.pull_diff(target.pr)
        return await self.fleet.diff_of(target.agent)

    def _load(self, target: ReviewTarget) -> None:
        async def work() -> None:
            try:
                diff = await self._read(target)
            except OrchestraError as error:
                self._hand_over(DiffLoaded(target, None, str(error)))
                return
            self._hand_over(DiffLoaded(target, diff))

        self.app.run_worker(work(), group="diff")

    def _hand_over(self, message: DiffLoaded) -> None:
        """What was read goes to the diff screen of that change, if it is still open."""
        for screen in self.app.screen_stack:
            if isinstance(screen, DiffScreen) and screen.target == message.target:
                screen.post_message(message)

    # -- the review --------------------------------------------------------------------------------

    def submit(self, target: ReviewTarget, comments: tuple[LineComment, ...], how: str) -> None:
        async def work() -> None:
            try:
                fresh = await self._read(target)
            except OrchestraError as error:
                self.app.notify(f"{error}; nothing was sent", title="Review",
                                severity="error", timeout=10)
                return
            checked = relocate_all(comments, fresh)
            if checked.lost:
                self._hand_over(DiffLoaded(target, fresh, comments=checked.kept))
                lost = "\n".join(f"• {c.path} {c.span}: {clip(c.text, 120)}"
                                 for c in checked.lost)
                self.app.notify(
                    f"The change moved on: {len(checked.lost)} comment(s) no longer match "
                    f"its lines. Nothing was sent; the diff is drawn again.\n{lost}",
                    title="Review not sent", severity="warning", timeout=20)
                return
            try:
                done = await self._deliver(target, fresh, checked.kept, how)
            except OrchestraError as error:
                self.app.notify(str(error), title="Review", severity="error", timeout=10)
                self._hand_over(DiffLoaded(target, fresh, comments=checked.kept))
                return
            self._hand_over(DiffLoaded(target, fresh, comments=()))
            moved = f" ({checked.moved} moved with the change)" if checked.moved else ""
            if done:
                self.app.notify(done + moved, title="Review", timeout=6)

        self.app.run_worker(work(), group="diff-review")

    async def _deliver(self, target: ReviewTarget, diff: Diff,
                       comments: tuple[LineComment, ...], how: str) -> str:
        count = f"{len(comments)} comment{'s' if len(comments) != 1 else ''}"
        if how == "github":
            if self.desk is None or target.pr is None:
                raise OrchestraError("only a pull request's comments go to GitHub")
            await self.desk.post_review_comments(target.pr, diff.head, comments)
            self.refresh_desk()  # the new threads enter the inbox
            return f"Posted {count} on {target.key}: they show in the inbox (i)"
        if not target.agent:
            raise OrchestraError(f"{target.key} has no owning agent to send the review to")
        if how == "now":
            self.send_now(target.agent, review_prompt(comments, diff.title),
                          source=review_source(target.key))
            return ""  # the send itself tells how it went
        await queue_review(self.fleet, None, target.agent, comments, diff.title, target.key)
        self.show_fleet(self.fleet.current())
        return f"Review queued for {target.agent} ({count}): sent when it is ready"
