r"""The composition root: config, services, fleet, desk and app are built here and nowhere else,
for the app, the demo and every command.

`boot(args)` reads the global options every command takes (`--config`, `-L`/`-S`,
`--data-dir`) and loads the config; services, fleet and desk are built from it on first use.
`build_app(boot)` makes the Textual app; `ui` is imported only there, so commands stay free of
Textual.

>>> import argparse, pathlib, tempfile
>>> where = pathlib.Path(tempfile.mkdtemp())
>>> _ = (where / "config.toml").write_text('[[agent]]\nname = "api"\n')
>>> args = argparse.Namespace(config=str(where / "config.toml"), data_dir=str(where))
>>> booted = boot(args, read_only=True)
>>> booted.fleet.names, booted.fleet.read_only, booted.services.journal.path.parent == where
(['api'], True, True)
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from orchestra_tui.agents.profiles import use_profiles
from orchestra_tui.config import Config, load_config
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings

if TYPE_CHECKING:
    from orchestra_tui.config.schema import HostConfig
    from orchestra_tui.core.away.duty import AwayDuty
    from orchestra_tui.core.away.notifier import Notifier
    from orchestra_tui.core.desk.desk import Desk
    from orchestra_tui.core.desk.snapshot import GitHubSource
    from orchestra_tui.core.lifecycle.lifecycle import Lifecycle
    from orchestra_tui.models import AgentSpec
    from orchestra_tui.services.github.service import GitHubService
    from orchestra_tui.services.store.agents_registry import AgentsRegistry
    from orchestra_tui.services.store.app_lock import AppLock
    from orchestra_tui.services.store.journal import Journal
    from orchestra_tui.services.store.queues import QueueStore
    from orchestra_tui.services.tmux.hosts import HostRouter
    from orchestra_tui.services.tmux.port import TmuxPort
    from orchestra_tui.services.tmux.service import TmuxService
    from orchestra_tui.services.usage.reader import SessionUsageReader
    from orchestra_tui.ui.app import OrchestraApp

__all__ = ["Boot", "Services", "boot", "build_app", "build_desk", "build_services",
           "fleet_from_args", "fleet_settings", "github_service", "router_for", "tmux_service"]


ISSUE_TIMEOUT = 10.0  # seconds GitHub gets to tell a new agent's issue title


class Boot:
    """Everything a command or the app works with, built from one config and the command
    line's options. The config is read at once (a broken one fails before anything starts);
    services, fleet and desk are built on first use, so `orchestra log` opens no tmux server
    and loads no queue, and only the app asks for a GitHub token."""

    def __init__(self, config: Config, *, socket_name: str | None = None,
                 socket_path: str | None = None, data_dir: Path | None = None,
                 read_only: bool = False, long_lived: bool = False, role: str = "app") -> None:
        self.config = config
        # The config's `[[tool]]` profiles join the built-in ones before anything reads a pane.
        use_profiles(config.tools)
        self.socket_name = socket_name
        self.socket_path = socket_path
        self.data_dir = data_dir
        self.read_only = read_only
        self.long_lived = long_lived
        self.role = role  # "app" or "watch": who acts while the person is away
        self.actor = f"{role}:{os.getpid()}" if long_lived else ""  # the journal's `by`

    @cached_property
    def services(self) -> Services:
        # The app polls for hours: its reads go through one tmux control-mode client.
        return build_services(self.config, socket_name=self.socket_name,
                              socket_path=self.socket_path, data_dir=self.data_dir,
                              control_mode=self.long_lived, recover=self.long_lived)

    @cached_property
    def fleet(self) -> Fleet:
        """Read-only fleets (commands that only look) write nothing to the journal; they read
        it, so an alert already raised is not counted as new."""
        from orchestra_tui.core.away.limits import reset_epoch
        from orchestra_tui.core.guard.enforcement import enforcement_problems
        from orchestra_tui.services.hooks.log import HookLog
        from orchestra_tui.services.store.budget_resumes import BudgetResumes
        from orchestra_tui.services.store.kept_screens import DIRECTORY, ScreenKeep

        problems = (enforcement_problems(self.config.path, self.registry.records())
                    if self.config.path is not None and Path(self.config.path).exists() else {})
        # The agents `orchestra new` started come from the record; branch figures are read
        # on activity only by the app (a command asks for them when it needs them).
        return Fleet(self.services.tmux, self.config.agents, store=self.services.store,
                     journal=self.services.journal, read_only=self.read_only,
                     settings=fleet_settings(self.config),
                     hooks=HookLog(self.services.store.directory), enforcement=problems,
                     registry=self.registry, follow_work=self.long_lived,
                     screens=ScreenKeep(self.services.store.directory / DIRECTORY),
                     limit_reset=reset_epoch, usage=self.usage,
                     budgets={lane.name: lane.budget_per_day for lane in self.config.lanes
                              if lane.budget_per_day is not None},
                     budget_resumes=BudgetResumes(self.services.store.directory),
                     launch=self._launch)

    async def _launch(self, spec: AgentSpec) -> str:
        """A restarted agent's command line: as `orchestra new` starts it, hooks included."""
        return await self.lifecycle(github=False).launch(spec, resume=False)

    @cached_property
    def usage(self) -> SessionUsageReader:
        """The agent CLIs' session records: under the home folder ($HOME), where they keep
        them."""
        from orchestra_tui.services.usage.reader import SessionUsageReader

        return SessionUsageReader(Path.home())

    @cached_property
    def notifier(self) -> Notifier | None:
        """The `[notify]` channels (the terminal's is the one this process draws on)."""
        from orchestra_tui.away_build import build_notifier, own_tty

        return build_notifier(self.config, self.services.journal, actor=self.actor,
                              tty=None if self.role == "watch" else own_tty())

    @cached_property
    def away_duty(self) -> AwayDuty:
        """Notifications, limit resumes and rules, run after each tick by the app or `orchestra
        watch`: behind the data dir's away lock, so only one of them acts."""
        from orchestra_tui.away_build import away_duty

        return away_duty(self.fleet, self.notifier, self.config.rules,
                         self.services.store.directory, role=self.role, actor=self.actor)

    @cached_property
    def registry(self) -> AgentsRegistry:
        from orchestra_tui.services.store.agents_registry import AgentsRegistry

        return AgentsRegistry(self.data_dir)

    def lifecycle(self, *, ready_timeout: float | None = None, github: bool = True
                  ) -> Lifecycle:
        """New, up and retire over this boot's services; GitHub (for an issue's title) unless
        `github` is False; orchestra's hooks injected into the agents it starts."""
        from orchestra_tui.core.lifecycle.lifecycle import Lifecycle
        from orchestra_tui.core.lifecycle.restart import READY_TIMEOUT
        from orchestra_tui.services.hooks.install import HookProgram

        data = self.services.store.directory
        worktrees = (Path(self.config.paths.worktrees) if self.config.paths.worktrees
                     else data / "worktrees")
        config = self.config

        async def issue_lookup(repo: str, number: int):
            async with github_service(config, timeout=ISSUE_TIMEOUT) as client:
                return await client.issue_with_comments(repo, number)

        return Lifecycle(config, tmux=self.services.tmux, registry=self.registry,
                         worktrees_dir=worktrees, store=self.services.store,
                         journal=self.services.journal,
                         hooks=HookProgram(data_dir=data, config=config.path),
                         issue_lookup=issue_lookup if github else None,
                         ready_timeout=ready_timeout or READY_TIMEOUT)

    @cached_property
    def desk(self) -> Desk | None:
        """The GitHub desk when any agent has a repo or `[github] repos` names one, else None.
        Its state file sits beside the journal, so the demo's data dir holds its own."""
        return build_desk(self.config, self.services.journal, github=self._desk_github)

    @cached_property
    def _desk_github(self) -> GitHubService:
        """The desk's client, closed with the boot (`aclose`): whoever builds it closes it."""
        return github_service(self.config)

    @property
    def journal(self) -> Journal:
        """The journal, for commands that only read it (without building the other
        services)."""
        if "services" in self.__dict__:
            return self.services.journal
        from orchestra_tui.services.store.journal import FILE_NAME, Journal

        return Journal(self.data_dir / FILE_NAME if self.data_dir else None)

    def github(self, *, timeout: float | None = None) -> GitHubService:
        """A GitHub client for this config (`async with` it: it holds a connection pool)."""
        return github_service(self.config, timeout=timeout)

    async def aclose(self) -> None:
        """Let go of what holds a connection: the desk's GitHub client, a tmux control
        client."""
        if (duty := self.__dict__.get("away_duty")) is not None:
            duty.close()  # the away lock, this process's word on looking
        client = self.__dict__.get("_desk_github")
        if client is not None:
            await client.aclose()
        if "services" in self.__dict__:
            await self.services.tmux.aclose()


def _option(args: argparse.Namespace | None, name: str) -> Any:
    # Tests and scripts build their own namespaces with only the options they use.
    return getattr(args, name, None) if args is not None else None


def fleet_settings(config: Config) -> FleetSettings:
    return FleetSettings(stuck_after=config.ui.stuck_after_seconds,
                         idle_debounce=config.ui.idle_debounce_seconds,
                         context_warn=config.ui.context_warn_percent,
                         context_critical=config.ui.context_critical_percent)


def boot(args: argparse.Namespace | None = None, *, read_only: bool = False,
         long_lived: bool = False, role: str = "app") -> Boot:
    """The config for the command line's global options (`--config`, `-L`/`-S`,
    `--data-dir`) and what is built from it.

    `read_only` is for commands that only look (`status`, `detect`, `inbox`, `log`, `report`):
    their fleet writes nothing. `long_lived` is for the app, the demo and `orchestra watch`
    (`role`): tmux reads go through one control-mode client, not a process per command."""
    data_dir = _option(args, "data_dir")
    return Boot(load_config(_option(args, "config")),
                socket_name=_option(args, "socket_name"),
                socket_path=_option(args, "socket_path"),
                data_dir=Path(data_dir).expanduser() if data_dir else None,
                read_only=read_only, long_lived=long_lived, role=role)


def fleet_from_args(args: argparse.Namespace, *, read_only: bool = False
                    ) -> tuple[Fleet, Config, Services]:
    """`(fleet, config, services)` for commands written before `Boot`."""
    booted = boot(args, read_only=read_only)
    return booted.fleet, booted.config, booted.services


def build_app(booted: Boot) -> OrchestraApp:
    """The Textual app over a boot's fleet and desk: `orchestra` and `orchestra demo` both."""
    from orchestra_tui.away_build import away_duty_notice, clipboard_channel
    from orchestra_tui.ui.app import OrchestraApp
    from orchestra_tui.ui.options import AppOptions

    config = booted.config
    options = AppOptions(
        config_path=str(config.path),
        poll_seconds=config.ui.poll_seconds,
        theme=config.ui.theme,
        bell=config.ui.bell,
        context_warn=config.ui.context_warn_percent,
        context_critical=config.ui.context_critical_percent,
        attach_popup=config.ui.attach_popup,
    )
    notices = []
    if whole := booted.fleet.enforcement.get(""):  # not tied to one agent: said at start
        notices.append(f"Enforcement: {whole}")
    if booted.long_lived and booted.services.app_lock is None:
        notices.append(another_app_notice(booted.services.store.directory))
    if booted.long_lived and (duty_notice := away_duty_notice(booted.away_duty)):
        notices.append(duty_notice)
    if booted.long_lived and config.notify.terminal != "off" and booted.notifier is not None:
        from orchestra_tui.services.notify.terminal import allow_passthrough

        if problem := allow_passthrough(dict(os.environ)):  # OSC through tmux to the terminal
            notices.append(f"Terminal notifications may not pass tmux: {problem}")
    # The lifecycle: N and X, new agents on lanes and retiring them.
    return OrchestraApp(booted.fleet, options, desk=booted.desk,
                        lifecycle=booted.lifecycle(), startup_notices=notices,
                        away=booted.away_duty if booted.long_lived else None,
                        clipboard=clipboard_channel(notices) if booted.long_lived else None)


def another_app_notice(data_dir: Path) -> str:
    from orchestra_tui.paths import display_path
    from orchestra_tui.services.store.app_lock import AppLock

    pid = AppLock(data_dir).holder()
    who = f"another orchestra (pid {pid})" if pid else "another orchestra"
    return (f"{who} runs on {display_path(data_dir)}: a prompt it is sending is left to it; "
            "queued prompts are still sent once each, by whichever app claims them first")


def build_desk(config: Config, journal: Journal | None = None, *,
               github: GitHubSource | None = None, state_path: Path | None = None
               ) -> Desk | None:
    """A Desk when any agent has a repo or `[github] repos` names one; else None. Its state
    file sits beside the journal (the demo's data dir is its own), else in the data dir;
    `github` is the client it reads through (default: one for the config, never closed)."""
    from orchestra_tui.core.desk.desk import Desk
    from orchestra_tui.core.desk.inbox import repos_of
    from orchestra_tui.services.store.desk import STATE_FILE, DeskStore

    repos = repos_of(config.agents, config.github.repos)
    if not repos:
        return None
    if state_path is None and journal is not None:
        state_path = journal.path.parent / STATE_FILE
    return Desk(github if github is not None else github_service(config), config.agents, repos,
                store=DeskStore(state_path), journal=journal,
                refresh_seconds=config.github.refresh_seconds,
                assign_template=config.github.assign_template, lanes=config.lanes)


def github_service(config: Config, *, timeout: float | None = None) -> GitHubService:
    from orchestra_tui.services.github.service import DEFAULT_TIMEOUT, GitHubService

    return GitHubService.from_config(config.github, timeout=timeout or DEFAULT_TIMEOUT)


def tmux_service(args: argparse.Namespace | None) -> TmuxService:
    """The tmux server the command line names, for commands that run before any config exists
    (`orchestra init` writes the first one)."""
    from orchestra_tui.services.tmux.service import TmuxService

    return TmuxService.from_options(socket_name=_option(args, "socket_name"),
                                    socket_path=_option(args, "socket_path"))


# -- services --------------------------------------------------------------------------------


class Services(NamedTuple):
    tmux: TmuxPort
    store: QueueStore
    journal: Journal
    # Held by the app that recovered the queues at start-up, for its lifetime; None for
    # commands and for an app opened beside a live one.
    app_lock: AppLock | None = None


def build_services(config: Config, *, socket_name: str | None = None,
                   socket_path: str | None = None, data_dir: Path | None = None,
                   control_mode: bool = False, recover: bool = False) -> Services:
    """tmux (over the `[[host]]`s too), the queues and the journal for a config.

    Command-line `-L`/`-S` win over the config's `[tmux]` table, as they do for tmux.
    `control_mode`: the app, which polls for hours, reads through one long-lived `tmux -C`
    client; a one-shot command spawns a tmux process per call instead."""
    from orchestra_tui.paths import data_dir as default_data_dir
    from orchestra_tui.services.store.journal import Journal
    from orchestra_tui.services.store.queues import QueueStore
    from orchestra_tui.services.tmux.service import TmuxService

    if socket_name is None and socket_path is None:
        socket_name, socket_path = config.tmux.socket_name, config.tmux.socket_path
    directory = data_dir or default_data_dir()
    store = QueueStore(directory)
    app_lock = None
    if recover:
        # Crash recovery turns items found `sending` into `uncertain`: only the app that
        # sends may do it, never a command that runs beside it mid-send, nor a second app
        # while the first one lives (it holds the app lock for its lifetime).
        from orchestra_tui.services.store.app_lock import AppLock

        app_lock = AppLock(store.directory)
        if app_lock.acquire():
            store.load()
        else:
            app_lock = None
    # The panes' writer locks (one send at a time per pane, across processes) live beside the
    # queues, so every orchestra on this data dir queues behind the others.
    local = TmuxService.from_options(socket_name=socket_name, socket_path=socket_path,
                                     control_mode=control_mode,
                                     lock_dir=Path(directory) / "locks")
    # Agents on other machines: one tmux over ssh per `[[host]]`, behind one router.
    tmux: TmuxPort = (router_for(local, config.hosts, control_mode=control_mode)
                      if config.hosts else local)
    journal = Journal(directory / "journal.jsonl",
                      hosts={spec.name: spec.host for spec in config.agents if spec.host})
    return Services(tmux=tmux, store=store, journal=journal, app_lock=app_lock)


ONE_SHOT_DEADLINE = 8.0  # seconds a command waits for a host's answer


def router_for(local: TmuxService, hosts: Iterable[HostConfig], *,
               control_mode: bool = False) -> HostRouter:
    """The router over `local` and one TmuxService over ssh per `[[host]]`; `control_mode`
    (the app) reads each host through one long-lived `tmux -C` over ssh."""
    from orchestra_tui.services.tmux.hosts import HostRouter
    from orchestra_tui.services.tmux.runner import TmuxRunner
    from orchestra_tui.services.tmux.service import TmuxService
    from orchestra_tui.services.tmux.ssh import SshTmuxRunner, ssh_control_runner

    services: dict[str, TmuxService] = {}
    for host in hosts:
        ssh = SshTmuxRunner(host.name, host.ssh, ssh_options=host.ssh_options,
                            socket_name=host.socket_name, socket_path=host.socket_path,
                            connect_timeout=host.connect_timeout, tmux=host.tmux)
        runner: TmuxRunner = ssh_control_runner(ssh) if control_mode else ssh
        services[host.name] = TmuxService(runner)
    if control_mode:
        return HostRouter(local, services)
    # A one-shot command (`status`, `send`) reads once: a host slower than the app's tick
    # deadline is waited for, not shown `unknown`; one that never answers is still cut off.
    return HostRouter(local, services, deadline=ONE_SHOT_DEADLINE,
                      first_deadline=ONE_SHOT_DEADLINE, stale_after=ONE_SHOT_DEADLINE)
