"""Tokens each agent CLI spent, read from the CLI's own session records on disk (Claude Code's
JSONL transcripts, Codex's rollout files, Gemini CLI's chat records), incrementally: each file is
read from where the last read stopped. What the tokens cost is core's (core/costs.py)."""
