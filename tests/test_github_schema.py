"""Orchestra speaks real GitHub: its GraphQL documents validate against GitHub's schema, and every
answer the stand-in gives matches GitHub's REST description or the query's selection."""

from __future__ import annotations

import json
import pathlib

import pytest

from orchestra_tui.demo.standin.gql import operation_name
from orchestra_tui.demo.standin.server import StandIn
from orchestra_tui.errors import GitHubError
from orchestra_tui.services.github.service import GitHubService, load_document
from tests.github_fixtures import *  # noqa: F403
from tests.github_fixtures import (
    GRAPHQL_DIR,
    TOKEN,
    Clock,
    documents,
    rest_problems,
    selection_problems,
)


def test_documents_exist() -> None:
    names = {path.stem for path in documents()}
    assert {"repo_pulls", "pull_checks", "pull_threads", "resolve_thread"} <= names
    for name in names:
        assert load_document(name)  # shipped as package data, read by importlib.resources


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.name)
def test_document_validates_against_github_schema(gql_schema, path) -> None:
    """The document as sent (its fragments appended) is valid GitHub GraphQL: known fields and
    arguments, no deprecated ones, every fragment used. A field GitHub has but the slice lacks
    means `python -m tests.github_schema.trim ../shared/github` was not run after a change."""
    from graphql import parse, specified_rules, validate
    from graphql.validation import NoDeprecatedCustomRule

    errors = validate(gql_schema, parse(load_document(path.stem)),
                      [*specified_rules, NoDeprecatedCustomRule])
    assert [error.message for error in errors] == []


def test_threads_and_checks_are_selected_once_as_fragments() -> None:
    """The inbox's thread and check selections are fragments, spread by every document that
    reads them: the same fields whichever query found the thread or check."""
    from orchestra_tui.services.github.documents import fragments

    assert set(fragments()) == {"OrchestraReviewThread", "OrchestraCheckContext"}
    for name, spreads in {"repo_pulls": {"OrchestraReviewThread", "OrchestraCheckContext"},
                          "pull_threads": {"OrchestraReviewThread"},
                          "pull_checks": {"OrchestraCheckContext"}}.items():
        raw = (GRAPHQL_DIR / f"{name}.graphql").read_text()
        assert {s for s in spreads if f"...{s}" in raw} == spreads
        assert "createdAt" not in raw and "detailsUrl" not in raw  # not repeated inline
        sent = load_document(name)
        assert {f for f in fragments() if f"fragment {f} on" in sent} == spreads


def test_a_wrong_field_fails_validation(gql_schema) -> None:
    """The slice is not vacuous: a field GitHub does not have is refused."""
    from graphql import parse, validate

    document = load_document("resolve_thread").replace("isResolved", "isSettled")
    assert validate(gql_schema, parse(document))


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.name)
def test_every_connection_is_bounded_to_100(gql_schema, path) -> None:
    """GitHub's own rule, outside GraphQL validation: every connection needs `first` or `last`
    between 1 and 100 (a literal, or a variable whose default is)."""
    from graphql import (
        IntValueNode,
        OperationDefinitionNode,
        TypeInfo,
        TypeInfoVisitor,
        VariableNode,
        Visitor,
        get_named_type,
        parse,
        visit,
    )

    ast = parse(load_document(path.stem))
    defaults: dict[str, int | None] = {}
    for definition in ast.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for var in definition.variable_definitions or ():
                value = var.default_value
                defaults[var.variable.name.value] = (
                    int(value.value) if isinstance(value, IntValueNode) else None)
    info = TypeInfo(gql_schema)
    problems: list[str] = []
    seen: list[str] = []

    class Connections(Visitor):
        def enter_field(self, node, *_args):
            named = get_named_type(info.get_type())
            if named is None or not named.name.endswith("Connection"):
                return
            seen.append(node.name.value)
            sizes = {a.name.value: a.value for a in node.arguments or ()
                     if a.name.value in ("first", "last")}
            if not sizes:
                problems.append(f"{node.name.value}: no first/last")
            for arg, value in sizes.items():
                if isinstance(value, IntValueNode):
                    size = int(value.value)
                elif isinstance(value, VariableNode):
                    size = defaults.get(value.name.value)
                else:
                    size = None
                if size is None or not 1 <= size <= 100:
                    problems.append(f"{node.name.value}({arg}): {size}")

    visit(ast, TypeInfoVisitor(info, Connections()))
    assert problems == []
    if path.stem != "resolve_thread":
        assert seen  # the walk really met the connections


async def _drive_every_rest_operation(standin: StandIn, github: GitHubService) -> None:
    shop = "acme/shop"
    ready = standin.pull(shop, 103)
    await github.behind_by(shop, "main", standin.pull(shop, 102).head_sha)  # 200
    await github.behind_by(shop, "main", standin.pull(shop, 102).head_sha)  # 304
    await github.list_issues(shop)
    await github.issue_with_comments(shop, 90)
    await github.comment_on_issue(shop, 90, "Taking this one.")
    with pytest.raises(GitHubError):
        await github.merge(shop, 101, "0" * 40)  # 409
    with pytest.raises(GitHubError):
        await github.merge(shop, 106, standin.pull(shop, 106).head_sha)  # 405
    await github.merge(shop, 103, ready.head_sha)  # 200
    await github.update_branch(shop, 102, standin.pull(shop, 102).head_sha)  # 202
    with pytest.raises(GitHubError):
        await github.update_branch(shop, 101, "0" * 40)  # 422
    with pytest.raises(GitHubError):
        await github.issue_with_comments(shop, 999)  # 404
    failures = await github.failed_checks(shop, standin.pull(shop, 101).head_sha)  # check runs,
    assert [f.step for f in failures] == ["Run pytest"]  # the job, its log (302, then text)
    with pytest.raises(GitHubError):
        await github.failed_checks(shop, "f" * 40)  # 422: no such commit
    for status in (401, 500):
        standin.inject(status)
        with pytest.raises(GitHubError):
            await github.list_issues(shop)
    standin.inject(403, reset_in=0.2)
    with pytest.raises(GitHubError):
        await github.list_issues(shop)


async def test_every_rest_answer_matches_the_openapi_description(openapi, standin, github) -> None:
    await _drive_every_rest_operation(standin, github)
    # GitHub redirects a log download to blob storage, which is no API path: not described.
    rest = [(m, p, s, b) for m, p, s, b in standin.responses
            if not p.startswith(("/graphql", "/_blobs/"))]
    statuses = {(m, p.split("?")[0].rsplit("/", 1)[-1], s) for m, p, s, _ in rest}
    for expected in [("PUT", "merge", 200), ("PUT", "merge", 405), ("PUT", "merge", 409),
                     ("PUT", "update-branch", 202), ("PUT", "update-branch", 422),
                     ("GET", "issues", 200), ("GET", "comments", 200),
                     ("POST", "comments", 201), ("GET", "999", 404),
                     ("GET", "issues", 401), ("GET", "issues", 500), ("GET", "issues", 403),
                     ("GET", "check-runs", 200), ("GET", "check-runs", 422),
                     ("GET", "logs", 302)]:
        assert expected in statuses
    assert any(s == 200 for m, p, s, _ in rest if "/actions/jobs/" in p and "logs" not in p)
    assert any(s == 304 for m, p, s, _ in rest if "/compare/" in p)
    assert any(s == 200 for m, p, s, _ in rest if "/compare/" in p)
    problems = [problem for m, p, s, b in rest for problem in rest_problems(openapi, m, p, s, b)]
    assert problems == []


def test_rest_checker_catches_a_wrong_body(openapi) -> None:
    """The checker is not vacuous: a merge answer missing `sha` is flagged."""
    assert rest_problems(openapi, "PUT", "/repos/o/r/pulls/1/merge", 200,
                         {"merged": True, "message": "ok"})
    assert rest_problems(openapi, "GET", "/repos/o/r/issues", 200, [{"number": 1}])


async def test_every_graphql_answer_matches_its_selection(gql_schema, standin, github) -> None:
    pulls = await github.list_pull_requests("acme/shop")
    await github.list_pull_requests("acme/docs")
    thread = next(p for p in pulls if p.number == 101).threads[0]
    assert await github.resolve_thread(thread.id) is True
    with pytest.raises(GitHubError):
        await github.list_pull_requests("acme/nope")
    operations = set()
    problems = []
    for document, _variables, answer in standin.graphql_exchanges:
        data = answer.get("data")
        if data is None:
            continue
        operations.add(operation_name(document))
        problems += selection_problems(gql_schema, document, data)
    assert {"OrchestraRepoPulls", "OrchestraPullChecks", "OrchestraResolveThread"} <= operations
    assert problems == []


def test_selection_checker_catches_a_wrong_answer(gql_schema) -> None:
    document = load_document("resolve_thread")
    assert selection_problems(gql_schema, document,
                              {"resolveReviewThread": {"thread": {"id": "x"}}})  # missing field
    assert selection_problems(gql_schema, document, {"resolveReviewThread": {
        "thread": {"id": "x", "isResolved": "yes"}}})  # wrong scalar
    assert selection_problems(gql_schema, document, {"resolveReviewThread": {
        "thread": {"id": "x", "isResolved": True, "extra": 1}}})  # not selected
    assert not selection_problems(gql_schema, document, {"resolveReviewThread": {
        "thread": {"id": "x", "isResolved": True}}})


async def test_not_found_repository_is_a_graphql_error_like_githubs(standin, github) -> None:
    with pytest.raises(GitHubError) as caught:
        await github.list_pull_requests("acme/nope")
    assert caught.value.kind == "not_found"
    _doc, _vars, answer = standin.graphql_exchanges[-1]
    assert answer["data"] == {"rateLimit": answer["data"]["rateLimit"], "repository": None}
    assert answer["errors"][0]["type"] == "NOT_FOUND"
    assert answer["errors"][0]["path"] == ["repository"]


async def test_inbox_refresh_cost_matches_githubs_rule(standin, github) -> None:
    """One `acme/shop` refresh: the list page is 1 + 10 + 10 + 10*30 = 321 requests -> 3
    points; required flags read from the PRs covering every check name on `main` (2 here), at 1
    point each. The GraphQL cost GitHub would report is the stand-in's `rateLimit.cost`."""
    before = github.graphql_cost
    await github.list_pull_requests("acme/shop")
    costs = [(op, cost) for op, cost, _nodes in standin.graphql_log]
    assert costs[0] == ("OrchestraRepoPulls", 3)
    assert all(cost == 1 for op, cost in costs[1:])
    assert github.graphql_cost - before == sum(cost for _op, cost in costs) == 5
    assert github.rate_limit.last_cost == 1
    assert github.rate_limit.remaining == 5000 - 5


async def test_update_branch_lands_later(standin, github) -> None:
    """GitHub answers 202 and merges the base in later: the PR is behind until then."""
    import time

    from orchestra_tui.demo.standin.state import UPDATE_BRANCH_DELAY

    clock = Clock(time.time())
    standin.clock = clock
    pr = standin.pull("acme/shop", 102)
    assert (await github.update_branch("acme/shop", 102, pr.head_sha)).startswith("Updating")

    async def merge_state() -> str:
        pulls = await github.list_pull_requests("acme/shop")
        return next(p for p in pulls if p.number == 102).merge_state

    assert await merge_state() == "BEHIND"
    clock.now += UPDATE_BRANCH_DELAY
    assert await merge_state() == "CLEAN"
    assert standin.pull("acme/shop", 102).behind_by == 0


def test_standin_requires_a_token(standin) -> None:
    import urllib.error
    import urllib.request

    for header in (None, "Basic abc", "token"):
        request = urllib.request.Request(f"{standin.url}/repos/acme/shop/issues")
        if header:
            request.add_header("Authorization", header)
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=5)
        assert caught.value.code == 401
    for scheme in ("Bearer", "token"):
        request = urllib.request.Request(f"{standin.url}/repos/acme/shop/issues",
                                         headers={"Authorization": f"{scheme} {TOKEN}"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 200


def test_standin_runs_as_a_module_with_demo_data(tmp_path) -> None:
    """`python -m orchestra_tui.demo.standin --port N`, as the demo and a person run it."""
    import subprocess
    import sys
    import urllib.request

    root = pathlib.Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, "-m", "orchestra_tui.demo.standin",
                             "--port", "0"], cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = line.split()[3]
        assert url.startswith("http://127.0.0.1:")
        request = urllib.request.Request(f"{url}/repos/acme/shop/issues/90",
                                         headers={"Authorization": "token demo"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert json.loads(answer.read())["title"] == "Webhook retries flood the log"
    finally:
        proc.terminate()
        proc.wait(timeout=5)


@pytest.mark.parametrize("name", ["orchestra_tui.demo.standin.gql_parse",
                                  "orchestra_tui.services.github.documents",
                                  "orchestra_tui.core.desk.severity",
                                  "orchestra_tui.core.desk.lanes",
                                  "orchestra_tui.core.desk.merge_gate"])
def test_docstring_examples(name) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted and result.failed == 0
