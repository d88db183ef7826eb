"""The merge gate: is a pull request ready to squash-merge at the head SHA it was read at?

Pure: the verdict comes from the `PullRequest` alone, so the merge panel, `orchestra inbox` and
the tests agree. Strict by design: a merge is the one irreversible thing orchestra does.

Ready only when every one of these holds:

- not a draft;
- no check failing (required or not) and none pending; neutral and skipped checks don't block;
- review decision APPROVED, or None (the repository requires no review);
- zero unresolved threads that are not outdated;
- mergeable is MERGEABLE and mergeStateStatus is CLEAN or HAS_HOOKS.
"""

from __future__ import annotations

from orchestra_tui.models import CheckState, Gate, PullRequest

_READY_STATES = frozenset({"CLEAN", "HAS_HOOKS"})


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def evaluate_gate(pr: PullRequest) -> Gate:
    """Evaluate the gate; `reasons` are short texts a person reads in a list, empty when ready.

    >>> from orchestra_tui.models import Check
    >>> pr = PullRequest("o/r", 1, "t", "u", "feat", "abc", "main", review_decision="APPROVED",
    ...                  mergeable="MERGEABLE", merge_state="BEHIND", behind_by=3,
    ...                  checks=(Check("ci/test", CheckState.FAILING, required=True),))
    >>> evaluate_gate(pr).reasons
    ("check 'ci/test' failing", 'behind base by 3 commits')
    """
    reasons: list[str] = []
    if pr.is_draft:
        reasons.append("draft")

    failing = [c for c in pr.checks if c.state is CheckState.FAILING]
    pending = [c for c in pr.checks if c.state is CheckState.PENDING]
    reasons.extend(f"check '{c.name}' failing" for c in failing)
    if len(pending) <= 2:
        reasons.extend(f"check '{c.name}' pending" for c in pending)
    else:
        reasons.append(f"{len(pending)} checks pending")

    if pr.review_decision == "CHANGES_REQUESTED":
        reasons.append("changes requested")
    elif pr.review_decision == "REVIEW_REQUIRED":
        reasons.append("review required")
    elif pr.review_decision not in (None, "APPROVED"):
        reasons.append(f"review {str(pr.review_decision).lower().replace('_', ' ')}")

    open_threads = sum(1 for t in pr.threads if not t.is_resolved and not t.is_outdated)
    if open_threads:
        reasons.append(f"{_plural(open_threads, 'unresolved thread')}")

    uncomputed = False
    if pr.mergeable == "CONFLICTING" or pr.merge_state == "DIRTY":
        reasons.append("merge conflicts with base")
    elif pr.mergeable != "MERGEABLE":
        uncomputed = True
        reasons.append("mergeability not computed yet (re-check)")

    state = pr.merge_state
    if state in _READY_STATES or state == "DIRTY":
        pass
    elif state == "BEHIND":
        if pr.behind_by:
            reasons.append(f"behind base by {_plural(pr.behind_by, 'commit')}")
        else:
            reasons.append("behind base")
    elif state == "DRAFT":
        if not pr.is_draft:
            reasons.append("draft")
    elif state == "UNSTABLE":
        if not failing and not pending:
            reasons.append("checks not passing (unstable)")
    elif state == "BLOCKED":
        if not reasons:  # nothing above explains it: a rule orchestra can't see
            reasons.append("blocked by branch protection")
    elif state == "UNKNOWN":
        if not uncomputed:
            reasons.append("merge state not computed yet (re-check)")
    else:
        reasons.append(f"merge state {str(state).lower()}")

    return Gate(ready=not reasons, reasons=tuple(reasons), head_sha=pr.head_sha)
