"""The handoff paragraph and the policy reminder."""

from __future__ import annotations

from orchestra_tui.core.guardrails import OutputWatch
from orchestra_tui.core.handoff import compose_handoff, last_issue, policy_reminder
from orchestra_tui.models import AgentSpec, Gate, PullRequest

POLICY = "ArgoCD watches k8s/;\nall changes go through git and a reviewed PR."
SPEC = AgentSpec("infra", tool="codex", command="codex", cwd="/src/deploy", repo="acme/deploy",
                 branch="infra/*", target="infra", policy=POLICY, forbid=(r"helm\s+upgrade",))


def pull(number: int, title: str) -> PullRequest:
    return PullRequest("acme/deploy", number, title, f"https://x/{number}", f"infra/{number}",
                       "abc123", "main")


def test_the_handoff_is_one_paragraph_with_every_part() -> None:
    text = compose_handoff(
        SPEC, issue="#7",
        pulls=[(pull(12, "Bump the chart"), Gate(False, ("2 unresolved threads",), "abc123")),
               (pull(13, "Pin images"), Gate(True, (), "abc123"))],
        recent_prompts=["first\nprompt", "fix the probe " + "x" * 400, "run the tests"],
        note="Context ran low.\nKeep the PR small.")
    assert "\n" not in text
    assert "agent infra" in text
    assert "repository acme/deploy, branches infra/*, working directory /src/deploy" in text
    assert "issue #7" in text
    assert ("PR #12 'Bump the chart' (branch infra/12) not ready: 2 unresolved threads" in text)
    assert "PR #13 'Pin images' (branch infra/13) ready to merge" in text
    assert '"first prompt"; "fix the probe xxx' in text and '…"; "run the tests"' in text
    assert "x" * 200 not in text  # prompts are shortened
    assert "ArgoCD watches k8s/; all changes go through git and a reviewed PR." in text
    assert "apply or delete with kubectl" in text and "helm\\s+upgrade" in text
    assert text.index("Note from the person: Context ran low. Keep the PR small.") > text.index(
        "ArgoCD")


def test_parts_with_nothing_to_say_are_left_out() -> None:
    text = compose_handoff(AgentSpec("bare"), issue=None, pulls=(), recent_prompts=(), note="")
    for missing in ("lane:", "working on", "pull requests", "prompts", "policy", "Note"):
        assert missing not in text
    assert text.startswith("Handoff: you are agent bare")


def test_issue_forms() -> None:
    for issue, shown in [("12", "issue #12"), ("#12", "issue #12"), ("issue:#12", "issue #12"),
                         ("acme/x#4", "issue acme/x#4")]:
        assert shown in compose_handoff(SPEC, issue=issue, pulls=(), recent_prompts=(), note="")


def test_the_handoff_echo_raises_no_alert() -> None:
    """The handoff names the forbidden commands; its wrapped echo must not read as running
    them."""
    text = compose_handoff(SPEC, issue="#7", pulls=(), recent_prompts=(), note="")
    watch = OutputWatch("infra", SPEC)
    watch.note_prompt(text)
    watch.feed("ready\n", now=0.0)
    width, rows, line = 60, [], "› "
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            rows.append(line)
            line = "  "
        line += word + " "
    rows.append(line)
    assert watch.feed("ready\n" + "\n".join(rows) + "\n", now=1.0) == []


def test_policy_reminder() -> None:
    text = policy_reminder(SPEC)
    assert "\n" not in text
    assert "ArgoCD watches k8s/; all changes go through git and a reviewed PR." in text
    assert "push to main or master" in text
    assert "no lane policy" in policy_reminder(AgentSpec("x"))


def test_last_issue_comes_from_the_journal() -> None:
    entries = [
        {"event": "prompt_sent", "agent": "infra", "text": "work on #3", "source": "person"},
        {"event": "prompt_sent", "agent": "other", "text": "work on #4", "source": "person"},
        {"event": "prompt_sent", "agent": "infra", "text": "Read issue #9", "source": "issue:#9"},
        {"event": "prompt_sent", "agent": "infra", "text": "fix PR #40 threads",
         "source": "inbox:T_1"},
        {"event": "prompt_sent", "agent": "infra", "text": "on issue #1", "source": "handoff"},
    ]
    assert last_issue(entries, "infra") == "#9"
    assert last_issue(entries, "nobody") is None
