"""`orchestra init`: naming, refusing to overwrite, --print, no agents, and end to end against a
real tmux server with simulated agents in its panes."""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import sys
from dataclasses import dataclass

import pytest

from orchestra_tui.cli import parse_args
from orchestra_tui.commands import init
from orchestra_tui.config import TmuxConfig, load_config
from orchestra_tui.errors import ConfigError, TmuxUnavailable
from orchestra_tui.models import AgentSpec, PaneInfo
from orchestra_tui.paths import default_config_path
from orchestra_tui.services.tmux.service import TmuxService
from tests.tmux_fixtures import start_fake_agent


@dataclass(frozen=True)
class DiscoveredPane:
    """What `services.discovery.discover_agent_panes` returns for each pane."""

    pane: PaneInfo
    argv: str
    tool: str | None


def pane(session: str, window: int = 0, index: int = 0, *, path: str = "/src",
         dead: bool = False) -> PaneInfo:
    return PaneInfo(pane_id=f"%{window}{index}", pid=1, session_name=session,
                    window_index=window, pane_index=index, current_command="node",
                    current_path=path, title="", dead=dead, activity=0, width=80, height=24)


def found(session: str, window: int = 0, index: int = 0, tool: str | None = "codex",
          argv: str = "codex --yolo", **options) -> DiscoveredPane:
    return DiscoveredPane(pane=pane(session, window, index, **options), argv=argv, tool=tool)


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line as `orchestra` parses it."""
    return parse_args(argv)


@pytest.fixture
def discovered(monkeypatch) -> list[DiscoveredPane]:
    panes: list[DiscoveredPane] = []

    async def fake(args):
        return panes

    monkeypatch.setattr(init, "_discover", fake)
    return panes


def test_names_follow_sessions_windows_and_panes():
    specs = init.specs_from_panes([
        found("solo", tool="claude", argv="claude", path="/a"),
        found("multi", 1), found("multi", 2, 0), found("multi", 2, 1),
        found("x", tool="shell"), found("y", tool=None), found("z", dead=True),
    ])
    assert [spec.name for spec in specs] == ["multi-1", "multi-2.0", "multi-2.1", "solo"]
    assert specs[-1] == AgentSpec(name="solo", tool="claude", command="claude", cwd="/a",
                                  target="solo:0.0")
    assert specs[0].target == "multi:1.0" and specs[0].tool == "codex"


def test_names_that_clash_get_a_suffix():
    specs = init.specs_from_panes([found("a-1"), found("a", 1), found("a", 2, tool="weird")])
    assert sorted(spec.name for spec in specs) == ["a-1", "a-1-2", "a-2"]
    assert next(spec for spec in specs if spec.name == "a-2").tool == "auto"


def test_writes_a_starter_config_that_loads(discovered, tmp_path, capsys):
    discovered += [found("api", argv="codex --model o4", path="/src/api"),
                   found("web", tool="claude", argv="claude", path="/src/web")]
    target = tmp_path / "new" / "config.toml"
    assert init.run(parse(["--config", str(target), "-L", "work", "init"])) == 0
    assert f"wrote {target} with 2 agent(s): api, web" in capsys.readouterr().out
    config = load_config(str(target))
    assert config.agents == (
        AgentSpec(name="api", tool="codex", command="codex --model o4", cwd="/src/api",
                  target="api:0.0"),
        AgentSpec(name="web", tool="claude", command="claude", cwd="/src/web",
                  target="web:0.0"))
    assert config.tmux == TmuxConfig(socket_name="work")
    assert target.read_text().startswith("# orchestra config")


def test_default_path_is_the_user_config_dir(discovered):
    discovered.append(found("api"))
    assert init.run(parse(["init"])) == 0
    assert load_config().exists and load_config().path == default_config_path()


def test_never_overwrites_without_force(discovered, tmp_path, monkeypatch):
    target = tmp_path / "config.toml"
    target.write_text("# mine\n")
    discovered.append(found("api"))

    async def must_not_run(*args):
        raise AssertionError("discovery ran although the file exists")

    monkeypatch.setattr(init, "_discover", must_not_run)
    with pytest.raises(ConfigError, match=f"{target}: already exists; pass --force"):
        init.run(parse(["--config", str(target), "init"]))
    assert target.read_text() == "# mine\n"


def test_force_overwrites(discovered, tmp_path):
    target = tmp_path / "config.toml"
    target.write_text("# mine\n")
    discovered.append(found("api"))
    assert init.run(parse(["--config", str(target), "init", "--force"])) == 0
    assert [spec.name for spec in load_config(str(target)).agents] == ["api"]


def test_print_writes_nothing(discovered, tmp_path, capsys):
    target = tmp_path / "config.toml"
    target.write_text("# mine\n")
    discovered.append(found("api"))
    assert init.run(parse(["--config", str(target), "init", "--print"])) == 0
    out = capsys.readouterr().out
    assert out.startswith("# orchestra config") and 'name = "api"' in out
    assert target.read_text() == "# mine\n"


def test_no_agents_suggests_the_demo_and_writes_nothing(discovered, tmp_path, capsys):
    discovered.append(found("shell-only", tool="shell"))
    target = tmp_path / "config.toml"
    assert init.run(parse(["--config", str(target), "-S", "/tmp/s", "init"])) == 1
    err = capsys.readouterr().err
    assert "no AI coding agents found on tmux -S /tmp/s (1 pane(s) run a shell" in err
    assert "orchestra demo" in err
    assert not target.exists()


def test_print_with_no_agents_prints_the_commented_template(discovered, tmp_path, capsys):
    discovered.append(found("shell-only", tool="shell"))
    target = tmp_path / "config.toml"
    assert init.run(parse(["init", "--print", "--config", str(target), "-L", "work"])) == 0
    out = capsys.readouterr().out
    assert out.startswith("# orchestra config") and "# [[agent]]" in out
    assert '[tmux]\nsocket_name = "work"' in out
    target.write_text(out)
    assert load_config(str(target)).tmux == TmuxConfig(socket_name="work")
    assert load_config(str(target)).agents == ()


def test_no_tmux_server_suggests_the_demo(monkeypatch, tmp_path, capsys):
    async def unavailable(*args):
        raise TmuxUnavailable("no tmux server running on socket 'nope'")

    monkeypatch.setattr(init, "_discover", unavailable)
    target = tmp_path / "config.toml"
    assert init.run(parse(["--config", str(target), "-L", "nope", "init"])) == 1
    err = capsys.readouterr().err
    assert "no tmux server running on socket 'nope'" in err and "orchestra demo" in err
    assert not target.exists()


def test_no_server_end_to_end(tmp_path, capsys):
    target = tmp_path / "config.toml"
    code = init.run(parse(["--config", str(target), "-L", f"orch-none-{tmp_path.name}",
                           "init"]))
    assert code == 1 and "orchestra demo" in capsys.readouterr().err
    assert not target.exists()


async def test_end_to_end_on_real_tmux(tmux: TmuxService, tmp_path: pathlib.Path):
    pytest.importorskip("orchestra_tui.services.tmux.discovery")
    await start_fake_agent(tmux, "codex", tmp_path / "api.log", session="api")
    await start_fake_agent(tmux, "claude", tmp_path / "web.log", session="web")
    await start_fake_agent(tmux, "claude", tmp_path / "web2.log", session="web")
    await tmux.start("cat", session="notes", cwd=str(tmp_path))
    target = tmp_path / "config.toml"
    args = parse(["--config", str(target), "-L", tmux.runner.socket_name, "init"])

    assert await asyncio.to_thread(init.run, args) == 0

    config = load_config(str(target))
    assert config.tmux == TmuxConfig(socket_name=tmux.runner.socket_name)
    by_name = {spec.name: spec for spec in config.agents}
    assert sorted(by_name) == ["api", "web-0", "web-1"]
    api = by_name["api"]
    assert api.tool == "codex" and api.target == "api:0.0"
    assert "orchestra_tui.demo.fake_agent" in api.command and "--flavor codex" in api.command
    assert api.cwd == str(pathlib.Path(init.__file__).resolve().parents[2])
    assert by_name["web-1"].tool == "claude" and by_name["web-1"].target == "web:1.0"
    assert sys.executable.split("/")[-1] in api.command

    with pytest.raises(ConfigError, match="--force"):
        await asyncio.to_thread(init.run, args)
