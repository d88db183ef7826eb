"""Guardrails: forbidden commands in new pane output raise one alert per occurrence, and never
for the person's own prompts, for scrollback present at start-up, or for a line that merely
scrolled."""

from __future__ import annotations

import pytest

from orchestra_tui.core.guard.guardrails import OutputWatch, PaneOutput, forbidden_in
from orchestra_tui.models import AgentSpec

# -- the rules ------------------------------------------------------------------------------------

TRUE_POSITIVES = [
    ("kubectl apply -f k8s/", "kubectl apply"),
    ("• Ran kubectl --context prod apply -f k8s/deploy.yaml", "kubectl apply"),
    ("⏺ Bash(kubectl delete pod api-7d9 -n shop)", "kubectl delete"),
    ("  $ terraform -chdir=infra apply -auto-approve", "terraform apply"),
    ("  └ cd infra && terraform destroy", "terraform destroy"),
    ("git push origin main", "git push to main"),
    ("• Ran git push origin HEAD:main", "git push to main"),
    ("git push upstream refs/heads/master", "git push to master"),
    ("git push --force origin main", "git push --force to main"),
    ("git push -f origin main", "git push --force to main"),
    ("git push origin +main", "git push --force to main"),
    ("git push --force-with-lease origin master", "git push --force to master"),
    ("git commit -am 'wip' --no-verify", "--no-verify"),
    ("git push --no-verify origin fix/retry", "--no-verify"),
    ("gh pr merge 12 --squash --admin", "gh pr merge --admin"),
    ("✔  Shell sudo KUBECONFIG=/k kubectl apply -f x.yaml", "kubectl apply"),
    ("bash -c 'terraform apply'", "terraform apply"),
    ("/usr/local/bin/kubectl apply -f .", "kubectl apply"),
    ("echo done; git push origin main", "git push to main"),
]

TRUE_NEGATIVES = [
    "kubectl get pods -n shop",
    "kubectl apply --dry-run=client -f k8s/",
    "kubectl diff -f k8s/",
    "terraform plan -out plan.bin",
    "git push -u origin fix/retry",
    "git push origin feature/main-fix",
    "git push origin main:fix/retry",  # pushes local main to another branch
    "git push main",  # a remote called main, default refspec
    "git checkout main",
    "gh pr merge 12 --squash",
    "I will not run kubectl apply here; ArgoCD syncs k8s/.",
    "Policy: never `git push origin main`, open a PR instead.",
    "The lane forbids terraform apply from the shell.",
]


@pytest.mark.parametrize(("row", "label"), TRUE_POSITIVES)
def test_each_default_pattern_is_found(row: str, label: str) -> None:
    assert [found[0] for found in forbidden_in(row)] == [label]


@pytest.mark.parametrize("row", TRUE_NEGATIVES)
def test_no_false_positive_on_safe_commands_and_prose(row: str) -> None:
    assert forbidden_in(row) == []


def test_lane_forbid_patterns_extend_the_defaults() -> None:
    spec = AgentSpec("infra", forbid=(r"helm\s+upgrade",))
    watch = OutputWatch("infra", spec)
    watch.feed("start\n", now=0.0)
    alerts = watch.feed("start\n• Ran helm upgrade shop ./chart\n• Ran kubectl apply -f k8s/\n",
                        now=1.0)
    assert [a.text for a in alerts] == [
        "helm upgrade shop ./chart (forbidden: helm\\s+upgrade)",
        "kubectl apply -f k8s/ (forbidden: kubectl apply)",
    ]
    assert {a.kind for a in alerts} == {"forbid"}
    assert {a.agent for a in alerts} == {"infra"}
    assert {a.at for a in alerts} == {1.0}


# -- new output -----------------------------------------------------------------------------------

HEADER = ["╭──────────────╮", "│ OpenAI Codex │", "╰──────────────╯", ""]
FOOTER = ["", "› Ask Codex to do anything", "", "  ? for shortcuts     100% context left"]


def codex_screen(*history: str, height: int = 14) -> str:
    rows = [*HEADER, *history]
    rows = rows[-(height - len(FOOTER)):]
    return "\n".join(rows + FOOTER)


def test_old_scrollback_at_the_first_feed_raises_nothing() -> None:
    watch = OutputWatch("infra")
    old = codex_screen("• Ran kubectl apply -f k8s/", "• Ran git push origin main")
    assert watch.feed(old, now=0.0) == []
    assert watch.feed(old, now=1.0) == []


def test_a_line_that_scrolls_is_not_new_but_a_repeat_is() -> None:
    watch = OutputWatch("infra", merge_seconds=0)
    history = ["• Ran kubectl apply -f k8s/"]
    watch.feed(codex_screen("working on it"), now=0.0)
    alerts = watch.feed(codex_screen("working on it", *history), now=1.0)
    assert len(alerts) == 1
    # The agent prints more: the command row scrolls up and then off the screen.
    for step in range(12):
        history.append(f"output line {step}")
        assert watch.feed(codex_screen("working on it", *history), now=2.0 + step) == []
    # The same command again, later: a new occurrence.
    history.append("• Ran kubectl apply -f k8s/")
    again = watch.feed(codex_screen("working on it", *history), now=20.0)
    assert [a.text for a in again] == ["kubectl apply -f k8s/ (forbidden: kubectl apply)"]


def test_two_identical_rows_printed_at_once_are_two_occurrences() -> None:
    watch = OutputWatch("infra", merge_seconds=0)
    watch.feed(codex_screen("a"), now=0.0)
    rows = ["• Ran kubectl apply -f k8s/", "  └ configured", "• Ran kubectl apply -f k8s/"]
    assert len(watch.feed(codex_screen("a", *rows), now=1.0)) == 2


def test_one_command_drawn_on_two_rows_at_once_is_one_occurrence() -> None:
    # Claude shows `⏺ Bash(cmd)` above its approval dialog, which shows `cmd` again.
    watch = OutputWatch("infra")
    watch.feed("❯ deploy\n", now=0.0)
    screen = ("❯ deploy\n\n⏺ Bash(kubectl apply -f k8s/)\n  ⎿  Running…\n" + "─" * 40 +
              "\n Bash command\n\n   kubectl apply -f k8s/\n   Apply the manifests\n\n"
              " Do you want to proceed?\n ❯ 1. Yes\n   2. No\n\n Esc to cancel · Tab to amend\n")
    assert len(watch.feed(screen, now=1.0)) == 1


def test_the_persons_prompt_echo_and_draft_raise_nothing() -> None:
    watch = OutputWatch("infra")
    prompt = ("Check the rollout but do not run kubectl apply -f k8s/ and never git push "
              "origin main; terraform apply is forbidden too, as is gh pr merge --admin")
    watch.note_prompt(prompt)
    watch.feed(codex_screen("ready"), now=0.0)
    # A long prompt's echo wraps: its continuation rows start at a command position.
    echo = ["› Check the rollout but do not run",
            "  kubectl apply -f k8s/ and never",
            "  git push origin main; terraform apply is forbidden too, as",
            "  is gh pr merge --admin", ""]
    assert watch.feed(codex_screen("ready", *echo), now=1.0) == []
    # Typed into the composer, not sent yet.
    draft = codex_screen("ready", *echo).replace("› Ask Codex to do anything",
                                                 "› kubectl apply -f k8s/")
    assert watch.feed(draft, now=2.0) == []
    # Claude's and Gemini's echo glyphs.
    assert watch.feed("❯ git push origin main\n > terraform destroy\n", now=3.0) == []


def test_a_history_capture_after_a_plain_one_is_scrollback_not_output() -> None:
    history = [f"row {n}" for n in range(200)] + ["• Ran kubectl apply -f k8s/"]
    history += [f"later {n}" for n in range(30)]
    visible = history[-20:]
    watch = OutputWatch("infra")
    watch.feed("\n".join(visible), now=0.0)
    assert watch.feed("\n".join(history), now=1.0) == []  # the person opened the pane
    assert watch.feed("\n".join(visible), now=2.0) == []  # and closed it again


def test_output_scrolled_past_a_whole_screen_between_two_captures_is_still_seen() -> None:
    watch = OutputWatch("infra")
    watch.feed(codex_screen(*[f"old {n}" for n in range(20)]), now=0.0)
    fresh = ["• Ran terraform apply -auto-approve"] + [f"new {n}" for n in range(6)]
    alerts = watch.feed(codex_screen(*fresh, height=len(fresh) + len(FOOTER)), now=1.0)
    assert [a.text for a in alerts] == [
        "terraform apply -auto-approve (forbidden: terraform apply)"]


def test_colours_do_not_hide_a_command() -> None:
    watch = OutputWatch("infra")
    watch.feed("\x1b[1mstart\x1b[0m\n", now=0.0)
    alerts = watch.feed("\x1b[1mstart\x1b[0m\n\x1b[2m•\x1b[0m Ran \x1b[36mgit push origin "
                        "main\x1b[0m\n", now=1.0)
    assert [a.text for a in alerts] == ["git push origin main (forbidden: git push to main)"]


def test_pane_output_reports_only_new_agent_rows() -> None:
    output = PaneOutput()
    output.note_prompt("run the tests")
    assert output.feed("a\nb\n") == []
    assert output.feed("a\nb\n› run the tests\n\nc\n") == ["c"]
    assert output.feed("b\n› run the tests\n\nc\nd\n") == ["d"]
