"""The app's GitHub half, a controller the app owns: a worker that refreshes the desk every
`refresh_seconds` and on demand (posting `DeskRefreshed` to the app, never touching a widget),
the inbox, merge and issues screens opened with what they show, and the actions those screens
ask for, each run in a worker that turns a `GitHubError` into a notification."""

from __future__ import annotations

import asyncio
import webbrowser
from collections.abc import Callable, Coroutine, Iterable
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen

from orchestra_tui.core.desk.desk import (
    NOT_CONFIGURED,
    Desk,
    DeskSnapshot,
    InboxEntry,
    LoopEntry,
)
from orchestra_tui.core.desk.inbox import inbox_prompt
from orchestra_tui.core.desk.pr_loop import source_of
from orchestra_tui.core.fleet.fleet import Fleet, FleetSnapshot
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import Gate, Issue, PullRequest
from orchestra_tui.services.notify.clipboard import ClipboardChannel
from orchestra_tui.ui.screens.inbox import InboxScreen
from orchestra_tui.ui.screens.issues import IssuesScreen
from orchestra_tui.ui.screens.merge import MergeScreen
from orchestra_tui.ui.wording.github import short_sha, where

# Seconds after an accepted update-branch (GitHub finishes it later) to read the PRs again.
UPDATE_BRANCH_RECHECK = 3.0

GITHUB_SCREENS = (InboxScreen, MergeScreen, IssuesScreen)


class DeskRefreshed(Message):
    """The desk has a new snapshot (a refresh finished, or an action changed its state)."""

    def __init__(self, snapshot: DeskSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class GitHubActions:
    """`desk` is None when GitHub is not configured (every action says so). `fleet_shown` and
    `desk_shown` are the snapshots the person sees (a screen opens showing them); `show_fleet`
    puts a newer fleet snapshot on screen (a review sent to a queue shows there at once)."""

    def __init__(self, app: App[Any], fleet: Fleet, desk: Desk | None, *, poll: bool,
                 fleet_shown: Callable[[], FleetSnapshot],
                 desk_shown: Callable[[], DeskSnapshot],
                 show_fleet: Callable[[FleetSnapshot], None],
                 clipboard: ClipboardChannel | None = None) -> None:
        self.app = app
        self.clipboard = clipboard  # where a URL goes when no browser opens it (OSC 52)
        self.fleet = fleet
        self.desk = desk
        self.poll = poll
        self.fleet_shown = fleet_shown
        self.desk_shown = desk_shown
        self.show_fleet = show_fleet
        self._wake: asyncio.Event | None = None

    def start(self) -> None:
        """From the app's mount: poll the desk, unless the app doesn't poll."""
        if self.desk is not None and self.poll:
            self.app.run_worker(self._loop(self.desk), group="desk", exclusive=True)

    # -- the refresh worker: reads GitHub, posts what it read -----------------------------------

    async def _loop(self, desk: Desk) -> None:
        self._wake = wake = asyncio.Event()
        try:
            while True:
                wake.clear()
                self.app.post_message(DeskRefreshed(await desk.refresh()))
                await self._autoroute(desk)
                try:
                    await asyncio.wait_for(wake.wait(), max(1.0, desk.refresh_seconds))
                except TimeoutError:
                    pass
        finally:
            self._wake = None

    async def _refresh_once(self, desk: Desk) -> None:
        self.app.post_message(DeskRefreshed(await desk.refresh()))
        await self._autoroute(desk)

    async def _autoroute(self, desk: Desk) -> None:
        """The lanes' `autoroute`: items queued for their owners once, through the queue."""
        sent = await desk.autoroute(self.fleet.enqueue)
        if sent:
            self.app.post_message(DeskRefreshed(desk.snapshot))
            self.show_fleet(self.fleet.current())
            for item, agent in sent:
                self.app.notify(f"Sent to {agent}'s queue: {item.pr.repo}#{item.pr.number} "
                                f"{item.title}", title="Autoroute", timeout=6)

    def refresh(self) -> None:
        """Read GitHub again now (wakes the refresh loop, or runs one refresh)."""
        desk = self._require_desk()
        if desk is None:
            return
        if self._wake is not None:
            self._wake.set()
        else:
            self.app.run_worker(self._refresh_once(desk), group="desk-refresh")

    def _require_desk(self) -> Desk | None:
        if self.desk is None:
            self.app.notify(NOT_CONFIGURED, severity="warning", timeout=6)
        return self.desk

    def _run(self, work: Coroutine[Any, Any, Any],
             done: str | Callable[[Any], str] | None = None, *,
             refresh: bool = False, fleet_changed: bool = False) -> None:
        """Run an action in a worker: a GitHubError (any OrchestraError) becomes a
        notification; the desk's new state is posted either way; `refresh` reads GitHub
        again afterwards, success or not (a refused merge shows the moved head)."""

        async def guarded() -> None:
            try:
                result = await work
            except OrchestraError as error:
                self.app.notify(str(error), title="GitHub", severity="error", timeout=10)
            else:
                if done:
                    self.app.notify(done(result) if callable(done) else done, timeout=4)
                if fleet_changed:
                    self.show_fleet(self.fleet.current())
            finally:
                if self.desk is not None:
                    self.app.post_message(DeskRefreshed(self.desk.snapshot))
                if refresh:
                    self.refresh()

        self.app.run_worker(guarded(), group="github-actions")

    def pulls_of(self, agent: str) -> list[tuple[PullRequest, Gate]]:
        """The agent's open PRs with their gates, as the last GitHub refresh saw them."""
        return [(item.pr, item.gate) for item in self.desk_shown().pulls
                if item.pr.agent == agent]

    # -- opening the screens ---------------------------------------------------------------------

    def open_screen(self, wanted: type[InboxScreen | MergeScreen | IssuesScreen]) -> None:
        current = self.app.screen
        if isinstance(current, wanted):
            return
        opened = (MergeScreen(self.desk_shown(), self.fleet_shown()) if wanted is MergeScreen
                  else IssuesScreen(self.fleet_shown(), self.desk_shown())
                  if wanted is IssuesScreen else InboxScreen(self.fleet_shown(), self.desk_shown()))
        if isinstance(current, GITHUB_SCREENS):
            self.app.switch_screen(opened)
        else:
            self.app.push_screen(opened)

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

        self._run(work(), f"Queued for {agent}: {where(entry.thread)}",
                  fleet_changed=True)

    def queue_loop_item(self, entry: LoopEntry, agent: str) -> None:
        """Put a failed check, conflict, stale base or blocking review into `agent`'s queue;
        marked routed, so autoroute does not send it again."""
        desk = self._require_desk()
        if desk is None:
            return

        async def work() -> None:
            await self.fleet.enqueue(agent, entry.item.prompt, source=source_of(entry.item))
            await desk.mark_routed(entry.item, agent)

        self._run(work(), f"Queued for {agent}: {entry.item.title}", fleet_changed=True)

    def resolve_review(self, entry: InboxEntry) -> None:
        if desk := self._require_desk():
            self._run(desk.resolve(entry.thread.id),
                      f"Resolved on GitHub: {where(entry.thread)}", refresh=True)

    def snooze_review(self, entry: InboxEntry, hours: float | None) -> None:
        if desk := self._require_desk():
            until = "until it changes" if hours is None else f"for {hours:g}h"
            self._run(desk.snooze(entry.thread, hours), f"Snoozed {until}")

    def unsnooze_review(self, entry: InboxEntry) -> None:
        if desk := self._require_desk():
            self._run(desk.unsnooze(entry.thread.id), "Snooze lifted")

    def open_in_browser(self, url: str) -> None:
        """`webbrowser.open` blocks (it may start a program): run it in a thread. With no
        browser (a server over ssh) the URL goes to the person's clipboard by OSC 52."""

        async def work() -> None:
            opened = await asyncio.to_thread(webbrowser.open, url)
            if opened:
                return
            if self.clipboard is None:
                self.app.notify(f"No browser: {url}", timeout=10)
                return
            copied = await asyncio.to_thread(self.clipboard.copy, url)
            if copied.ok:
                self.app.notify(f"No browser here: copied to your clipboard (OSC 52): {url}",
                                timeout=10)
            else:
                self.app.notify(f"No browser: {url} (not copied: {copied.error})", timeout=12)

        self.app.run_worker(work(), group="browser")

    # -- merge panel -----------------------------------------------------------------------------

    def merge_pull(self, pr: PullRequest, gate_sha: str) -> None:
        """Squash-merge pinned to `gate_sha`; never retried. A refusal (head moved, not
        mergeable) is notified and the PRs are read again either way."""
        if desk := self._require_desk():
            self._run(desk.merge(pr, gate_sha),
                      f"Merged {pr.repo}#{pr.number} at {short_sha(gate_sha)}",
                      refresh=True)

    def admin_merge_pull(self, pr: PullRequest, gate_sha: str, reason: str) -> None:
        if desk := self._require_desk():
            self._run(desk.admin_merge(pr, gate_sha, reason),
                      f"Admin-merged {pr.repo}#{pr.number} at {short_sha(gate_sha)}",
                      refresh=True)

    def update_pull_branch(self, pr: PullRequest) -> None:
        desk = self._require_desk()
        if desk is None:
            return

        async def work() -> str:
            text = await desk.update_branch(pr)
            self.app.set_timer(UPDATE_BRANCH_RECHECK, self.refresh)
            return text

        self._run(work(), lambda text: text, refresh=True)

    # -- issues ----------------------------------------------------------------------------------

    def load_issues(self) -> None:
        if desk := self._require_desk():
            self._run(desk.load_issues())

    def load_issue(self, repo: str, number: int) -> None:
        if desk := self._require_desk():
            self._run(desk.issue(repo, number))

    def post_guidance(self, repo: str, number: int, body: str) -> None:
        if desk := self._require_desk():
            self._run(desk.post_guidance(repo, number, body),
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

        self._run(work(), f"Queued issue #{issue.number} for {agent}", fleet_changed=True)

    # -- help and the command palette, from the screens' own bindings ----------------------------

    @staticmethod
    def help_sections() -> list[tuple[str, list[Binding]]]:
        return [("Review inbox", bindings_of(InboxScreen)),
                ("Merge panel", bindings_of(MergeScreen)), ("Issues", bindings_of(IssuesScreen))]

    def system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The current GitHub screen's actions, and a refresh, for the command palette."""
        if isinstance(screen, GITHUB_SCREENS):
            for binding in bindings_of(type(screen)):
                if not binding.description or binding.description in ("Down", "Up"):
                    continue
                yield SystemCommand(binding.description,
                                    f"{binding.description} (key: {binding.key})",
                                    partial(screen.run_action, binding.action))
        if self.desk is not None:
            yield SystemCommand("Refresh GitHub", "Read the PRs, checks and threads again",
                                self.refresh)


def bindings_of(node: type[DOMNode]) -> list[Binding]:
    """A screen's (or the app's) own key bindings: every one of ours is a `Binding`, none a
    bare tuple."""
    return [binding for binding in node.BINDINGS if isinstance(binding, Binding)]
