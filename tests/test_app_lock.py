"""Only one app recovers a data dir's queues: an app opened beside a live one leaves the first
one's send in flight alone (it is not cut off: its sender lives); once that app is gone,
however it ended, the next one turns the item `uncertain` as a crash recovery should.
Real processes: the first app is a child that builds the app's services and waits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from orchestra_tui.bootstrap import Boot, build_app, build_services
from orchestra_tui.config import parse_config
from orchestra_tui.models import QueueItemState
from orchestra_tui.services.store.app_lock import AppLock
from orchestra_tui.services.store.queues import QueueStore
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from tests.ui_data import FixedFleet, settle

ROOT = Path(__file__).resolve().parent.parent

FIRST_APP = """
import sys
from pathlib import Path
from orchestra_tui.bootstrap import Boot, build_app
from orchestra_tui.config import parse_config
from orchestra_tui.bootstrap import build_services
services = build_services(parse_config("", Path("config.toml")), data_dir=Path(sys.argv[1]),
                          socket_name="orchestra-app-lock-test", recover=True)
print("held" if services.app_lock is not None else "not held", flush=True)
sys.stdin.read()
"""


def start_first_app(data: Path) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", FIRST_APP, str(data)], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout.readline().strip() == "held"
    return child


def app_services(data: Path):
    return build_services(parse_config("", data / "config.toml"), data_dir=data,
                          socket_name="orchestra-app-lock-test", recover=True)


def test_a_second_app_leaves_the_live_apps_send_in_flight_alone(tmp_path):
    data = tmp_path / "data"
    first = start_first_app(data)
    try:
        store = QueueStore(data)
        item = store.add("api", "run the tests")
        store.mark_sending(item.id)  # the first app's send, in flight

        second = app_services(data)

        assert second.app_lock is None
        assert AppLock(data).holder() == first.pid
        assert [i.state for i in QueueStore(data).snapshot().of("api")] == [
            QueueItemState.SENDING]
    finally:
        first.kill()
        first.wait()

    # The first app died mid-send (SIGKILL: no clean-up ran): the next app recovers.
    assert first.returncode == -signal.SIGKILL
    third = app_services(data)
    assert third.app_lock is not None
    assert [i.state for i in QueueStore(data).snapshot().of("api")] == [
        QueueItemState.UNCERTAIN]
    third.app_lock.release()


def test_commands_never_take_the_lock_nor_recover(tmp_path):
    data = tmp_path / "data"
    store = QueueStore(data)
    store.mark_sending(store.add("api", "x").id)

    command = build_services(parse_config("", data / "config.toml"), data_dir=data,
                             socket_name="orchestra-app-lock-test")

    assert command.app_lock is None and not (data / "app.lock").exists()
    assert [i.state for i in QueueStore(data).snapshot().of("api")] == [QueueItemState.SENDING]


async def test_the_second_app_says_so_once_it_is_up(tmp_path):
    data = tmp_path / "data"
    first = start_first_app(data)
    try:
        booted = Boot(parse_config("", data / "config.toml"), data_dir=data,
                      socket_name="orchestra-app-lock-test", long_lived=True)
        notices = build_app(booted).startup_notices
        assert notices and f"another orchestra (pid {first.pid}) runs on" in notices[0]
    finally:
        first.kill()
        first.wait()
    await booted.aclose()

    app = OrchestraApp(FixedFleet(tmp_path), AppOptions(poll=False), startup_notices=notices)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        assert [n.message for n in app._notifications] == notices
