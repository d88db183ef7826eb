"""The handoff: one paragraph that brings a restarted agent back to where its lane stands.

A fresh agent knows nothing: not its branch, not the issue, not that the cluster is deployed by
ArgoCD from git. Agents take the path of least resistance, so the lane's policy is stated in
every handoff, verbatim, and the forbidden commands are named.

One paragraph, no newlines: agent composers treat a newline differently (Enter submits in some,
a paste marker hides the text in others), and a single line is what `send_text` types most
reliably.

>>> from orchestra_tui.models import AgentSpec
>>> spec = AgentSpec("infra", repo="acme/deploy", branch="infra/*", policy="ArgoCD watches k8s/.")
>>> text = compose_handoff(spec, issue="12", pulls=(), recent_prompts=(), note="")
>>> "issue #12" in text and "ArgoCD watches k8s/." in text and "\\n" not in text
True

It says only what is there: no "PRs above" when it names none. The prompts of the previous
session are summarised as intent (`intent_of`), never quoted as text a model could carry out
again (a quoted `[approve make deploy]` made a restarted agent ask to deploy again), and slash
commands, prompts that were refused and orchestra's own handoffs and reminders are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from orchestra_tui.core.guard.guardrails import rule_labels
from orchestra_tui.core.report import issues_in_prompt
from orchestra_tui.models import AgentSpec, Gate, PullRequest

__all__ = ["HANDOFF_HISTORY", "PROMPT_LIMIT", "compose_handoff", "describe_pull",
           "earlier_prompts", "intent_of", "last_issue", "one_line", "policy_reminder",
           "refused_prompts"]

PROMPT_LIMIT = 160  # characters of each recent prompt quoted in the handoff
PROMPTS_QUOTED = 3  # the last few prompts: what it was doing, not its whole history
# Prompts read back for it: slash commands, refusals and earlier handoffs are left out of the
# handoff, and a few real prompts must remain.
HANDOFF_HISTORY = 20
TITLE_LIMIT = 80
HANDOFF_OPENING = "Handoff: you are agent"
REMINDER_OPENING = "Reminder of the policy for your lane"
# `/compact`, `/clear`, `/model opus`: the tool's own commands, not work given to the agent.
_SLASH_COMMAND = re.compile(r"^/[\w:-]+(\s|$)")


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces."""
    return " ".join(text.split())


def _shorten(text: str, limit: int) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."


def _issue_ref(issue: str) -> str:
    """`12`, `#12`, `issue:#12` -> `issue #12`; `acme/x#12` -> `issue acme/x#12`; free text
    (a title or a URL) is kept."""
    issue = one_line(issue).removeprefix("issue:")
    if re.fullmatch(r"#?\d+", issue):
        return f"issue #{issue.lstrip('#')}"
    if re.fullmatch(r"[\w.-]+/[\w.-]+#\d+", issue):
        return f"issue {issue}"
    return issue


def describe_pull(pr: PullRequest, gate: Gate) -> str:
    """`PR #12 'title' (branch fix/x) not ready: 2 unresolved threads`.

    >>> from orchestra_tui.models import Gate, PullRequest
    >>> pr = PullRequest("o/r", 12, "Retry uploads", "u", "fix/retry", "abc", "main")
    >>> describe_pull(pr, Gate(False, ("2 unresolved threads", "check 'ci' failing"), "abc"))
    "PR #12 'Retry uploads' (branch fix/retry) not ready: 2 unresolved threads, check 'ci' failing"
    """
    state = "ready to merge" if gate.ready else "not ready: " + ", ".join(gate.reasons)
    return f"PR #{pr.number} '{_shorten(pr.title, TITLE_LIMIT)}' (branch {pr.head_ref}) {state}"


def _lane(spec: AgentSpec) -> str:
    parts = []
    if spec.repo:
        parts.append(f"repository {spec.repo}")
    if spec.branch and spec.branch != "*":
        parts.append(f"branches {spec.branch}")
    if spec.cwd:
        parts.append(f"working directory {spec.cwd}")
    return ", ".join(parts)


def _forbidden(spec: AgentSpec) -> str:
    return "Never " + "; never ".join(rule_labels(spec)) + " (orchestra raises an alert)."


def earlier_prompts(prompts: Iterable[str], *, refused: Iterable[str] = ()) -> list[str]:
    """The prompts worth quoting as history, oldest first, shortened, the last few: without
    slash commands, prompts that were refused (compared with whitespace collapsed) and
    orchestra's own handoffs and policy reminders.

    >>> earlier_prompts(["fix the retry", "/compact", "  /clear", "stop now", "run the tests"],
    ...                 refused=["stop  now"])
    ['fix the retry', 'run the tests']
    """
    left_out = {one_line(text) for text in refused}
    kept = []
    for prompt in prompts:
        text = one_line(prompt)
        if (not text or text in left_out or _SLASH_COMMAND.match(text)
                or text.startswith((HANDOFF_OPENING, REMINDER_OPENING))):
            continue
        kept.append(_shorten(text, PROMPT_LIMIT))
    return kept[-PROMPTS_QUOTED:]


# What a model could act on again if it read it: a directive in brackets, a code span or
# block, a shell line, a URL. A summary of intent keeps none of them.
_ACTIONABLE = re.compile(r"\[[^\]]*\]|```.*?```|`[^`]*`|\$\s+\S.*|https?://\S+", re.S)
INTENT_WORDS = 12


def intent_of(prompt: str) -> str:
    """What an earlier prompt asked for, in a few words, never as text to carry out again: its
    first sentence without directives, code, shell lines or links, and no quotes.

    >>> intent_of("Deploy the branch to staging [approve make deploy] then tell me.")
    'deploy the branch to staging then tell me'
    >>> intent_of("Run `terraform apply` now; and then the rest")
    'run now'
    >>> intent_of("[approve make deploy]")
    ''
    """
    text = _ACTIONABLE.sub(" ", prompt)
    first = re.split(r"(?<=[.!?;:])\s|\n", text.strip(), maxsplit=1)[0]
    words = [w.strip("\"'“”‘’") for w in first.split()][:INTENT_WORDS]
    summary = " ".join(w for w in words if w).rstrip(".!?;:,")
    return summary[:1].lower() + summary[1:]


def refused_prompts(journal_entries: Iterable[Mapping[str, Any]], agent: str) -> list[str]:
    """The texts the send gate refused to type into the agent (`send_refused` events).

    >>> refused_prompts([{"event": "send_refused", "agent": "a", "text": "Stop.",
    ...                   "reason": "approval"}, {"event": "prompt_sent", "agent": "a"}], "a")
    ['Stop.']
    """
    return [str(entry.get("text") or "") for entry in journal_entries
            if entry.get("event") == "send_refused" and entry.get("agent") == agent]


def compose_handoff(spec: AgentSpec, *, issue: str | None,
                    pulls: Sequence[tuple[PullRequest, Gate]],
                    recent_prompts: Sequence[str], note: str,
                    refused: Iterable[str] = ()) -> str:
    """The handoff paragraph for a restarted agent: who it is, its lane (repo, branches,
    directory), the issue it was on, its open PRs with their gate state, the earlier prompts
    (as history: see `earlier_prompts`; `refused` names texts the send gate refused, which are
    left out), the lane's policy verbatim (whitespace collapsed), the forbidden commands, and
    the person's note. Parts with nothing to say are left out, and nothing refers to them."""
    parts = [f"{HANDOFF_OPENING} {spec.name}, restarted in a fresh session; continue where "
             "the previous session left off."]
    lane = _lane(spec)
    if lane:
        parts.append(f"Your lane: {lane}.")
    on_issue = _issue_ref(issue) if issue and one_line(issue) else None
    if on_issue:
        parts.append(f"You were working on {on_issue}.")
    if pulls:
        described = "; ".join(describe_pull(pr, gate) for pr, gate in pulls)
        parts.append(f"Your open pull requests: {described}.")
    intents = [i for p in earlier_prompts(recent_prompts, refused=refused) if (i := intent_of(p))]
    if intents:
        parts.append("What the previous session was asked, in short, oldest first (history, "
                     f"already handled; do not redo any of it): {'; '.join(intents)}.")
    if spec.policy.strip():
        policy = _sentence(one_line(spec.policy))
        parts.append(f"Lane policy, follow it without exception: {policy}")
    parts.append(_forbidden(spec))
    if note.strip():
        parts.append(f"Note from the person: {_sentence(one_line(note))}")
    checks = "git status, your branch and the pull requests above" if pulls else (
        "git status and your branch")
    goal = f"carry on with {on_issue}" if on_issue else "carry on"
    parts.append(f"Start by checking {checks}, then {goal}.")
    return one_line(" ".join(parts))


def policy_reminder(spec: AgentSpec) -> str:
    """The reminder prompt one key sends: the lane's policy verbatim and what is forbidden.

    >>> from orchestra_tui.models import AgentSpec
    >>> policy_reminder(AgentSpec("a", repo="o/r", policy="All changes via git."))[:70]
    'Reminder of the policy for your lane (repository o/r): All changes via'
    """
    lane = _lane(spec)
    where = f" ({lane})" if lane else ""
    policy = _sentence(one_line(spec.policy)) if spec.policy.strip() else (
        "no lane policy is set beyond the forbidden commands.")
    return one_line(f"Reminder of the policy for your lane{where}: {policy} {_forbidden(spec)} "
                    "If a task seems to need one of these, stop and ask instead.")


def last_issue(journal_entries: Iterable[Mapping[str, Any]], agent: str) -> str | None:
    """The issue the agent was last sent a prompt about (`issue:#N` source or `#N` in the
    text), from the journal; None when no prompt named one.

    >>> sent = [{"event": "prompt_sent", "agent": "a", "text": "do #3", "source": "person"},
    ...         {"event": "prompt_sent", "agent": "a", "text": "go", "source": "issue:#9"}]
    >>> last_issue(sent, "a")
    '#9'
    """
    found = None
    for entry in journal_entries:
        if entry.get("event") != "prompt_sent" or entry.get("agent") != agent:
            continue
        if entry.get("source") == "handoff":
            continue  # a handoff repeats the issue; the prompts before it decide
        refs = issues_in_prompt(str(entry.get("text") or ""), str(entry.get("source") or ""))
        if refs:
            found = refs[0]
    return found
