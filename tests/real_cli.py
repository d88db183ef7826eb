"""What the real-CLI tests share: an agent CLI in a tmux pane with its private HOME and
orchestra's data dir, watched through its hook log and its screen, and Claude Code's
pre-accepted onboarding. Each CLI's own setup stays in its test module."""

from __future__ import annotations

import asyncio
import json
import pathlib
import shlex
import shutil
import subprocess
import sys

from orchestra_tui.cli import main
from orchestra_tui.services.hooks.log import HookLog
from orchestra_tui.services.store.journal import Journal
from tests.helpers import async_wait_until
from tests.tmux_fixtures import screen

STARTUP_SECONDS = 90.0  # a first start under load, with two cores shared by several suites
TURN_SECONDS = 60.0

CLAUDE = shutil.which("claude")
CLAUDE_MISSING = "Claude Code is not installed: npm install -g @anthropic-ai/claude-code " \
                 "(.ci/run does)"
CLAUDE_API_KEY = "sk-ant-api03-" + "orchestratest" * 7 + "-AA"


def claude_home(home: pathlib.Path, work: pathlib.Path) -> None:
    """Claude Code's state in `home` as after onboarding, with `work` a trusted folder and the
    test's API key approved: it opens straight on its composer."""
    (home / ".claude").mkdir(parents=True, exist_ok=True)
    (home / ".claude.json").write_text(json.dumps({
        "hasCompletedOnboarding": True, "theme": "dark", "numStartups": 3,
        "customApiKeyResponses": {"approved": [CLAUDE_API_KEY[-20:]], "rejected": []},
        "projects": {str(work): {"hasTrustDialogAccepted": True,
                                 "hasCompletedProjectOnboarding": True,
                                 "allowedTools": []}},
    }), encoding="utf-8")


def claude_command(home: pathlib.Path, base_url: str, *, path: str = "",
                   extra: tuple[str, ...] = (), hooks_env: bool = False) -> str:
    """The shell line that runs Claude Code offline against the scripted API at `base_url`,
    with nothing of this machine's environment but `path` first on PATH (and, with
    `hooks_env`, the pane's tmux variables, which its hooks need)."""
    env = {"HOME": str(home), "TERM": "xterm-256color",
           "PATH": f"{path + ':' if path else ''}{pathlib.Path(CLAUDE).parent}:/usr/bin:/bin",
           "ANTHROPIC_BASE_URL": base_url, "ANTHROPIC_API_KEY": CLAUDE_API_KEY,
           "DISABLE_AUTOUPDATER": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
    assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
    tmux = 'TMUX="$TMUX" TMUX_PANE="$TMUX_PANE" ' if hooks_env else ""
    return (f"exec env -i {assignments} {tmux}{shlex.quote(CLAUDE)} --permission-mode default"
            + (f" {shlex.join(extra)}" if extra else ""))


async def wait_for_pane(tmux, pane_id: str, predicate, message: str,
                        timeout: float = TURN_SECONDS, *, ansi: bool = False) -> str:
    """The pane's screen once `predicate` holds for it; the last screen in the failure."""
    last = [""]

    async def check() -> bool:
        last[0] = await screen(tmux, pane_id, ansi=ansi)
        return predicate(last[0])

    try:
        await async_wait_until(check, timeout=timeout, interval=0.2, message=message)
    except AssertionError as error:
        raise AssertionError(f"{error}; last screen:\n{last[0]}") from None
    return last[0]


POLICY = "Terraform runs only from CI; change infra through a PR."


class RealCli:
    """One agent CLI in a tmux pane. Subclasses set `tool`, `session`, `pane_id`, `data`,
    `config` and `tmux`, and say which `question` their approval dialog asks."""

    tool = ""
    question = ""
    submit_event = "UserPromptSubmit"  # the hook event that says a prompt went in

    def orchestra(self, *args: str) -> int:
        return main(["--config", str(self.config), "--data-dir", str(self.data), *args])

    def install_enforcing(self) -> None:
        """This agent as `infra`, on a lane that enforces `POLICY`, with orchestra's hooks."""
        self.config.write_text(
            f'[[agent]]\nname = "infra"\ntool = "{self.tool}"\ntarget = "{self.session}"\n'
            f'policy = "{POLICY}"\nenforce = true\n', encoding="utf-8")
        assert self.orchestra("hooks", "install", "--tool", self.tool) == 0

    def the_denial_alert(self) -> dict:
        """The one alert journaled, checked to be the enforcing hook's denial for `infra`."""
        [alert] = Journal(self.data / "journal.jsonl").read(events=("alert",))
        assert (alert["agent"], alert["kind"], alert["denied"]) == ("infra", "forbid", True)
        return alert

    async def status_row(self) -> dict:
        """This agent's row of `orchestra status --json`, run as a person would."""
        if not self.config.exists():
            self.config.write_text(f'[[agent]]\nname = "api"\ntool = "{self.tool}"\n'
                                   f'target = "{self.session}"\n', encoding="utf-8")
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "orchestra_tui", "status", "--json", "--config",
             str(self.config), "--data-dir", str(self.data), "-L", self.tmux.runner.socket_name],
            capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        rows = [row for row in json.loads(done.stdout) if row["pane_id"] == self.pane_id]
        assert rows, done.stdout
        return rows[0]

    def events(self) -> list:
        return HookLog(self.data).read_new(self.pane_id)  # a fresh reader: the recent tail

    def count(self, name: str) -> int:
        return sum(event.event == name for event in self.events())

    async def wait_for_event(self, name: str, timeout: float = TURN_SECONDS, *,
                             more_than: int = 0) -> None:
        async def seen() -> bool:
            return self.count(name) > more_than

        try:
            await async_wait_until(seen, timeout=timeout, interval=0.2,
                                   message=f"hook event {name} in the log")
        except AssertionError as error:
            shown = await screen(self.tmux, self.pane_id)
            logged = [event.event for event in self.events()]
            raise AssertionError(f"{error}; events: {logged}; screen:\n{shown}") from None

    async def wait_for_screen(self, predicate, message: str,
                              timeout: float = TURN_SECONDS) -> str:
        return await wait_for_pane(self.tmux, self.pane_id, predicate, message, timeout)

    async def answer_dialog(self, key: str) -> None:
        """Press `key` until the dialog takes it (a key pressed while the CLI still runs its
        permission hooks may be dropped), at most a few times, never once it's gone."""
        for _ in range(5):
            await self.tmux.run("send-keys", "-t", self.pane_id, key)
            try:
                await self.wait_for_screen(lambda text: self.question not in text,
                                           "the dialog to close", timeout=10)
                return
            except AssertionError:
                continue
        raise AssertionError("the dialog never took the answer")

    async def prompt(self, text: str) -> None:
        """Type `text` and submit it, pressing Enter again (a bounded number of times) until
        the prompt-submit hook (`submit_event`) says it went in."""
        before = self.count(self.submit_event)
        await self.tmux.run("send-keys", "-t", self.pane_id, "-l", "--", text)
        for _ in range(5):
            await self.tmux.run("send-keys", "-t", self.pane_id, "Enter")
            try:
                await self.wait_for_event(self.submit_event, timeout=10, more_than=before)
                return
            except AssertionError:
                continue
        shown = await screen(self.tmux, self.pane_id)
        raise AssertionError(f"the prompt was never submitted:\n{shown}")
