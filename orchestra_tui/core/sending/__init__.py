"""Sending text into an agent: the send gate (the one place that types), when a queued prompt
may go, what `y`/`n` check before answering, and why each queued prompt waits."""
