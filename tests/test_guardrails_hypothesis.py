"""OutputWatch never raises on arbitrary screens, the first capture and a repeated capture
never raise an alert, and every alert is a `forbid` alert for the watched agent."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from orchestra_tui.core.guard.guardrails import OutputWatch, forbidden_in
from orchestra_tui.models import AgentSpec

ROWS = [
    "kubectl apply -f k8s/", "• Ran git push origin main", "› git push --force origin main",
    "❯ terraform destroy", "  $ terraform apply", "⏺ Bash(gh pr merge 1 --admin)", "",
    "  └ git commit --no-verify", "─" * 30, "> kubectl delete pod x", "output", "output",
    "\x1b[1;31merror\x1b[0m", "trim trailing whitespace.....Failed", "…", "  … +3 lines",
]
row = st.one_of(st.sampled_from(ROWS), st.text(max_size=80))
screen = st.lists(row, max_size=40).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(screens=st.lists(screen, min_size=1, max_size=8), prompts=st.lists(st.text(max_size=60),
       max_size=3), forbid=st.sampled_from([(), ("helm\\s+upgrade",), ("(?i)rm -rf",)]))
def test_output_watch_never_raises(screens, prompts, forbid) -> None:
    watch = OutputWatch("a", AgentSpec("a", forbid=forbid))
    for prompt in prompts:
        watch.note_prompt(prompt)
    assert watch.feed(screens[0], now=0.0) == []
    for tick, text in enumerate(screens[1:], 1):
        alerts = watch.feed(text, now=float(tick) * 100)
        assert all(alert.kind == "forbid" and alert.agent == "a" for alert in alerts)
        assert watch.feed(text, now=float(tick) * 100 + 50) == []  # nothing new


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_forbidden_in_never_raises(text) -> None:
    for label, command in forbidden_in(text):
        assert label and command
