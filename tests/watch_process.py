"""`orchestra watch` as a real child process for the tests: its stdout lines collected as they
come, its clock movable (tests/programs/fake_clock), stopped by a signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO

FAKE_CLOCK = REPO / "tests" / "programs" / "fake_clock"


def watch_config(path: Path, *, port: int | None = None, topic: str = "orchestra-away",
                 agents: str = "") -> Path:
    notify = (f'[notify]\nterminal = "off"\nurls = ["ntfy://127.0.0.1:{port}/{topic}"]\n\n'
              if port is not None else "")
    path.write_text(notify + agents, encoding="utf-8")
    return path


class WatchProcess:
    def __init__(self, config: Path, data: Path, socket: str, *,
                 clock_file: Path | None = None, poll: float = 0.2) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FAKE_CLOCK), str(REPO)])}
        env.pop("TMUX", None)
        if clock_file is not None:
            env["ORCHESTRA_TEST_CLOCK_FILE"] = str(clock_file)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "orchestra_tui", "watch", "--config", str(config),
             "--data-dir", str(data), "-L", socket, "--poll", str(poll)],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    async def said(self, words: str, timeout: float = 20.0) -> str:
        async def found() -> str | None:
            if self.process.poll() is not None and not any(words in x for x in self.lines):
                raise AssertionError(f"watch exited {self.process.returncode}: {self.lines} "
                                     f"{self.process.stderr.read() if self.process.stderr else ''}")
            return next((line for line in self.lines if words in line), None)
        return await async_wait_until(found, timeout=timeout, message=f"watch said {words!r}")

    def stop(self, number: int = signal.SIGTERM, timeout: float = 15.0) -> tuple[int, str]:
        if self.process.poll() is None:
            self.process.send_signal(number)
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        stderr = self.process.stderr.read() if self.process.stderr else ""
        return code, stderr

    def kill(self) -> None:
        self.stop(signal.SIGKILL)
