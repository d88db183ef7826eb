"""The merge gate: strict, pure, with short reasons a person reads."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orchestra_tui.core.desk.merge_gate import evaluate_gate
from orchestra_tui.models import Check, CheckState, PullRequest, ReviewThread

READY = PullRequest(
    repo="acme/shop", number=7, title="t", url="u", head_ref="api/x", head_sha="abc1234def",
    base_ref="main", review_decision="APPROVED", mergeable="MERGEABLE", merge_state="CLEAN",
    checks=(Check("ci/test", CheckState.PASSING, required=True),
            Check("lint", CheckState.PASSING),
            Check("Cursor Bugbot", CheckState.NEUTRAL)),
)


def thread(n: int, **kw) -> ReviewThread:
    return ReviewThread(id=f"T{n}", repo="acme/shop", pr_number=7, path="a.py", line=n,
                        author="cursor", author_is_bot=True, body="b", url="u",
                        created_at="2026-01-01T00:00:00Z", **kw)


def test_ready_pull_request() -> None:
    gate = evaluate_gate(READY)
    assert gate.ready and gate.reasons == () and gate.head_sha == "abc1234def"


@pytest.mark.parametrize("change,reason", [
    (dict(is_draft=True), "draft"),
    (dict(checks=(Check("ci/test", CheckState.FAILING, required=True),)),
     "check 'ci/test' failing"),
    (dict(checks=(Check("lint", CheckState.FAILING),)), "check 'lint' failing"),
    (dict(checks=(Check("ci/test", CheckState.PENDING, required=True),)),
     "check 'ci/test' pending"),
    (dict(review_decision="REVIEW_REQUIRED"), "review required"),
    (dict(review_decision="CHANGES_REQUESTED"), "changes requested"),
    (dict(threads=(thread(1), thread(2))), "2 unresolved threads"),
    (dict(threads=(thread(1),)), "1 unresolved thread"),
    (dict(merge_state="BEHIND", behind_by=3), "behind base by 3 commits"),
    (dict(merge_state="BEHIND", behind_by=1), "behind base by 1 commit"),
    (dict(merge_state="BEHIND"), "behind base"),
    (dict(merge_state="DIRTY", mergeable="CONFLICTING"), "merge conflicts with base"),
    (dict(merge_state="BLOCKED"), "blocked by branch protection"),
    (dict(merge_state="UNKNOWN"), "merge state not computed yet (re-check)"),
    (dict(mergeable="UNKNOWN", merge_state="UNKNOWN"), "mergeability not computed yet (re-check)"),
    (dict(merge_state="UNSTABLE"), "checks not passing (unstable)"),
])
def test_each_blocker_has_its_reason(change, reason) -> None:
    gate = evaluate_gate(replace(READY, **change))
    assert not gate.ready
    assert reason in gate.reasons
    assert len(gate.reasons) == len(set(gate.reasons))


def test_no_review_required_is_fine_and_neutral_checks_do_not_block() -> None:
    pr = replace(READY, review_decision=None,
                 checks=(Check("Cursor Bugbot", CheckState.NEUTRAL),), merge_state="HAS_HOOKS")
    assert evaluate_gate(pr).ready


def test_resolved_and_outdated_threads_do_not_block() -> None:
    pr = replace(READY, threads=(thread(1, is_resolved=True), thread(2, is_outdated=True)))
    assert evaluate_gate(pr).ready


def test_many_pending_checks_summarised_and_blocked_not_repeated() -> None:
    pr = replace(READY, merge_state="BLOCKED", review_decision="REVIEW_REQUIRED",
                 checks=tuple(Check(f"c{i}", CheckState.PENDING) for i in range(4)))
    assert evaluate_gate(pr).reasons == ("4 checks pending", "review required")


def test_gate_is_pure() -> None:
    assert evaluate_gate(READY) == evaluate_gate(READY)
