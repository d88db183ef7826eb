"""The safe merge order's ties (issue 23, item 5): in a conflicting pair of the same readiness,
the PR whose merge leaves the other the smallest rebase goes first (fewer conflicting files,
then fewer changed lines in them), then the older PR; the reason is given in words; a
prediction belongs to the PR of the worktree's branch. Pure: no I/O."""

from __future__ import annotations

from orchestra_tui.core.desk.inbox import InboxPull
from orchestra_tui.core.desk.merge_order import conflicts_of, merge_order, pair_orders
from orchestra_tui.models import Gate, PullRequest
from orchestra_tui.pr_facts import PredictedConflict


def pull(number: int, agent: str | None, branch: str, *, ready: bool = False,
         repo: str = "acme/shop") -> InboxPull:
    pr = PullRequest(repo, number, f"PR {number}", f"https://x/{number}", branch, f"sha{number}",
                     "main", agent=agent)
    return InboxPull(pr, Gate(ready, () if ready else ("checks pending",), f"sha{number}"))


def pair(a: str, a_branch: str, a_lines: int, b: str, b_branch: str, b_lines: int,
         files: tuple[str, ...] = ("pricing.py",)) -> dict[str, tuple[PredictedConflict, ...]]:
    return {a: (PredictedConflict(b, files, a_lines, b_lines, a_branch, b_branch),),
            b: (PredictedConflict(a, files, b_lines, a_lines, b_branch, a_branch),)}


def numbers(order) -> list[int]:
    return [item.pr.number for item in order]


def test_the_smaller_rebase_goes_first_whatever_the_age() -> None:
    old, new = pull(101, "api", "api/retry"), pull(102, "web", "web/cart")
    conflicts = pair("api", "api/retry", 40, "web", "web/cart", 2)  # api rewrote the file
    order = merge_order([old, new], conflicts)
    assert numbers(order) == [102, 101]
    [first] = pair_orders(new, order, conflicts)
    assert first.first and first.other is old
    assert first.text == ("merge before #101 (api's): #102 first leaves api 2 changed line(s) "
                          "to rebase over, #101 first leaves web 40: #102, the smaller rebase, "
                          "first")
    [second] = pair_orders(old, order, conflicts)
    assert not second.first and second.text.startswith("merge after #102 (web's): ")


def test_fewer_conflicting_files_first_then_the_older_on_a_tie() -> None:
    a, b, c = pull(7, "a", "a/x"), pull(5, "b", "b/x"), pull(6, "c", "c/x")
    conflicts = {
        "a": (PredictedConflict("b", ("f.py", "g.py"), 2, 2, "a/x", "b/x"),),
        "b": (PredictedConflict("a", ("f.py", "g.py"), 2, 2, "b/x", "a/x"),
              PredictedConflict("c", ("h.py",), 2, 2, "b/x", "c/x")),
        "c": (PredictedConflict("b", ("h.py",), 2, 2, "c/x", "b/x"),),
    }
    order = merge_order([a, b, c], conflicts)
    assert numbers(order) == [6, 7, 5]  # c: 1 file; a: 2; b: 3
    [with_b] = pair_orders(c, order, conflicts)
    assert with_b.first and "#6 conflicts on 1 file(s), #5 on 3: fewer first" in with_b.text
    tie = pair("x", "x/1", 3, "y", "y/1", 3)
    newer, older = pull(30, "x", "x/1"), pull(12, "y", "y/1")
    order = merge_order([newer, older], tie)
    assert numbers(order) == [12, 30]
    [why] = pair_orders(older, order, tie)
    assert why.text.endswith("the same rebase either way (3 line(s)): the older PR first")


def test_readiness_still_comes_first_and_clean_ones_keep_their_place() -> None:
    clean_wait, small, big_ready, clean_ready = (
        pull(1, "docs", "docs/x"), pull(2, "api", "api/retry"),
        pull(3, "web", "web/cart", ready=True), pull(4, "ops", "ops/x", ready=True))
    conflicts = pair("api", "api/retry", 1, "web", "web/cart", 50)
    order = merge_order([clean_wait, small, big_ready, clean_ready], conflicts)
    assert numbers(order) == [4, 3, 1, 2]
    [why] = pair_orders(big_ready, order, conflicts)
    assert why.first and why.text == "merge before #2 (api's): #3 is ready, #2 is not"


def test_a_prediction_belongs_to_the_pr_of_the_worktrees_branch() -> None:
    """api has two PRs; its worktree is on api/retry: #103 (api/export) is not part of it."""
    retry, export, cart = (pull(101, "api", "api/retry"), pull(103, "api", "api/export",
                                                                ready=True),
                           pull(102, "web", "web/cart"))
    conflicts = pair("api", "api/retry", 2, "web", "web/cart", 2)
    assert conflicts_of(export, conflicts) == ()
    assert [c.other for c in conflicts_of(retry, conflicts)] == ["web"]
    order = merge_order([retry, export, cart], conflicts)
    assert numbers(order) == [103, 101, 102]
    [why] = pair_orders(retry, order, conflicts)
    assert why.other is cart and why.first
    # Unknown branch (a radar that could not tell): every PR of the agent carries it, as before.
    vague = {"api": (PredictedConflict("web", ("pricing.py",)),)}
    assert conflicts_of(export, vague) and conflicts_of(retry, vague)


def test_the_other_side_with_no_pr_yet_and_another_repository() -> None:
    mine = pull(101, "api", "api/retry")
    conflicts = pair("api", "api/retry", 2, "web", "web/cart", 2)
    elsewhere = pull(9, "web", "web/cart", repo="acme/docs")  # same names, other repository
    [alone] = pair_orders(mine, merge_order([mine, elsewhere], conflicts), conflicts)
    assert alone.other is None and alone.text == ("web's work has no PR yet: merge this, web "
                                                 "rebases")


def test_the_pair_is_told_for_a_copy_of_the_pr_not_only_the_object_in_the_order() -> None:
    """The panel's selected row can be an equal PR from a newer read than the order's."""
    old, new = pull(101, "api", "api/retry"), pull(102, "web", "web/cart")
    conflicts = pair("api", "api/retry", 2, "web", "web/cart", 2)
    order = merge_order([new, old, pull(7, "docs", "docs/x", ready=True)], conflicts)
    assert numbers(order) == [7, 101, 102]
    [newer_side] = pair_orders(pull(102, "web", "web/cart"), order, conflicts)
    assert not newer_side.first and newer_side.text.startswith("merge after #101 (api's): ")
    [older_side] = pair_orders(pull(101, "api", "api/retry"), order, conflicts)
    assert older_side.first and older_side.text.endswith("the older PR first")
