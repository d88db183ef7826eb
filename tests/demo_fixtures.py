"""What the demo tests share: the demo run by a person in a terminal (a tmux pane), its world
found from the owner file every world writes, and the checks that nothing of it is left.

Every demo a test starts keeps its world in the test's own temp dir (`TMPDIR`), so a failing
test removes what it started and never touches another demo on the machine."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import tomllib
from dataclasses import dataclass

import pytest

from orchestra_tui.demo.world import tmux_socket_dir
from orchestra_tui.services.tmux.service import TmuxService
from tests.tmux_fixtures import REPO


@dataclass(frozen=True)
class World:
    directory: pathlib.Path
    socket_name: str
    api_url: str


def demo_env(tmp_path: pathlib.Path) -> dict[str, str]:
    """A person's environment, with the test's own data, config and temp dirs."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return {"PYTHONPATH": str(REPO), "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"), "TERM": "xterm-256color",
            "PS1": "$ ", "TMPDIR": str(tmp_path / "tmp")}


def worlds_in(tmp_path: pathlib.Path) -> list[tuple[World, dict]]:
    """The worlds in the test's temp dir, each with its owner record."""
    found = []
    for directory in (tmp_path / "tmp").glob("orchestra-demo-*"):
        try:
            record = json.loads((directory / "owner").read_text())
            config = tomllib.loads((directory / "config.toml").read_text())
        except (OSError, ValueError):
            continue
        found.append((World(directory, record["socket_name"], config["github"]["api_url"]),
                      record))
    return found


def world_of(pid: int, tmp_path: pathlib.Path) -> World:
    """The world owned by the demo process `pid`."""
    for world, record in worlds_in(tmp_path):
        if str(record.get("owner", "")).split(":")[0] == str(pid):
            return world
    raise AssertionError(f"no demo world owned by {pid}")


@pytest.fixture(autouse=True)
async def _no_world_outlives_the_test(tmp_path):
    yield
    for world, _record in worlds_in(tmp_path):
        await TmuxService.from_options(socket_name=world.socket_name).kill_server()
        shutil.rmtree(world.directory, ignore_errors=True)


def port_open(url: str) -> bool:
    host, port = re.match(r"http://([\d.]+):(\d+)", url).groups()
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, int(port))) == 0


def agent_processes(directory: pathlib.Path) -> list[str]:
    """Processes whose command line names the world's directory: its agents log there."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(directory) in cmdline:
            found.append(cmdline)
    return found


def world_left(world: World) -> list[str]:
    """What of the world still exists: empty once it is all gone."""
    left = []
    if subprocess.run(["tmux", "-L", world.socket_name, "has-session"],
                      capture_output=True).returncode == 0:
        left.append("its tmux server")
    if (tmux_socket_dir() / world.socket_name).exists():
        left.append("its tmux socket file")
    if port_open(world.api_url):
        left.append("the GitHub stand-in's port")
    if world.directory.exists():
        left.append("its directory")
    return left + agent_processes(world.directory)
