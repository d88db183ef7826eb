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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from orchestra_tui.core.guardrails import rule_labels
from orchestra_tui.core.report import issues_in_prompt
from orchestra_tui.models import AgentSpec, Gate, PullRequest

__all__ = ["PROMPT_LIMIT", "compose_handoff", "describe_pull", "last_issue", "one_line",
           "policy_reminder"]

PROMPT_LIMIT = 160  # characters of each recent prompt quoted in the handoff
PROMPTS_QUOTED = 3  # the last few prompts: what it was doing, not its whole history
TITLE_LIMIT = 80


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


def compose_handoff(spec: AgentSpec, *, issue: str | None,
                    pulls: Sequence[tuple[PullRequest, Gate]],
                    recent_prompts: Sequence[str], note: str) -> str:
    """The handoff paragraph for a restarted agent: who it is, its lane (repo, branches,
    directory), the issue it was on, its open PRs with their gate state, the last prompts it was
    sent (shortened, oldest first), the lane's policy verbatim (whitespace collapsed), the
    forbidden commands, and the person's note. Parts with nothing to say are left out."""
    parts = [f"Handoff: you are agent {spec.name}, restarted in a fresh session; continue where "
             "the previous session left off."]
    lane = _lane(spec)
    if lane:
        parts.append(f"Your lane: {lane}.")
    if issue and one_line(issue):
        parts.append(f"You were working on {_issue_ref(issue)}.")
    if pulls:
        described = "; ".join(describe_pull(pr, gate) for pr, gate in pulls)
        parts.append(f"Your open pull requests: {described}.")
    prompts = [_shorten(p, PROMPT_LIMIT) for p in recent_prompts if p.strip()][-PROMPTS_QUOTED:]
    if prompts:
        quoted = "; ".join(f'"{p}"' for p in prompts)
        parts.append(f"The last prompts you were sent, oldest first: {quoted}.")
    if spec.policy.strip():
        policy = _sentence(one_line(spec.policy))
        parts.append(f"Lane policy, follow it without exception: {policy}")
    parts.append(_forbidden(spec))
    if note.strip():
        parts.append(f"Note from the person: {_sentence(one_line(note))}")
    parts.append("Start by checking git status, your branch and the PRs above, then carry on.")
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
