"""Guardrails: commands judged by their parsed words (the pre-tool hook that stops them, and the
watch on pane output), loop detection, and where enforcement stands."""
