"""Snapshots of the GitHub screens, rendered from fixed PullRequest and Issue data (not the live
stand-in) and a fixed clock, so they are deterministic: the inbox, the merge panel with its
confirm and reason dialogs, an error state, and the issues ledger."""

from __future__ import annotations

import asyncio

from orchestra_tui.core.desk.desk import Desk
from orchestra_tui.demo.standin.seed import BUGBOT_HIGH, CODERABBIT_MAJOR, CODERABBIT_MINOR, COPILOT
from orchestra_tui.errors import GitHubError
from orchestra_tui.models import (
    AgentSpec,
    Check,
    CheckState,
    Issue,
    IssueComment,
    PullRequest,
    RateLimit,
    ReviewThread,
    State,
)
from orchestra_tui.pr_facts import CheckFailure
from orchestra_tui.services.store.desk import DeskStore
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from tests.github_pilot import keys_settling
from tests.ui_data import AT, FixedFleet, _view

SIZE = (150, 40)
OPTIONS = AppOptions(poll=False, config_path="~/.config/orchestra/config.toml")
AGENTS = (AgentSpec("api", repo="acme/shop", branch="api/*"),
          AgentSpec("web", repo="acme/shop", branch="web/*"),
          AgentSpec("docs", repo="acme/docs"))
SHA = {n: f"{n:03d}" + "c0ffee" * 6 + "0" for n in (101, 102, 103, 104, 105, 106, 7)}
CI = (Check("ci/test", CheckState.PASSING, required=True), Check("lint", CheckState.PASSING),
      Check("Cursor Bugbot", CheckState.NEUTRAL))


def thread(n: int, path: str, line: int, author: str, bot: bool, body: str, when: str,
           severity: str | None, pr: int = 101, repo: str = "acme/shop") -> ReviewThread:
    return ReviewThread(f"PRRT_{n}", repo, pr, path, line, author, bot, body,
                        f"https://github.com/{repo}/pull/{pr}#discussion_r{n}", when, severity)


def pull(number: int, title: str, head: str, repo: str = "acme/shop", **kw) -> PullRequest:
    kw.setdefault("review_decision", "APPROVED")
    kw.setdefault("mergeable", "MERGEABLE")
    kw.setdefault("merge_state", "CLEAN")
    kw.setdefault("checks", CI)
    return PullRequest(repo, number, title, f"https://github.com/{repo}/pull/{number}", head,
                       SHA[number], "main", author="octo-agent", **kw)


PULLS = {
    "acme/shop": [
        pull(101, "Retry payment webhook on 5xx", "api/webhook-retry",
             review_decision="REVIEW_REQUIRED", merge_state="BLOCKED",
             checks=(Check("ci/test", CheckState.FAILING, required=True),
                     Check("lint", CheckState.PASSING), Check("Cursor Bugbot", CheckState.NEUTRAL)),
             threads=(
                 thread(1, "app/webhooks.py", 57, "cursor", True, BUGBOT_HIGH,
                        "2026-09-21T10:05:00Z", "high"),
                 thread(2, "app/webhooks.py", 42, "coderabbitai", True, CODERABBIT_MAJOR,
                        "2026-09-21T10:07:00Z", "major"),
                 thread(3, "app/queue.py", 12, "copilot-pull-request-reviewer", True, COPILOT,
                        "2026-09-21T10:09:00Z", None),
                 thread(4, "app/webhooks.py", 60, "maria", False,
                        "Can we log the attempt number here? `[/]` stays literal.",
                        "2026-09-21T11:30:00Z", None))),
        pull(102, "Cart: debounce quantity input", "web/cart-debounce", merge_state="BEHIND",
             behind_by=3),
        pull(103, "Add order export endpoint", "api/order-export"),
        pull(104, "Bump httpx to 0.28", "renovate/httpx-0.x", review_decision=None,
             merge_state="BLOCKED",
             checks=(Check("ci/test", CheckState.PENDING, required=True),
                     Check("lint", CheckState.PASSING),
                     Check("deploy/preview", CheckState.PENDING)),
             threads=(thread(5, "requirements.txt", 4, "coderabbitai", True, CODERABBIT_MINOR,
                             "2026-09-21T08:10:00Z", "minor", pr=104),)),
        pull(105, "WIP: search by SKU", "web/search", is_draft=True, merge_state="DRAFT",
             review_decision="REVIEW_REQUIRED"),
        pull(106, "Refactor pricing rules", "api/pricing", mergeable="CONFLICTING",
             merge_state="DIRTY"),
    ],
    "acme/docs": [
        pull(7, "Document the webhook retry policy", "docs/webhooks", repo="acme/docs",
             review_decision="REVIEW_REQUIRED", merge_state="BLOCKED",
             checks=(Check("docs/build", CheckState.PASSING, required=True),)),
    ],
}

ISSUES = {
    "acme/shop": [
        Issue("acme/shop", 91, "Export orders as CSV", "Finance wants a daily CSV export.",
              "https://github.com/acme/shop/issues/91", "octo-person", ("enhancement",)),
        Issue("acme/shop", 90, "Webhook retries flood the log",
              "Every 5xx from the payment provider logs the **full payload** twice.",
              "https://github.com/acme/shop/issues/90", "octo-person", ("bug",)),
    ],
    "acme/docs": [
        Issue("acme/docs", 3, "Getting started page is out of date", "",
              "https://github.com/acme/docs/issues/3", "octo-person", ("docs",)),
    ],
}
COMMENTS = {
    ("acme/shop", 91): (
        IssueComment("maria", "Daily at 06:00 UTC, one file per day.", "2026-09-20T10:00:00Z"),
        IssueComment("octo-person", "## Implementation guidance\n\n- Files: `app/export.py`\n"
                     "- How to verify: `pytest -k export`\n- Do not touch: `app/billing/`",
                     "2026-09-20T11:00:00Z")),
}


class FixedGitHub:
    """Fixed answers where GitHubService stands (the data of the snapshots, no I/O)."""

    def __init__(self, fail: GitHubError | None = None) -> None:
        self.fail = fail
        self.graphql_cost = 0
        self.rate_limit = RateLimit(4987, 5000, AT + 1800, 3)

    async def list_pull_requests(self, repo: str) -> list[PullRequest]:
        if self.fail is not None:
            raise self.fail
        self.graphql_cost += 3
        return list(PULLS.get(repo, []))

    async def list_issues(self, repo: str) -> list[Issue]:
        return list(ISSUES.get(repo, []))

    async def failed_checks(self, repo: str, head_sha: str) -> tuple[CheckFailure, ...]:
        return (CheckFailure("ci/test", "failure", f"https://github.com/{repo}/actions/runs/1",
                             step="Run pytest", log_tail="E       assert 41 == 5\n"
                             "1 failed, 29 passed in 3.21s", job_id=1),)

    async def behind_by(self, repo: str, base: str, head: str) -> int:
        return 0

    async def issue_with_comments(self, repo: str, number: int) -> Issue:
        issue = next(i for i in ISSUES[repo] if i.number == number)
        from dataclasses import replace

        return replace(issue, comments=COMMENTS.get((repo, number), ()))


def make_app(tmp_path, github: FixedGitHub | None = None, *, issues: bool = False,
             first_error: bool = False) -> OrchestraApp:
    views = [_view(spec.name, "claude", State.IDLE, "idle: composer", since=AT - 60,
                   repo=spec.repo, branch=spec.branch, pane=f"%{n}")
             for n, spec in enumerate(AGENTS, 1)]
    fleet = FixedFleet(tmp_path / "store", views)
    desk = Desk(github or FixedGitHub(), AGENTS, store=DeskStore(tmp_path / "desk.json"),
                clock=lambda: AT)

    async def prepare() -> None:
        if first_error and github is not None:  # a good read, then the failure: the PRs
            failure, github.fail = github.fail, None  # stay, the state line says why
            await desk.refresh()
            github.fail = failure
        await desk.refresh()
        if issues:
            await desk.load_issues()
            await desk.issue("acme/shop", 91)
            await desk.set_current_issue("api", ISSUES["acme/shop"][1])
            await desk.set_current_issue("docs", ISSUES["acme/docs"][0])

    asyncio.run(prepare())
    return OrchestraApp(fleet, OPTIONS, desk=desk)


def test_github_inbox(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, press=["i"])


def test_github_inbox_detail_markdown(snap_compare, tmp_path):
    # the Bugbot finding (the last thread of api's PR): its comment rendered as Markdown
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE,
                        run_before=keys_settling("i", "j", "j", "j"))


def test_github_merge_panel(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, press=["m"])


def test_github_merge_confirm(snap_compare, tmp_path):
    # PR #103 is the third row (api's PRs by number: 101, 103, 106)
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE,
                        run_before=keys_settling("m", "j", "M"))


def test_github_admin_merge_reason(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE,
                        run_before=keys_settling("m", "A", *"hotfix"))


def test_github_rate_limited_state(snap_compare, tmp_path):
    limited = GitHubError("GitHub rate limit reached (repo pulls acme/shop); orchestra waits "
                          "until the reset before calling again", kind="rate_limited",
                          status=403, reset_at=AT + 720)
    assert snap_compare(make_app(tmp_path, FixedGitHub(limited), first_error=True),
                        terminal_size=SIZE, press=["m"])


def test_github_issues(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, issues=True), terminal_size=SIZE, press=["I"])
