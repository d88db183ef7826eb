"""The handoff paragraph and the policy reminder."""

from __future__ import annotations

import json

from orchestra_tui.cli import main
from orchestra_tui.core.guard.guardrails import OutputWatch
from orchestra_tui.core.lifecycle.handoff import (
    compose_handoff,
    last_issue,
    policy_reminder,
    refused_prompts,
)
from orchestra_tui.models import AgentSpec, Gate, PullRequest
from orchestra_tui.paths import data_dir
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore

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
    assert "do not redo any of it): first prompt; fix the probe xxx" in text
    assert "…; run the tests." in text
    assert "x" * 200 not in text  # prompts are shortened
    assert "ArgoCD watches k8s/; all changes go through git and a reviewed PR." in text
    assert "apply or delete with kubectl" in text and "helm\\s+upgrade" in text
    assert text.index("Note from the person: Context ran low. Keep the PR small.") > text.index(
        "ArgoCD")


    assert text.endswith("Start by checking git status, your branch and the pull requests "
                         "above, then carry on with issue #7.")


def test_parts_with_nothing_to_say_are_left_out() -> None:
    text = compose_handoff(AgentSpec("bare"), issue=None, pulls=(), recent_prompts=(), note="")
    for missing in ("lane:", "working on", "pull requests", "prompts", "policy", "Note",
                    "above", "PR"):
        assert missing not in text
    assert text.startswith("Handoff: you are agent bare")
    assert text.endswith("Start by checking git status and your branch, then carry on.")


def test_without_pull_requests_nothing_points_at_them() -> None:
    text = compose_handoff(SPEC, issue="#7", pulls=(), recent_prompts=["run the tests"], note="")
    assert "pull request" not in text and "PRs" not in text and "above" not in text
    assert text.endswith("then carry on with issue #7.")


def test_earlier_prompts_are_history_without_slash_commands_or_refusals() -> None:
    sent = ["Work on issue #7: the probe times out", "/compact", "Now add a test for it",
            "/model opus", "Actually, stop.", "  /clear  ", "Push the branch and open a PR"]
    text = compose_handoff(SPEC, issue="#7", pulls=(), recent_prompts=sent, note="",
                           refused=["Actually,\nstop."])
    assert ("What the previous session was asked, in short, oldest first (history, already "
            "handled; do not redo any of it): work on issue #7; now add a test for it; push the "
            "branch and open a PR.") in text
    for left_out in ("/compact", "/model", "/clear", "Actually, stop"):
        assert left_out not in text
    # A prompt that only starts with a path is work, not a slash command.
    path_prompt = compose_handoff(SPEC, issue=None, pulls=(), note="",
                                  recent_prompts=["/src/app.py: fix the import"])
    assert "/src/app.py" in path_prompt


def test_only_slash_commands_and_refusals_means_no_history_part() -> None:
    text = compose_handoff(SPEC, issue=None, pulls=(), note="",
                           recent_prompts=["/compact", "Stop."], refused=["Stop."])
    assert "previous session was asked" not in text and "Stop." not in text


def test_orchestra_s_own_handoffs_and_reminders_are_not_quoted_as_prompts() -> None:
    earlier = compose_handoff(SPEC, issue="#7", pulls=(), recent_prompts=(), note="")
    text = compose_handoff(SPEC, issue="#7", pulls=(), note="",
                           recent_prompts=[earlier, policy_reminder(SPEC), "run the tests"])
    assert text.count("Handoff: you are agent") == 1
    assert "Reminder of the policy" not in text
    assert "do not redo any of it): run the tests." in text


def test_refused_prompts_come_from_the_journal(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    journal.append("prompt_sent", "infra", text="run the tests", source="person")
    journal.append("send_refused", "infra", text="Stop.", reason="infra needs approval")
    journal.append("send_refused", "other", text="Go.", reason="other has exited")
    assert refused_prompts(journal.read(), "infra") == ["Stop."]


def test_the_restart_command_prints_a_handoff_of_what_was_really_sent(tmp_path, capsys) -> None:
    """`orchestra restart --dry-run` composes from the store's history and the journal: the
    refused prompt and the slash command are not in it, the real prompts are, as history."""
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "infra"\ntool = "codex"\ncommand = "codex"\n'
                      f'repo = "acme/deploy"\npolicy = {json.dumps(POLICY)}\n',
                      encoding="utf-8")
    store = QueueStore(data_dir())
    store.load()
    for text in ("Read issue #7 and fix the probe", "/compact", "Stop.",
                 "Add a regression test"):
        store.record_sent("infra", text)
    journal = Journal(data_dir() / "journal.jsonl")
    journal.append("prompt_sent", "infra", text="Read issue #7 and fix the probe",
                   source="issue:#7")
    journal.append("send_refused", "infra", text="Stop.", reason="infra needs approval")

    code = main(["restart", "infra", "--dry-run", "--no-github", "--config", str(config),
                 "-L", f"orch-none-{tmp_path.name}"])

    out = capsys.readouterr().out.strip()
    assert code == 0 and "\n" not in out
    assert ("do not redo any of it): read issue #7 and fix the probe; add a regression test."
            in out)
    assert "/compact" not in out and "Stop." not in out
    assert "You were working on issue #7." in out and "pull requests" not in out


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


def test_a_directive_in_an_earlier_prompt_is_never_handed_on() -> None:
    """A quoted `[approve make deploy]` made the restarted agent ask to deploy again."""
    text = compose_handoff(SPEC, issue=None, pulls=(), note="", recent_prompts=[
        "Deploy the branch to staging [approve make deploy]", "run `make deploy` again",
        "$ terraform apply -auto-approve"])
    for actionable in ("[approve", "make deploy", "terraform apply -auto"):
        assert actionable not in text
    assert "deploy the branch to staging; run again" in text
