"""`[[lane]]` templates, `agent.lane` and `[paths]`: what an agent takes from its lane, and every
error naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestra_tui.config import parse_config, render_config
from orchestra_tui.errors import ConfigError
from orchestra_tui.models import AgentSpec, LaneSpec

LANES = """\
[paths]
worktrees = "~/agents"

[[lane]]
name = "shop"
repo = "acme/shop"
path = "~/src/shop"
branch = "codex/*"
tool = "codex"
command = "codex --model o3"
policy = "all changes via PRs"
forbid = ["kubectl apply"]
enforce = true

[[lane]]
name = "docs"
path = "/srv/docs"

[[agent]]
name = "w1"
lane = "shop"

[[agent]]
name = "w2"
lane = "shop"
tool = "claude"
branch = "claude/*"
cwd = "/elsewhere"
forbid = []
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("/cfg/config.toml"))
    return str(caught.value).splitlines()


def test_lanes_and_what_an_agent_takes_from_its_lane():
    config = parse_config(LANES, Path("/cfg/config.toml"))
    home = str(Path.home())
    assert config.paths.worktrees == f"{home}/agents"
    shop = config.lane("shop")
    assert shop == LaneSpec(name="shop", repo="acme/shop", path=f"{home}/src/shop",
                            branch="codex/*", tool="codex", command="codex --model o3",
                            policy="all changes via PRs", forbid=("kubectl apply",),
                            enforce=True)
    assert config.lane("docs") == LaneSpec(name="docs", path="/srv/docs")
    assert config.lane("nope") is None
    # An agent naming a lane takes every key it does not set, and its clone as its cwd.
    assert config.agent("w1") == AgentSpec(
        name="w1", tool="codex", command="codex --model o3", cwd=f"{home}/src/shop",
        repo="acme/shop", branch="codex/*", policy="all changes via PRs",
        forbid=("kubectl apply",), enforce=True, lane="shop")
    # What it sets itself wins, an empty list included.
    w2 = config.agent("w2")
    assert (w2.tool, w2.branch, w2.cwd, w2.forbid, w2.command, w2.lane) == (
        "claude", "claude/*", "/elsewhere", (), "codex --model o3", "shop")


def test_render_then_load_gives_the_same_config():
    config = parse_config(LANES, Path("/cfg/config.toml"))
    again = parse_config(render_config(config), Path("/cfg/config.toml"))
    assert again.lanes == config.lanes
    assert again.agents == config.agents
    assert again.paths == config.paths


def test_no_lanes_and_no_paths_are_the_defaults():
    config = parse_config('[[agent]]\nname = "api"\n', Path("/cfg/config.toml"))
    assert config.lanes == () and config.paths.worktrees == ""
    assert config.agent("api").lane == ""


@pytest.mark.parametrize(("text", "expected"), [
    ('[[agent]]\nname = "w1"\nlane = "shop"\n',
     '/cfg/config.toml:3: agent[1].lane: no [[lane]] named "shop" (lanes: none in this file)'),
    ('[[lane]]\nname = "docs"\n\n[[agent]]\nname = "w1"\nlane = "shpo"\n',
     '/cfg/config.toml:6: agent[1].lane: no [[lane]] named "shpo" (lanes: docs)'),
    ('[[lane]]\nname = "shop"\nbranch = "codex"\n',
     '/cfg/config.toml:3: lane[1].branch: "codex" has no * where each agent\'s part of the '
     'branch name goes (e.g. "codex/*")'),
    ('[[lane]]\nrepo = "acme/shop"\n',
     "/cfg/config.toml:1: lane[1].name: missing (every [[lane]] needs a name)"),
    ('[[lane]]\nname = "my lane"\n',
     '/cfg/config.toml:2: lane[1].name: "my lane" is not a lane name: use letters, digits, - '
     "and _ (it names a folder)"),
    ('[[lane]]\nname = "a"\n\n[[lane]]\nname = "a"\n',
     '/cfg/config.toml:5: lane[2].name: duplicate lane name "a" (also lane[1])'),
    ('[[lane]]\nname = "a"\ncomand = "codex"\n',
     '/cfg/config.toml:3: unknown key "comand" in [[lane]] (did you mean "command"?)'),
    ('[[lane]]\nname = "a"\ntool = "cursor"\n',
     '/cfg/config.toml:3: lane[1].tool: "cursor" is not one of'),
    ('[[lane]]\nname = "a"\nrepo = "shop"\n',
     '/cfg/config.toml:3: lane[1].repo: "shop" is not in owner/name form'),
    ('[[lane]]\nname = "a"\nforbid = ["(unclosed"]\n',
     "/cfg/config.toml:3: lane[1].forbid[1]: bad regular expression '(unclosed'"),
    ('[[lane]]\nname = "a"\npath = 3\n',
     "/cfg/config.toml:3: lane[1].path: expected a string, got integer"),
    ('[[lane]]\nname = "a"\nenforce = "yes"\n',
     "/cfg/config.toml:3: lane[1].enforce: expected true or false, got string"),
    ('lane = "shop"\n',
     "/cfg/config.toml:1: lane: expected [[lane]] tables (an array of tables), got string"),
    ('[paths]\nworktree = "/x"\n',
     '/cfg/config.toml:2: unknown key "worktree" in [paths] (did you mean "worktrees"?)'),
    ('[paths]\nworktrees = 1\n',
     "/cfg/config.toml:2: paths.worktrees: expected a string, got integer"),
])
def test_each_bad_lane_is_one_line_naming_file_line_and_key(text, expected):
    found = problems(text)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]


def test_a_broken_lane_is_reported_once_not_again_by_its_agents():
    found = problems('[[lane]]\nname = "shop"\nbranch = "x"\n\n[[agent]]\nname = "w1"\n'
                     'lane = "shop"\n')
    assert found == ['/cfg/config.toml:3: lane[1].branch: "x" has no * where each agent\'s '
                     'part of the branch name goes (e.g. "codex/*")']
