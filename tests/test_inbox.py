"""The review inbox end to end over loopback, and `orchestra inbox` as a person runs it."""

from __future__ import annotations

import json

import pytest

from orchestra_tui.cli import main
from orchestra_tui.core.desk.inbox import build_inbox, inbox_prompt, inbox_to_json, summary_line
from orchestra_tui.models import AgentSpec
from tests.github_fixtures import *  # noqa: F403
from tests.github_fixtures import TOKEN

AGENTS = (
    AgentSpec("api", repo="acme/shop", branch="api/*"),
    AgentSpec("web", repo="acme/shop", branch="web/*"),
    AgentSpec("docs", repo="acme/docs"),
)
CONFIG = """
[[agent]]
name = "api"
repo = "acme/shop"
branch = "api/*"

[[agent]]
name = "web"
repo = "acme/shop"
branch = "web/*"

[github]
repos = ["acme/docs"]
"""
PULL_KEYS = {"repo", "number", "title", "agent", "head_sha", "review_decision", "merge_state",
             "checks", "gate", "threads"}
THREAD_KEYS = {"id", "path", "line", "author", "severity", "body", "url"}


async def test_inbox_end_to_end(standin, github) -> None:
    data = await build_inbox(github, ["acme/shop", "acme/docs"], AGENTS)
    out = inbox_to_json(data)
    assert set(out) == {"pulls", "rate_limit"}
    pulls = {(p["repo"], p["number"]): p for p in out["pulls"]}
    assert len(pulls) == 7
    for pull in out["pulls"]:
        assert PULL_KEYS <= set(pull)
        assert set(pull["checks"]) == {"state", "failing", "pending"}
        assert set(pull["gate"]) >= {"ready", "reasons"}
        for thread in pull["threads"]:
            assert THREAD_KEYS <= set(thread)
    # ordered by agent in config order, unassigned last
    assert [p["agent"] for p in out["pulls"]] == [
        "api", "api", "api", "web", "web", "docs", None]

    webhook = pulls[("acme/shop", 101)]
    assert webhook["agent"] == "api"
    assert webhook["checks"] == {"state": "failing", "failing": ["ci/test"], "pending": []}
    assert webhook["gate"]["ready"] is False
    assert webhook["gate"]["reasons"] == [
        "check 'ci/test' failing", "changes requested", "4 unresolved threads"]
    by_author = {t["author"]: t for t in webhook["threads"]}
    assert by_author["cursor"]["severity"] == "high"
    assert by_author["coderabbitai"]["severity"] == "major"
    assert by_author["copilot-pull-request-reviewer"]["severity"] is None
    assert by_author["maria"]["severity"] is None
    assert by_author["cursor"]["path"] == "app/webhooks.py" and by_author["cursor"]["line"] == 57
    created = [t["created_at"] for t in webhook["threads"]]
    assert created == sorted(created, reverse=True)  # newest first
    assert "BUGBOT_BUG_ID" in by_author["cursor"]["body"]

    unassigned = pulls[("acme/shop", 104)]
    assert unassigned["agent"] is None  # shown anyway
    assert unassigned["checks"]["state"] == "pending"
    assert unassigned["threads"][0]["severity"] == "minor"
    assert pulls[("acme/shop", 103)]["gate"] == {
        "ready": True, "reasons": [], "head_sha": pulls[("acme/shop", 103)]["head_sha"]}
    assert pulls[("acme/shop", 102)]["gate"]["reasons"] == ["behind base by 3 commits"]
    assert pulls[("acme/shop", 105)]["gate"]["reasons"][0] == "draft"
    assert pulls[("acme/docs", 7)]["threads"] == []  # the only thread is outdated
    limit = out["rate_limit"]
    assert limit["remaining"] < limit["limit"] == 5000
    assert limit["refresh_cost"] == 3 + 3 + 1 + 1 + 1  # two list pages, three required probes
    json.dumps(out)  # JSON-ready


async def test_inbox_prompt(standin, github) -> None:
    data = await build_inbox(github, ["acme/shop"], AGENTS)
    item = next(p for p in data.pulls if p.pr.number == 101)
    thread = next(t for t in item.pr.threads if t.author == "cursor")
    prompt = inbox_prompt(thread, item.pr)
    assert 'PR #101 "Retry payment webhook on 5xx"' in prompt
    assert "app/webhooks.py:57" in prompt
    assert "Webhook retry ignores the attempt limit" in prompt
    assert "high severity" in prompt
    assert thread.url in prompt and thread.id in prompt
    assert "fix it, reply on the thread, and resolve it when fixed" in prompt
    assert "BUGBOT_BUG_ID" not in prompt  # bookkeeping comments stripped


def test_summary_line_skips_bot_markup() -> None:
    from orchestra_tui.demo.standin import seed

    assert summary_line(seed.BUGBOT_HIGH) == "Webhook retry ignores the attempt limit"
    assert summary_line(seed.CODERABBIT_MAJOR) == "Guard against a missing signature header."
    assert summary_line("x" * 200, 20) == "x" * 19 + "…"


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path


@pytest.fixture
def cli_env(standin, monkeypatch):
    monkeypatch.setenv("ORCHESTRA_GITHUB_API", standin.url)
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    return standin


def test_cli_inbox_json(cli_env, config_file, capsys) -> None:
    assert main(["--config", str(config_file), "inbox", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {p["agent"] for p in out["pulls"]} == {"api", "web", None}
    assert {p["repo"] for p in out["pulls"]} == {"acme/shop", "acme/docs"}


def test_cli_inbox_table(cli_env, config_file, capsys) -> None:
    assert main(["--config", str(config_file), "inbox"]) == 0
    out = capsys.readouterr().out
    assert out.index("api  (acme/shop api/*)") < out.index("web  (acme/shop web/*)") < out.index(
        "unassigned")
    assert "acme/shop#103  Add order export endpoint" in out
    assert "ready to merge at" in out
    assert "high     app/webhooks.py:57  cursor: Webhook retry ignores the attempt limit" in out
    assert "GitHub rate limit:" in out
    assert TOKEN not in out


FAULTS = [
    (dict(status=401), "Bad credentials"),
    (dict(status=403, reset_in=90), "rate limit"),
    (dict(status=404, path="graphql"), "not found"),
    (dict(status=500), "server error"),
    (dict(delay=3.0), "did not answer"),
]


@pytest.mark.parametrize("fault,words", FAULTS, ids=[w for _f, w in FAULTS])
def test_cli_inbox_failure_is_one_line_and_exit_1(cli_env, config_file, capsys, monkeypatch,
                                                  fault, words) -> None:
    import orchestra_tui.services.github.service as github_module

    monkeypatch.setattr(github_module, "DEFAULT_TIMEOUT", 0.5)
    cli_env.inject(**fault, times=None)
    assert main(["--config", str(config_file), "inbox"]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("orchestra: ")
    assert words in lines[0]
    assert TOKEN not in captured.err + captured.out
    cli_env.clear_faults()


def test_cli_inbox_connection_refused(refused_url, config_file, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ORCHESTRA_GITHUB_API", refused_url)
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    assert main(["--config", str(config_file), "inbox", "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        f"orchestra: cannot reach GitHub at {refused_url.split('//')[1]} "
        "(pull requests of acme/shop): connection refused"]


def test_cli_inbox_without_token(config_file, capsys, monkeypatch, standin) -> None:
    monkeypatch.setenv("ORCHESTRA_GITHUB_API", standin.url)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["--config", str(config_file), "inbox"]) == 1
    assert "no GitHub token" in capsys.readouterr().err


def test_cli_inbox_without_repos(tmp_path, capsys) -> None:
    path = tmp_path / "empty.toml"
    path.write_text('[[agent]]\nname = "solo"\n')
    assert main(["--config", str(path), "inbox"]) == 0
    assert "no repositories" in capsys.readouterr().out


def test_cli_inbox_prints_no_raw_control(cli_env, config_file, capsys) -> None:
    from orchestra_tui.demo.standin.state import SComment, SThread

    body = "Fix\x1b]2;owned title\x07\x1b[2J it\x03 now"
    cli_env.repo("acme/shop").pulls[101].threads.append(SThread(
        path="app/x.py", line=1, comments=[SComment("coderabbitai", body, "2026-03-01T00:00:00Z")]))
    cli_env.repo("acme/shop").pulls[101].title = "Retry\x1b[31m webhook"
    assert main(["--config", str(config_file), "inbox"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x03" not in out
    assert "Fix␛]2;owned title␇␛[2J it␃ now" in out and "Retry␛[31m webhook" in out
