"""The app's GitHub half, as a mixin for `OrchestraApp`: the `desk` reactive the inbox, merge
and issues screens watch; a worker that refreshes the desk every `refresh_seconds` and on demand
(posting `DeskRefreshed`, never touching a widget); and the app-level actions those screens
call, each run in a worker that turns a `GitHubError` into a notification."""

from __future__ import annotations

import asyncio
import webbrowser
from collections.abc import Callable, Coroutine, Iterable
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from orchestra_tui.core.desk import NOT_CONFIGURED, UNCONFIGURED, Desk, DeskSnapshot, InboxEntry
from orchestra_tui.core.inbox import inbox_prompt
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import Issue, PullRequest
from orchestra_tui.ui.github_format import short_sha, where

# Seconds after an accepted update-branch (GitHub finishes it later) to read the PRs again.
UPDATE_BRANCH_RECHECK = 3.0


class DeskRefreshed(Message):
    """The desk has a new snapshot (a refresh finished, or an action changed its state)."""

    def __init__(self, snapshot: DeskSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


def _screens() -> tuple[type[Screen], type[Screen], type[Screen]]:
    from orchestra_tui.ui.screens.inbox import InboxScreen
    from orchestra_tui.ui.screens.issues import IssuesScreen
    from orchestra_tui.ui.screens.merge import MergeScreen

    return InboxScreen, MergeScreen, IssuesScreen


class GitHubActions:
    """Mixed into OrchestraApp (before `App`). Needs `self.fleet` and `self.options.poll`."""

    desk: reactive[DeskSnapshot] = reactive(UNCONFIGURED, always_update=True)

    github_desk: Desk | None = None
    _desk_wake: asyncio.Event | None = None

    def init_github(self, desk: Desk | None) -> None:
        self.github_desk = desk
        self._desk_wake = None

    def start_desk(self) -> None:
        """From on_mount: show the desk's snapshot, and poll it unless the app doesn't poll."""
        desk = self.github_desk
        if desk is None:
            return
        self.desk = desk.snapshot
        if self.options.poll:
            self.run_worker(self._desk_loop(), group="desk", exclusive=True)

    # -- the refresh worker: reads GitHub, posts what it read -----------------------------------

    async def _desk_loop(self) -> None:
        desk = self.github_desk
        assert desk is not None
        self._desk_wake = wake = asyncio.Event()
        try:
            while True:
                wake.clear()
                self.post_message(DeskRefreshed(await desk.refresh()))
                try:
                    await asyncio.wait_for(wake.wait(), max(1.0, desk.refresh_seconds))
                except TimeoutError:
                    pass
        finally:
            self._desk_wake = None

    async def _desk_refresh_once(self) -> None:
        assert self.github_desk is not None
        self.post_message(DeskRefreshed(await self.github_desk.refresh()))

    def on_desk_refreshed(self, message: DeskRefreshed) -> None:
        self.desk = message.snapshot

    def refresh_desk(self) -> None:
        """Read GitHub again now (wakes the refresh loop, or runs one refresh)."""
        if self._require_desk() is None:
            return
        if self._desk_wake is not None:
            self._desk_wake.set()
        else:
            self.run_worker(self._desk_refresh_once(), group="desk-refresh")

    def _require_desk(self) -> Desk | None:
        if self.github_desk is None:
            self.notify(NOT_CONFIGURED, severity="warning", timeout=6)
        return self.github_desk

    def _desk_run(self, work: Coroutine, done: str | Callable[[Any], str] | None = None, *,
                  refresh: bool = False, fleet_changed: bool = False) -> None:
        """Run an action in a worker: a GitHubError (any OrchestraError) becomes a
        notification; the desk's new state is posted either way; `refresh` reads GitHub
        again afterwards, success or not (a refused merge shows the moved head)."""

        async def guarded() -> None:
            try:
                result = await work
            except OrchestraError as error:
                self.notify(str(error), title="GitHub", severity="error", timeout=10)
            else:
                if done:
                    self.notify(done(result) if callable(done) else done, timeout=4)
                if fleet_changed:
                    self.snapshot = self.fleet.current()
            finally:
                if self.github_desk is not None:
                    self.post_message(DeskRefreshed(self.github_desk.snapshot))
                if refresh:
                    self.refresh_desk()

        self.run_worker(guarded(), group="github-actions")

    # -- opening the screens ---------------------------------------------------------------------

    def _open_github_screen(self, index: int) -> None:
        screens = _screens()
        wanted = screens[index]
        if isinstance(self.screen, wanted):
            return
        if isinstance(self.screen, screens):
            self.switch_screen(wanted())
        else:
            self.push_screen(wanted())

    def action_inbox(self) -> None:
        self._open_github_screen(0)

    def action_merge_panel(self) -> None:
        self._open_github_screen(1)

    def action_issues(self) -> None:
        self._open_github_screen(2)

    def action_refresh_github(self) -> None:
        self.refresh_desk()

    # -- inbox -----------------------------------------------------------------------------------

    def queue_review(self, entry: InboxEntry, agent: str) -> None:
        """Put a review thread into `agent`'s queue as a ready prompt."""
        desk = self._require_desk()
        if desk is None:
            return

        async def work() -> None:
            text = inbox_prompt(entry.thread, entry.pull.pr)
            await self.fleet.enqueue(agent, text, source=f"inbox:{entry.thread.id}")
            await desk.mark_queued(entry.thread.id, agent)

        self._desk_run(work(), f"Queued for {agent}: {where(entry.thread)}",
                       fleet_changed=True)

    def resolve_review(self, entry: InboxEntry) -> None:
        if desk := self._require_desk():
            self._desk_run(desk.resolve(entry.thread.id),
                           f"Resolved on GitHub: {where(entry.thread)}", refresh=True)

    def snooze_review(self, entry: InboxEntry, hours: float | None) -> None:
        if desk := self._require_desk():
            until = "until it changes" if hours is None else f"for {hours:g}h"
            self._desk_run(desk.snooze(entry.thread, hours), f"Snoozed {until}")

    def unsnooze_review(self, entry: InboxEntry) -> None:
        if desk := self._require_desk():
            self._desk_run(desk.unsnooze(entry.thread.id), "Snooze lifted")

    def open_in_browser(self, url: str) -> None:
        """`webbrowser.open` blocks (it may start a program): run it in a thread."""

        async def work() -> None:
            opened = await asyncio.to_thread(webbrowser.open, url)
            if not opened:
                self.notify(f"No browser: {url}", timeout=10)

        self.run_worker(work(), group="browser")

    # -- merge panel -----------------------------------------------------------------------------

    def merge_pull(self, pr: PullRequest, gate_sha: str) -> None:
        """Squash-merge pinned to `gate_sha`; never retried. A refusal (head moved, not
        mergeable) is notified and the PRs are read again either way."""
        if desk := self._require_desk():
            self._desk_run(desk.merge(pr, gate_sha),
                           f"Merged {pr.repo}#{pr.number} at {short_sha(gate_sha)}",
                           refresh=True)

    def admin_merge_pull(self, pr: PullRequest, gate_sha: str, reason: str) -> None:
        if desk := self._require_desk():
            self._desk_run(desk.admin_merge(pr, gate_sha, reason),
                           f"Admin-merged {pr.repo}#{pr.number} at {short_sha(gate_sha)}",
                           refresh=True)

    def update_pull_branch(self, pr: PullRequest) -> None:
        desk = self._require_desk()
        if desk is None:
            return

        async def work() -> str:
            text = await desk.update_branch(pr)
            self.set_timer(UPDATE_BRANCH_RECHECK, self.refresh_desk)
            return text

        self._desk_run(work(), lambda text: text, refresh=True)

    # -- issues ----------------------------------------------------------------------------------

    def load_issues(self) -> None:
        if desk := self._require_desk():
            self._desk_run(desk.load_issues())

    def load_issue(self, repo: str, number: int) -> None:
        if desk := self._require_desk():
            self._desk_run(desk.issue(repo, number))

    def post_guidance(self, repo: str, number: int, body: str) -> None:
        if desk := self._require_desk():
            self._desk_run(desk.post_guidance(repo, number, body),
                           f"Guidance posted on {repo}#{number}")

    def assign_issue(self, issue: Issue, agent: str) -> None:
        """Queue the "work on issue #N" prompt for `agent`, then record it is on #N."""
        desk = self._require_desk()
        if desk is None:
            return

        async def work() -> None:
            prompt = desk.assign_prompt(issue, agent)
            await self.fleet.enqueue(agent, prompt,
                                     source=f"issue:{issue.repo}#{issue.number}")
            await desk.set_current_issue(agent, issue)

        self._desk_run(work(), f"Queued issue #{issue.number} for {agent}", fleet_changed=True)

    # -- help and the command palette, from the screens' own bindings ----------------------------

    def github_help_sections(self) -> list[tuple[str, list[Binding]]]:
        inbox, merge, issues = _screens()
        return [("Review inbox", list(inbox.BINDINGS)), ("Merge panel", list(merge.BINDINGS)),
                ("Issues", list(issues.BINDINGS))]

    def github_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The current GitHub screen's actions, and a refresh, for the command palette."""
        if isinstance(screen, _screens()):
            for binding in type(screen).BINDINGS:
                if not binding.description or binding.description in ("Down", "Up"):
                    continue
                yield SystemCommand(binding.description,
                                    f"{binding.description} (key: {binding.key})",
                                    partial(screen.run_action, binding.action))
        if self.github_desk is not None:
            yield SystemCommand("Refresh GitHub", "Read the PRs, checks and threads again",
                                self.refresh_desk)
