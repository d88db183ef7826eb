"""Tokens and cost per agent from the CLIs' own session records: files the real Claude Code,
Codex and Gemini CLI wrote, offline against the scripted APIs (tests/fake_*_api.py), kept in
tests/sessions/ as they wrote them; read incrementally and priced with genai-prices' table."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from orchestra_tui.core.costs import day_of, price, summarize
from orchestra_tui.services.usage.reader import SessionUsageReader
from orchestra_tui.services.usage.records import TokenCount, UsageRecord

SESSIONS = Path(__file__).parent / "sessions"
# Where each recorded session ran (the folder its CLI names the records by).
CLAUDE_CWD = "/work/api"
CODEX_CWD = "/tmp/fleetui-codex-tgz9vy41/work"
GEMINI_CWD = "/tmp/fleetui-gemini-w8vugct5/work"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home folder holding the three CLIs' recorded session files where they keep them."""
    shutil.copytree(SESSIONS / "claude", tmp_path / ".claude")
    shutil.copytree(SESSIONS / "codex", tmp_path / ".codex")
    shutil.copytree(SESSIONS / "gemini", tmp_path / ".gemini")
    return tmp_path


def test_claude_code_transcript_gives_each_call_its_tokens_and_model(home):
    records = SessionUsageReader(home).records("claude", CLAUDE_CWD)
    # Two turns (claude -p, then --continue), one model call each, as the scripted API answered.
    assert [(r.model, r.input, r.output, r.cache_read) for r in records] \
        == [("claude-sonnet-4-5", 50, 12, 0)] * 2
    assert records[0].at < records[1].at
    assert SessionUsageReader(home).records("claude", "/somewhere/else") == ()


def test_codex_rollout_gives_each_turn_its_token_count(home):
    records = SessionUsageReader(home).records("codex", CODEX_CWD)
    assert [(r.model, r.tokens) for r in records] \
        == [("gpt-5.1-codex", TokenCount(input=1200, output=12))]


def test_gemini_chat_record_gives_each_answer_its_tokens(home):
    records = SessionUsageReader(home).records("gemini", GEMINI_CWD)
    assert [(r.model, r.tokens) for r in records] \
        == [("gemini-3.8-flash", TokenCount(input=1200, output=12))]


def test_the_reader_reads_on_from_where_it_stopped(home):
    reader = SessionUsageReader(home)
    assert len(reader.records("claude", CLAUDE_CWD)) == 2
    transcript = next((home / ".claude" / "projects" / "-work-api").glob("*.jsonl"))
    line = {"type": "assistant", "timestamp": "2026-12-07T03:00:00.000Z",
            "message": {"id": "msg_later", "model": "claude-sonnet-4-5",
                        "usage": {"input_tokens": 7, "output_tokens": 3,
                                  "cache_read_input_tokens": 40000}}}
    with transcript.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line))  # no newline yet: still being written
    assert len(reader.records("claude", CLAUDE_CWD)) == 2
    with transcript.open("a", encoding="utf-8") as handle:
        handle.write("\n")
        handle.write(json.dumps(line) + "\n")  # the same message again: counted once
    records = reader.records("claude", CLAUDE_CWD)
    assert len(records) == 3 and records[-1].cache_read == 40000


def test_the_price_comes_from_the_table_and_an_unknown_model_is_not_guessed(home):
    records = SessionUsageReader(home).records("claude", CLAUDE_CWD)
    # Claude Sonnet 4.5: $3 per million input tokens, $15 per million output tokens.
    assert price(records[0]) == Decimal(50 * 3 + 12 * 15) / 1_000_000
    unknown = UsageRecord("claude", "x", 0.0, "no-such-model-anywhere", TokenCount(10, 10))
    assert price(unknown) is None
    summary = summarize((*records, unknown), day=day_of(records[0].at))
    assert summary.turns == 3 and summary.unpriced == 1
    assert summary.cost == Decimal(2 * (50 * 3 + 12 * 15)) / 1_000_000
    assert summary.today_tokens.output == 24  # the unknown call was on another day
    assert summary.row()["cost_usd"] == pytest.approx(0.00066)
