"""`orchestra log`: the journal, plain or JSON, filtered by agent, time and event."""

from __future__ import annotations

import argparse
import datetime
import json
import re
import time

import pytest

from orchestra_tui.commands import log
from orchestra_tui.services.store.journal import Journal


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="orchestra")
    parser.add_argument("--config")
    log.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


@pytest.fixture
def journal() -> Journal:
    journal = Journal()  # the data dir, as `orchestra log` reads it
    now = time.time()
    journal.append("prompt_sent", "api", text="run the tests\nthen lint", source="person",
                   at=now - 7200)
    journal.append("approval", "web", at=now - 1800)
    journal.append("merge", repo="acme/api", number=7, sha="abc123", method="squash",
                   gate="ready", reason="", at=now - 60)
    return journal


def test_plain_output_one_line_per_event(journal, capsys):
    assert log.run(parse(["log"])) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith('  api  prompt_sent  text="run the tests\\nthen lint" source=person')
    assert "  web  approval" in lines[1]
    assert lines[2].endswith("  -  merge  repo=acme/api number=7 sha=abc123 method=squash "
                             'gate=ready reason=""')
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  ", lines[0])


def test_json_output_is_an_array(journal, capsys):
    assert log.run(parse(["log", "--json"])) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [entry["event"] for entry in entries] == ["prompt_sent", "approval", "merge"]
    assert entries[0]["text"] == "run the tests\nthen lint"


def test_filters(journal, capsys):
    log.run(parse(["log", "--json", "--agent", "api"]))
    assert [e["event"] for e in json.loads(capsys.readouterr().out)] == ["prompt_sent"]
    log.run(parse(["log", "--json", "--since", "1h"]))
    assert [e["event"] for e in json.loads(capsys.readouterr().out)] == ["approval", "merge"]
    log.run(parse(["log", "--json", "--event", "merge", "--event", "approval"]))
    assert [e["event"] for e in json.loads(capsys.readouterr().out)] == ["approval", "merge"]


def test_empty_journal(capsys):
    assert log.run(parse(["log"])) == 0
    out, err = capsys.readouterr()
    assert out == "" and "no events" in err
    assert log.run(parse(["log", "--json"])) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_torn_line_is_reported_not_fatal(journal, capsys):
    with open(journal.path, "ab") as handle:
        handle.write(b'{"at": 1, "eve')
    assert log.run(parse(["log"])) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 3 and "skipped 1 unreadable line" in err


@pytest.mark.parametrize(("text", "seconds_ago"), [
    ("30m", 1800), ("1h", 3600), ("45s", 45), ("2d", 172800), ("1w", 604800), ("1.5h", 5400),
    (" 10M ", 600),
])
def test_parse_since_durations(text, seconds_ago):
    assert log.parse_since(text, now=1_000_000.0) == 1_000_000.0 - seconds_ago


def test_parse_since_dates():
    local = datetime.datetime(2026, 11, 28, 10, 0).timestamp()
    assert log.parse_since("2026-11-28T10:00") == local
    assert log.parse_since("2026-11-28 10:00") == local
    assert log.parse_since("2026-11-28") == datetime.datetime(2026, 11, 28).timestamp()
    assert log.parse_since("2026-11-28T10:00:00Z") == datetime.datetime(
        2026, 11, 28, 10, 0, tzinfo=datetime.UTC).timestamp()


@pytest.mark.parametrize("text", ["yesterday", "1y", "", "10"])
def test_parse_since_rejects_nonsense(text):
    with pytest.raises(argparse.ArgumentTypeError, match="30m"):
        log.parse_since(text)


def test_bad_since_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        parse(["log", "--since", "soon"])
    assert caught.value.code == 2 and "'soon' is neither" in capsys.readouterr().err


