"""The notification channels against real receivers: apprise over HTTP to a loopback push
service, a program reading the event on stdin, and escape sequences through a real tmux server
with passthrough on, read from the pseudo-terminal its client draws on."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys

import pytest

from orchestra_tui.services.notify.event import NotifyEvent, NotifyKind
from orchestra_tui.services.notify.program import ProgramChannel
from orchestra_tui.services.notify.push import PushChannel, conceal
from orchestra_tui.services.notify.terminal import OscStyle, TerminalChannel, tty_writer
from tests.helpers import wait_until
from tests.notify_endpoint import PushEndpoint

SECRET = "s3cr3t-pass-9f2"
TOKEN = "tk_live_7d1b9c0e"

EVENT = NotifyEvent(kind=NotifyKind.APPROVAL, agent="api", state="approval",
                    reason="waits for your answer", key="api:approval:1", host="box",
                    lane="backend", issue=42, excerpt="Bash: rm -rf build",
                    at="2026-12-07T03:00:00+00:00")


def test_a_json_webhook_receives_the_event_once() -> None:
    with PushEndpoint() as endpoint:
        channel = PushChannel(f"json://bot:{SECRET}@127.0.0.1:{endpoint.port}/hook", 1)
        delivery = channel.send(EVENT)
        assert delivery.ok, delivery.error
        assert len(endpoint.received) == 1
        sent = json.loads(endpoint.received[0].body)
        assert sent["title"] == "orchestra: api@box approval"
        assert "backend #42 waits for your answer" in sent["message"]
        assert "Bash: rm -rf build" in sent["message"]
        assert channel.name == "json #1"


def test_an_ntfy_server_receives_the_event() -> None:
    with PushEndpoint() as endpoint:
        delivery = PushChannel(f"ntfy://127.0.0.1:{endpoint.port}/orchestra-{TOKEN}", 2).send(
            EVENT)
        assert delivery.ok, delivery.error
        (request,) = endpoint.received
        assert request.body.decode().count("Bash: rm -rf build") == 1


def test_a_failing_service_says_so_without_its_secrets() -> None:
    with PushEndpoint() as endpoint:
        endpoint.answer = 500
        url = f"json://bot:{SECRET}@127.0.0.1:{endpoint.port}/hooks/{TOKEN}"
        delivery = PushChannel(url, 1).send(EVENT)
    assert not delivery.ok and delivery.error
    assert SECRET not in delivery.error and TOKEN not in delivery.error
    assert SECRET not in repr(delivery) and url not in repr(delivery)


def test_an_unreachable_service_is_an_error_without_secrets() -> None:
    with PushEndpoint() as endpoint:
        port = endpoint.port  # closed when the block ends: nothing listens there after
    url = f"json://bot:{SECRET}@127.0.0.1:{port}/hooks/{TOKEN}"
    delivery = PushChannel(url, 3).send(EVENT)
    assert not delivery.ok
    assert SECRET not in delivery.error and TOKEN not in delivery.error


def test_a_url_apprise_cannot_read_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError) as raised:
        PushChannel(f"nosuchservice://{TOKEN}@x", 4)
    assert TOKEN not in str(raised.value)


def test_conceal_hides_every_part_of_the_url() -> None:
    url = f"tgram://{TOKEN}/12345678?key={SECRET}"
    assert conceal(f"POST https://api.telegram.org/bot{TOKEN}/send key={SECRET}", url) == (
        "POST https://api.telegram.org/bot[REDACTED]/send key=[REDACTED]")


def test_a_program_gets_the_event_as_json_on_stdin(tmp_path) -> None:
    out = tmp_path / "event.json"
    program = [sys.executable, "-c",
               f"import sys, pathlib; pathlib.Path({str(out)!r}).write_text(sys.stdin.read())"]
    assert ProgramChannel(program).send(EVENT).ok
    event = json.loads(out.read_text())
    assert (event["kind"], event["agent"], event["host"], event["issue"]) == (
        "approval", "api", "box", 42)
    assert event["excerpt"] == "Bash: rm -rf build"


def test_a_failing_program_says_how() -> None:
    program = [sys.executable, "-c", "import sys; sys.stderr.write('no route\\n'); sys.exit(3)"]
    delivery = ProgramChannel(program).send(EVENT)
    assert (delivery.ok, delivery.error) == (False, "exit status 3: no route")
    assert "no such program" in ProgramChannel(["/nonexistent/notify"]).send(EVENT).error


# -- the terminal, through a real tmux with passthrough ------------------------------------------


@pytest.fixture
def attached_tmux(tmp_path):
    """A tmux server on its own socket whose client draws on a pseudo-terminal this test reads:
    (pane tty, read-what-the-terminal-got)."""
    if not shutil.which("tmux"):
        pytest.skip("tmux missing")
    socket = str(tmp_path / "tmux.sock")
    base = ["tmux", "-S", socket, "-f", "/dev/null"]
    subprocess.run([*base, "new-session", "-d", "-x", "80", "-y", "20", "sleep", "600"],
                   check=True)
    subprocess.run([*base, "set", "-g", "allow-passthrough", "on"], check=True)
    pid, master = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execvp("tmux", [*base, "attach"])
    received = bytearray()

    def read() -> bytes:
        import select
        while select.select([master], [], [], 0.05)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            received.extend(chunk)
        return bytes(received)
    tty = subprocess.run([*base, "display", "-p", "#{pane_tty}"], capture_output=True,
                         text=True, check=True).stdout.strip()
    wait_until(lambda: b"\x1b[" in read(), timeout=10)  # the client drew its first frame
    try:
        yield tty, read
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True)
        os.close(master)
        os.waitpid(pid, 0)


@pytest.mark.parametrize("style,expected", [
    (OscStyle.OSC9, b"\x1b]9;orchestra: api@box approval: backend #42 waits for your answer "
                    b"Bash: rm -rf build\x07"),
    (OscStyle.OSC777, b"\x1b]777;notify;orchestra: api@box approval;backend #42 waits for "
                      b"your answer Bash: rm -rf build\x07"),
])
def test_the_terminal_outside_tmux_receives_the_notification(attached_tmux, style,
                                                             expected) -> None:
    tty, read = attached_tmux
    channel = TerminalChannel(tty_writer(tty), style, inside_tmux=True)
    assert channel.send(EVENT).ok
    wait_until(lambda: expected in read(), timeout=10)


def test_hostile_text_cannot_end_the_sequence_early(attached_tmux) -> None:
    tty, read = attached_tmux
    hostile = NotifyEvent(kind=NotifyKind.BLOCKED, agent="api", state="blocked",
                          reason="done\x07\x1b\\\x1b]0;owned\x07 echo pwned",
                          key="api:blocked:1")
    assert TerminalChannel(tty_writer(tty), OscStyle.OSC9, inside_tmux=True).send(hostile).ok
    wait_until(lambda: b"\x1b]9;orchestra: api blocked: done \\ ]0;owned echo pwned\x07" in read(),
               timeout=10)
    assert b"\x1b]0;owned" not in read()


def test_a_terminal_that_went_away_is_an_error_of_that_event(tmp_path) -> None:
    delivery = TerminalChannel(tty_writer(str(tmp_path / "gone")), OscStyle.BELL,
                               inside_tmux=False).send(EVENT)
    assert not delivery.ok and "cannot write to the terminal" in delivery.error
