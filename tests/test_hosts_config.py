"""`[[host]]` in the config (and `agent.host`), and `orchestra init --host` finding the agents on a
host through a real sshd on loopback."""

from __future__ import annotations

import pathlib
import sys
from types import SimpleNamespace

import pytest

from orchestra_tui.commands import init
from orchestra_tui.config import load_config, parse_config, render_config
from orchestra_tui.config.schema import HostConfig
from orchestra_tui.errors import ConfigError
from orchestra_tui.services.tmux.service import TmuxService
from tests.ssh_fixtures import ALIAS, SshHost, needs_sshd, remote_socket
from tests.tmux_fixtures import start_fake_agent

HOSTS = """\
[[host]]
name = "gpu"
ssh = "ssh://me@gpu-box:2222"
ssh_options = ["-i", "~/.ssh/gpu"]
socket_name = "agents"

[[host]]
name = "vm-1"
ssh = "build"
tmux = "/opt/homebrew/bin/tmux"

[[agent]]
name = "train"
host = "gpu"
target = "train"
"""


def test_hosts_load_render_and_load_back():
    config = parse_config(HOSTS, pathlib.Path("c.toml"))
    assert config.hosts == (
        HostConfig(name="gpu", ssh="ssh://me@gpu-box:2222", ssh_options=("-i", "~/.ssh/gpu"),
                   socket_name="agents"),
        HostConfig(name="vm-1", ssh="build", tmux="/opt/homebrew/bin/tmux"))
    assert config.host("vm-1").connect_timeout == 5.0
    assert config.agent("train").host == "gpu"
    again = parse_config(render_config(config), pathlib.Path("c.toml"))
    assert again.hosts == config.hosts and again.agents == config.agents


def test_a_lane_on_a_host_keeps_its_path_for_there_and_gives_its_agents_the_host():
    config = parse_config(HOSTS + '[[lane]]\nname = "shop"\nhost = "gpu"\npath = "~/src/shop"\n'
                          'branch = "codex/*"\n[[agent]]\nname = "w1"\nlane = "shop"\n'
                          '[[agent]]\nname = "w3"\nlane = "shop"\nhost = "vm-1"\n',
                          pathlib.Path("c.toml"))
    lane = config.lane("shop")
    assert (lane.host, lane.path) == ("gpu", "~/src/shop")  # `~` is the home on the host
    assert (config.agent("w1").host, config.agent("w1").cwd) == ("gpu", "~/src/shop")
    assert config.agent("w3").host == "vm-1"
    again = parse_config(render_config(config), pathlib.Path("c.toml"))
    assert again.lanes == config.lanes and again.agents == config.agents


@pytest.mark.parametrize(("toml", "problem"), [
    ('[[host]]\nname = "gpu"\n', ':1: host[1].ssh: missing'),
    ('[[host]]\nname = "a:b"\nssh = "x"\n', ':2: host[1].name: "a:b" is not a host name'),
    ('[[host]]\nname = "gpu"\nssh = "-oProxyCommand=evil"\n',
     ':3: host[1].ssh: "-oProxyCommand=evil" is not an ssh destination'),
    ('[[host]]\nname = "gpu"\nssh = "x"\nsocket_name = "a"\nsocket_path = "/b"\n',
     ':5: host[1].socket_path: set socket_name or socket_path, not both'),
    ('[[host]]\nname = "gpu"\nssh = "x"\nconnect_timeout = 0\n',
     ':4: host[1].connect_timeout: 0 is out of range'),
    ('[[host]]\nname = "gpu"\nssh = "x"\ntmux = 3\n', ':4: host[1].tmux: expected a string'),
    ('[[host]]\nname = "gpu"\nssh = "x"\nsh_options = []\n',
     ':4: unknown key "sh_options" in [[host]] (did you mean "ssh_options"?)'),
    ('host = "gpu"\n', ':1: host: expected [[host]] tables (an array of tables), got string'),
    ('[[host]]\nname = "gpu"\nssh = "x"\n[[host]]\nname = "gpu"\nssh = "y"\n',
     ':5: host[2].name: duplicate host name "gpu"'),
    ('[[agent]]\nname = "api"\nhost = "gpu"\n',
     ':3: agent[1].host: no [[host]] named "gpu" (hosts: none in this file)'),
    ('[[host]]\nname = "gpu"\nssh = "x"\n[[lane]]\nname = "shop"\nhost = "cpu"\n',
     ':6: lane[1].host: no [[host]] named "cpu" (hosts: gpu)'),
    ('[[lane]]\nname = "shop"\nhost = 3\n', ':3: lane[1].host: expected a string, got integer'),
])
def test_a_wrong_host_is_one_line_naming_file_line_and_key(toml: str, problem: str):
    with pytest.raises(ConfigError) as caught:
        parse_config(toml, pathlib.Path("c.toml"))
    lines = str(caught.value).splitlines()
    assert len(lines) == 1 and lines[0].startswith("c.toml" + problem), lines


@needs_sshd
@pytest.mark.slow
async def test_init_host_adds_the_agents_found_on_the_host(
        tmux: TmuxService, remote_tmux: TmuxService, ssh_host: SshHost, tmp_path: pathlib.Path,
        capsys: pytest.CaptureFixture):
    await start_fake_agent(remote_tmux, "codex", tmp_path / "a.jsonl", session="train")
    await remote_tmux.start("exec cat", session="notes", cwd=str(tmp_path))
    config = tmp_path / "config.toml"
    config.write_text(f'[[host]]\nname = "gpu"\nssh = "{ALIAS}"\n'
                      f'ssh_options = ["-F", "{ssh_host.client_config}"]\n'
                      f'socket_path = "{remote_socket(remote_tmux)}"\n\n'
                      '[[agent]]\nname = "train"\ntarget = "%99"\n')
    args = SimpleNamespace(config=str(config), host="gpu", print_only=False, force=False,
                           socket_name=tmux.runner.socket_name, socket_path=None)

    assert await _in_thread(init.run, args) == 0
    added = load_config(config).agent("gpu-train")
    assert added is not None and added.host == "gpu" and added.tool == "codex"
    assert added.target == "train:0.0" and sys.executable in added.command
    assert "added 1 agent(s) on host gpu" in capsys.readouterr().out

    assert await _in_thread(init.run, args) == 1  # nothing new there: nothing added twice
    assert len(load_config(config).agents) == 2
    args.host = "cpu"
    with pytest.raises(ConfigError, match=r"no \[\[host\]\] named 'cpu' \(hosts: gpu\)"):
        await _in_thread(init.run, args)


async def _in_thread(function, *args):
    # The command runs its own event loop (asyncio.run), as from the command line.
    import asyncio

    return await asyncio.to_thread(function, *args)


def test_the_report_names_the_host_of_an_agent_elsewhere():
    from orchestra_tui.core.report import report_to_markdown, session_report

    entries = [{"at": 1.0, "event": "prompt_sent", "agent": "api", "host": "gpu", "text": "go"},
               {"at": 2.0, "event": "prompt_sent", "agent": "web", "text": "go"}]
    report = session_report(entries, now=3.0)
    assert (report["api"].label, report["web"].label) == ("gpu:api", "web")
    assert report["api"].to_dict()["host"] == "gpu" and report["web"].to_dict()["host"] is None
    assert "| gpu:api | 1 |" in report_to_markdown(report)
