"""The hosts benchmark runs end to end with one tiny host (real sshd on loopback) and prints its
tables. No timing is asserted: the figures belong in benchmarks/README.md, not in a test."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from tests.ssh_fixtures import needs_sshd

SCRIPT = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "hosts_cost.py"


@needs_sshd
@pytest.mark.slow
def test_hosts_benchmark_runs_and_prints_its_tables(tmp_path: pathlib.Path) -> None:
    env = {**os.environ, "TMUX_TMPDIR": str(tmp_path)}
    env.pop("TMUX", None)
    result = subprocess.run([sys.executable, str(SCRIPT), "--hosts", "1", "--per-host", "2",
                             "--quick", "--iterations", "2", "--slow-seconds", "1.5"],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for text in ("machine: nproc=", " 2 agents on this machine |", " 1 hosts x 2 over ssh |",
                 "hosts' side CPU", "with the slow host", "target: one slow host"):
        assert text in out, f"{text!r} missing from:\n{out}\n{result.stderr}"
    assert list(tmp_path.glob("tmux-*/orch-bench-*")) == []  # every server is gone
