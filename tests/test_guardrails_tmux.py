"""Guardrails on real captures: a simulated agent in a real tmux pane prints forbidden commands
(`[print TEXT]`), orchestra's capture goes through `OutputWatch` tick by tick, as the fleet
feeds it."""

from __future__ import annotations

import itertools
import pathlib

import pytest

from orchestra_tui.core.guard.guardrails import OutputWatch
from orchestra_tui.models import Alert
from orchestra_tui.services.tmux.service import TmuxService
from tests.helpers import async_wait_until
from tests.tmux_fixtures import (
    is_idle,
    screen,
    start_fake_agent,
    wait_for_prompts,
    wait_for_screen,
)

pytestmark = pytest.mark.slow

ALL_DEFAULTS = [
    "kubectl apply -f k8s/",
    "kubectl delete deployment api",
    "terraform apply -auto-approve",
    "terraform destroy",
    "git push origin main",
    "git push --force origin HEAD:master",
    "git commit -m wip --no-verify",
    "gh pr merge 12 --admin",
]


class Ticker:
    """Feeds the pane's capture to the watch like the fleet's poll loop does, collecting alerts."""

    def __init__(self, tmux: TmuxService, pane_id: str, watch: OutputWatch) -> None:
        self.tmux, self.pane_id, self.watch = tmux, pane_id, watch
        self.alerts: list[Alert] = []
        self.clock = itertools.count(0.0, 0.5)

    async def tick(self, **capture) -> list[Alert]:
        new = self.watch.feed(await screen(self.tmux, self.pane_id, **capture), next(self.clock))
        self.alerts += new
        return new

    async def until_idle(self, flavor: str) -> None:
        async def idle() -> bool:
            await self.tick()
            return is_idle(flavor)(await screen(self.tmux, self.pane_id))

        await async_wait_until(idle, timeout=15, message="idle after the turn")
        for _ in range(3):  # a few more ticks of an unchanged screen raise nothing
            await self.tick()


async def send(tmux: TmuxService, pane_id: str, watch: OutputWatch, text: str) -> None:
    watch.note_prompt(text)
    result = await tmux.send_text(pane_id, text)
    assert result.delivered, result


@pytest.mark.parametrize("flavor", ["codex", "claude"])
async def test_printed_kubectl_apply_raises_one_alert(tmux, tmp_path: pathlib.Path, flavor):
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, flavor, log, work=0.6)
    ticker = Ticker(tmux, pane.pane_id, OutputWatch("infra"))
    await ticker.tick()
    await send(tmux, pane.pane_id, ticker.watch, "deploy the fix [print kubectl apply -f k8s/]")
    await wait_for_prompts(log, 1)
    await ticker.until_idle(flavor)
    assert [(a.agent, a.kind, a.text) for a in ticker.alerts] == [
        ("infra", "forbid", "kubectl apply -f k8s/ (forbidden: kubectl apply)")]


async def test_every_default_pattern_and_one_alert_per_occurrence(tmux, tmp_path):
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "codex", log, work=0.4, width=120, height=40)
    # merge_seconds=0: the fake clock advances 0.5 s a tick, and the repeat below comes within
    # a few ticks; in real time it would be a separate run of the command.
    ticker = Ticker(tmux, pane.pane_id, OutputWatch("infra", merge_seconds=0))
    await ticker.tick()
    prompt = "do it " + "".join(f"[print {command}]" for command in ALL_DEFAULTS)
    await send(tmux, pane.pane_id, ticker.watch, prompt)
    await wait_for_prompts(log, 1)
    await ticker.until_idle("codex")
    labels = [a.text.rpartition("(forbidden: ")[2].rstrip(")") for a in ticker.alerts]
    assert labels == ["kubectl apply", "kubectl delete", "terraform apply",
                      "terraform destroy", "git push to main", "git push --force to master",
                      "--no-verify", "gh pr merge --admin"]
    # The same command printed again, later: one more alert, for that one only.
    await send(tmux, pane.pane_id, ticker.watch, "again [print kubectl apply -f k8s/]")
    await wait_for_prompts(log, 2)
    await ticker.until_idle("codex")
    assert len(ticker.alerts) == len(ALL_DEFAULTS) + 1
    assert ticker.alerts[-1].text == "kubectl apply -f k8s/ (forbidden: kubectl apply)"


async def test_no_alert_for_the_persons_prompt_or_old_scrollback(tmux, tmp_path):
    log = tmp_path / "agent.jsonl"
    pane = await start_fake_agent(tmux, "claude", log, work=0.3)
    # Before orchestra watches: the agent already ran a forbidden command.
    await tmux.send_text(pane.pane_id, "earlier [print git push origin main]")
    await wait_for_prompts(log, 1)
    await wait_for_screen(tmux, pane.pane_id, is_idle("claude"), message="idle")
    ticker = Ticker(tmux, pane.pane_id, OutputWatch("infra"))
    assert await ticker.tick() == []  # the baseline: old scrollback raises nothing
    # The person's prompt names forbidden commands; the agent prints nothing forbidden.
    await send(tmux, pane.pane_id, ticker.watch,
               "kubectl apply -f k8s/ is forbidden here, and so is git push origin main")
    await wait_for_prompts(log, 2)
    await ticker.until_idle("claude")
    # A capture with history (the person opens the pane) shows the old push again.
    assert await ticker.tick(history=2000) == []
    assert await ticker.tick() == []
    assert ticker.alerts == []
