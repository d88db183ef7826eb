"""SIGKILL at random moments loses nothing acknowledged: the queue file always loads, nothing is
left `sending`, and the journal holds only whole lines, at least as many as were acknowledged."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

from orchestra_tui.models import QueueItemState
from orchestra_tui.services.store.queues import QueueStore

from .helpers import wait_until

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys
from pathlib import Path
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore

directory, run = Path(sys.argv[1]), sys.argv[2]
store = QueueStore(directory, sent_limit=10**9)
store.load()  # start-up: an item the last round left `sending` becomes `uncertain`
journal = Journal(directory / "journal.jsonl")
ack = sys.stdout
n = 0
while True:
    agent = f"{run}-{n % 3}"
    item = store.add(agent, f"prompt {run} {n}")
    ack.write(f"add {item.id}\\n"); ack.flush()
    store.mark_sending(item.id)
    store.mark_sent(item.id, float(n))
    ack.write(f"sent {item.id}\\n"); ack.flush()
    journal.append("prompt_sent", agent, text=f"prompt {run} {n}", source="test", n=n)
    ack.write("journal\\n"); ack.flush()
    n += 1
"""


def run_and_kill(directory: Path, run: str, delay: float) -> list[str]:
    """Start the child, wait for its first acknowledgement, let it run `delay` seconds more,
    SIGKILL it, and return every line it acknowledged."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(directory), run],
                             stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, cwd=ROOT)
    acked: list[str] = []
    reader = threading.Thread(target=lambda: acked.extend(
        line.decode().strip() for line in child.stdout))  # type: ignore[union-attr]
    reader.start()
    try:
        wait_until(lambda: len(acked) >= 3 or child.poll() is not None, timeout=30,
                   message="the child's first acknowledgements")
        assert child.poll() is None, "the child died on its own"
        threading.Event().wait(delay)  # a random moment is the point of this test
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        reader.join(timeout=10)
    assert child.returncode == -signal.SIGKILL
    return acked


def test_sigkill_at_random_moments_loses_nothing(tmp_path):
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    all_added: set[str] = set()
    all_sent: set[str] = set()
    journal_acks = 0
    for round_number in range(10):
        acked = run_and_kill(tmp_path, f"r{round_number}", rng.uniform(0.0, 0.25))
        all_added |= {line.split()[1] for line in acked if line.startswith("add ")}
        all_sent |= {line.split()[1] for line in acked if line.startswith("sent ")}
        journal_acks += sum(1 for line in acked if line == "journal")
        context = f"seed {seed}, round {round_number}"

        store = QueueStore(tmp_path, sent_limit=10**9)
        store.load()  # must not raise: the file is always a whole old or new state
        items = {item.id: item for item in store.all_items()}
        assert all_added <= items.keys(), context
        assert all(items[item_id].state == QueueItemState.SENT for item_id in all_sent), context
        assert not [i for i in items.values() if i.state == QueueItemState.SENDING], context
        assert not list(tmp_path.glob(".*.tmp")), context

        raw = (tmp_path / "journal.jsonl").read_bytes()
        lines = raw.split(b"\n")
        assert lines[-1] == b"", f"torn last line: {lines[-1][:80]!r} ({context})"
        entries = [json.loads(line) for line in lines[:-1]]
        assert all(entry["event"] == "prompt_sent" for entry in entries), context
        assert len(entries) >= journal_acks, context
