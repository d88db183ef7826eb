"""Session report figures checked against a scripted journal, exactly."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from orchestra_tui.cli import main
from orchestra_tui.core.report import (
    UNASSIGNED,
    report_to_json,
    report_to_markdown,
    session_report,
    state_spans_from,
)
from orchestra_tui.paths import data_dir
from orchestra_tui.services.store.journal import Journal

SESSIONS = Path(__file__).parent / "sessions"
T0 = 1_000_000.0
NOW = T0 + 2400


def script(t0: float = T0) -> list[tuple[float, str, str | None, dict]]:
    """(at, event, agent, fields): two agents' session, as the fleet and the app write it."""
    return [
        (0, "state", "api", {"state": "working", "since": t0}),
        (1, "prompt_sent", "api", {"text": "Read issue #12 (https://github.com/acme/shop/"
                                           "issues/12) and implement it", "source": "issue:#12"}),
        (100, "state", "web", {"state": "idle", "since": t0 + 100}),
        (200, "prompt_sent", "web", {"text": "work on #5, then #6", "source": "person"}),
        (200, "state", "web", {"state": "working", "since": t0 + 200}),
        (600, "state", "api", {"state": "approval", "since": t0 + 600}),
        (630, "approval", "api", {"keys": ["Enter"]}),
        (630, "state", "api", {"state": "working", "since": t0 + 630}),
        (700, "alert", "api", {"kind": "forbid",
                               "text": "kubectl apply -f k8s/ (forbidden: kubectl apply)"}),
        (800, "state", "web", {"state": "stuck", "since": t0 + 800}),
        (850, "denial", "web", {}),
        (900, "interrupt", "web", {}),
        (901, "state", "web", {"state": "idle", "since": t0 + 900}),  # written late: since wins
        (950, "alert", "web", {"kind": "forbid", "text": "git push origin main (forbidden: "
                                                         "git push to main)"}),
        (1000, "pr_opened", "web", {"repo": "acme/web", "number": 8}),
        (1190, "pr_opened", "api", {"repo": "acme/shop", "number": 40}),
        (1200, "state", "api", {"state": "idle", "since": t0 + 1200}),
        (1300, "prompt_sent", "api", {"text": "Fix the review threads on PR #40",
                                      "source": "inbox:T_1"}),
        (1300, "state", "api", {"state": "working", "since": t0 + 1300}),
        (1500, "state", "api", {"state": "blocked", "since": t0 + 1500}),
        (1600, "kill", "api", {"pane": "%3"}),
        (1610, "restart", "api", {"pane": "%3", "outcome": "idle", "handoff": "sent"}),
        (1620, "prompt_sent", "api", {"text": "Handoff: ... issue #12 ...", "source": "handoff"}),
        (1620, "state", "api", {"state": "idle", "since": t0 + 1620}),
        (1800, "merge", None, {"repo": "acme/shop", "number": 40, "sha": "abc", "method":
                               "squash", "gate": "ready"}),
        (2000, "merge", "web", {"repo": "acme/web", "number": 8, "sha": "def"}),
        (2050, "merge", None, {"repo": "acme/web", "number": 9, "merged": False}),
        (2060, "merge", None, {"repo": "acme/other", "number": 1, "sha": "fed"}),
        (2100, "state", "web", {"state": "exited", "since": t0 + 2100}),
        (2200, "queue_added", "web", {"text": "later", "source": "person"}),
    ]


def entries(t0: float = T0) -> list[dict]:
    out = []
    for at, event, agent, fields in script(t0):
        entry = {"at": t0 + at, "event": event, **({"agent": agent} if agent else {}), **fields}
        out.append(entry)
    return out


def test_counts_per_agent() -> None:
    report = session_report(entries(), now=NOW)
    assert list(report) == ["api", "web", UNASSIGNED]
    api, web = report["api"], report["web"]
    assert (api.prompts_sent, api.handoffs, api.restarts, api.kills, api.approvals) == (
        3, 1, 1, 1, 1)
    assert api.alerts == ["kubectl apply -f k8s/ (forbidden: kubectl apply)"]
    assert api.prs_opened == ["acme/shop#40"]
    assert api.prs_merged == ["acme/shop#40"]  # the merge named no agent: its opener's
    assert api.issues == ["#12"]  # the inbox prompt's PR #40 is not an issue
    assert (web.prompts_sent, web.denials, web.interrupts, len(web.alerts)) == (1, 1, 1, 1)
    assert web.issues == ["#5", "#6"]
    assert (web.prs_opened, web.prs_merged) == (["acme/web#8"], ["acme/web#8"])  # not #9
    assert report[UNASSIGNED].prs_merged == ["acme/other#1"]


def test_time_per_state_from_state_events() -> None:
    report = session_report(entries(), now=NOW)
    api, web = report["api"], report["web"]
    # working 0-600, 630-1200, 1300-1500; idle 1200-1300, 1620-2400; approval 600-630;
    # blocked 1500-1620.
    assert api.seconds == {"working": 1370.0, "approval": 30.0, "idle": 880.0, "blocked": 120.0}
    assert (api.working, api.idle, api.waiting) == (1370.0, 880.0, 150.0)
    # idle 100-200, 900-2100; working 200-800; stuck 800-900; exited 2100-2400.
    assert web.seconds == {"idle": 1300.0, "working": 600.0, "stuck": 100.0, "exited": 300.0}
    assert (web.working, web.idle, web.waiting) == (600.0, 1300.0, 100.0)
    assert report[UNASSIGNED].seconds == {}


def test_since_counts_later_events_and_clips_spans() -> None:
    report = session_report(entries(), now=NOW, since=T0 + 1000)
    api = report["api"]
    assert (api.prompts_sent, api.restarts, api.kills, api.approvals, api.alerts) == (
        2, 1, 1, 0, [])
    assert api.issues == ["#12"]  # from the handoff, the one prompt since then naming it
    assert (api.working, api.idle, api.waiting) == (400.0, 880.0, 120.0)
    assert report["web"].prs_opened == ["acme/web#8"]  # opened at exactly T0+1000
    assert report["web"].working == 0.0


def test_state_spans_given_by_the_caller_win() -> None:
    report = session_report(entries(), now=NOW,
                            state_spans={"api": [("working", T0, T0 + 60)]})
    assert report["api"].seconds == {"working": 60.0}
    assert report["web"].working == 600.0


def test_spans_from_state_events() -> None:
    spans = state_spans_from(entries(), NOW)
    assert spans["web"][-1] == ("exited", T0 + 2100, NOW)
    assert [state for state, _, _ in spans["api"]] == [
        "working", "approval", "working", "idle", "working", "blocked", "idle"]


def test_json_and_markdown() -> None:
    report = session_report(entries(), now=NOW)
    data = json.loads(json.dumps(report_to_json(report, now=NOW)))
    api = data["agents"][0]
    assert api["agent"] == "api" and api["prompts_sent"] == 3
    assert api["seconds"]["working"] == 1370.0 and api["seconds"]["waiting"] == 150.0
    assert api["seconds"]["by_state"]["blocked"] == 120.0
    text = report_to_markdown(report)
    assert "| api | 3 | 1 | 1 | 1 | 1 | #12 | 22m | 14m | 2m |" in text
    assert "| web | 1 | 0 | 1 | 1 | 1 | #5, #6 | 10m | 21m | 1m |" in text
    assert "- alert: kubectl apply -f k8s/ (forbidden: kubectl apply)" in text
    assert "No agent activity" in report_to_markdown({})


def test_an_empty_or_odd_journal_gives_an_empty_report() -> None:
    assert session_report([], now=NOW) == {}
    odd = [{"event": "state", "agent": "a"}, {"event": "prompt_sent"}, {"at": "x"}, "junk"]
    assert session_report(odd, now=NOW) == {}  # type: ignore[arg-type]


@pytest.fixture
def journal_now() -> float:
    """The scripted session written to the real journal file, ending now."""
    now = time.time()
    journal = Journal(data_dir() / "journal.jsonl")
    for entry in entries(now - 2400):
        fields = {k: v for k, v in entry.items() if k not in ("event", "agent")}
        journal.append(entry["event"], entry.get("agent"), **fields)
    return now


def test_report_command_json(journal_now, capsys) -> None:
    assert main(["report", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    api = next(agent for agent in data["agents"] if agent["agent"] == "api")
    assert (api["prompts_sent"], api["restarts"], len(api["alerts"])) == (3, 1, 1)
    assert (api["prs_opened"], api["prs_merged"], api["issues"]) == (
        ["acme/shop#40"], ["acme/shop#40"], ["#12"])
    # The last span runs to the command's own `now`, a moment after the script's.
    assert api["seconds"]["working"] == 1370.0
    assert 880.0 <= api["seconds"]["idle"] < 890.0


def test_report_command_table_markdown_and_filters(journal_now, capsys) -> None:
    assert main(["report"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["agent", "prompts", "restarts", "alerts", "PRs", "opened",
                                "merged", "issues", "working", "idle", "waiting", "cost",
                                "$/merged", "$/issue", "receipts"]
    assert table[1].split()[:7] == ["api", "3", "1", "1", "1", "1", "#12"]
    assert main(["report", "--markdown", "--agent", "web"]) == 0
    markdown = capsys.readouterr().out
    assert "| web | 1 |" in markdown and "| api |" not in markdown
    assert main(["report", "--json", "--since", "9m"]) == 0
    recent = {agent["agent"]: agent for agent in json.loads(capsys.readouterr().out)["agents"]}
    # Since 9 minutes ago: two merges, web's exit, and api idle all along.
    assert list(recent) == ["web", "(unassigned)", "api"]
    assert all(agent["prompts_sent"] == 0 for agent in recent.values())
    assert recent["web"]["prs_merged"] == ["acme/web#8"]
    assert 540.0 <= recent["api"]["seconds"]["idle"] < 545.0


def test_report_command_on_an_empty_journal(capsys) -> None:
    assert main(["report"]) == 0
    assert "no agent activity" in capsys.readouterr().err


def test_a_retired_agent_stops_counting() -> None:
    journal = [{"at": 0.0, "event": "state", "agent": "docs", "state": "working", "since": 0.0},
               {"at": 100.0, "event": "state", "agent": "docs", "state": "idle", "since": 100.0},
               {"at": 160.0, "event": "retire", "agent": "docs"}]
    docs = session_report(journal, now=10_000.0)["docs"]
    assert docs.seconds == {"working": 100.0, "idle": 60.0}  # not 9,900 s idle after retiring


def test_report_says_what_each_agent_cost_per_merged_pr_and_per_issue(
        journal_now, capsys, tmp_path, monkeypatch) -> None:
    """api's CLI is Claude Code: its recorded transcript (tests/sessions/, two Sonnet 4.5 calls
    in /work/api) sits where Claude Code keeps it; web runs aider, which keeps no records."""
    home = tmp_path / "home"
    shutil.copytree(SESSIONS / "claude", home / ".claude")
    monkeypatch.setenv("HOME", str(home))
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "api"\ntool = "claude"\ncwd = "/work/api"\n'
                      '[[agent]]\nname = "web"\ntool = "aider"\ncwd = "/work/web"\n')
    assert main(["--config", str(config), "report", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_name = {agent["agent"]: agent for agent in data["agents"]}
    two_calls = 2 * (50 * 3 + 12 * 15) / 1_000_000  # $3 in, $15 out per million tokens
    api = by_name["api"]["cost"]
    assert api["cost_usd"] == pytest.approx(two_calls) and api["calls"] == 2
    # api merged one PR (acme/shop#40) and addressed one issue (#12).
    assert api["per_merged_pr_usd"] == pytest.approx(two_calls)
    assert api["per_issue_usd"] == pytest.approx(two_calls)
    assert by_name["web"]["cost"] == {"unknown": "aider keeps no session records orchestra "
                                                 "reads"}
    assert "not in the config" in by_name[UNASSIGNED]["cost"]["unknown"]
    # Three merges in all (api's, web's, one nobody's), three issues: the fleet's whole.
    whole = data["cost"]
    assert (whole["merged"], whole["issues"]) == (3, 3)
    assert whole["per_merged_pr_usd"] == pytest.approx(two_calls / 3)
    assert whole["not_counted"] == [UNASSIGNED, "web"]
    assert main(["--config", str(config), "report"]) == 0
    printed = capsys.readouterr().out.splitlines()
    api_row = next(line for line in printed if line.startswith("api "))
    assert api_row.split()[-4:] == ["$0.0007", "$0.0007", "$0.0007", "-"]
    assert printed[-3].startswith("cost: $0.0007 (124 tokens); $0.0002 per merged PR (3 merged")
    assert printed[-1] == "not counted: web: aider keeps no session records orchestra reads"
    assert main(["--config", str(config), "report", "--markdown"]) == 0
    assert "## What it cost" in capsys.readouterr().out
