"""Config keys are case-sensitive, as TOML's are (issue 20, item 5).

`[[Lane]]` is not `[[lane]]` and `Repo =` is not `repo =`: a config that spelled them so and
loaded would run without the lane, the repository or the enforcement the person wrote. Each is
an error naming the file, the line and the key, with the spelling orchestra knows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orchestra_tui.config import load_config
from orchestra_tui.errors import ConfigError

LANE = '[[lane]]\nname = "ops"\npath = "/src/ops"\n'


@pytest.mark.parametrize(("text", "line", "expected"), [
    ('[[Lane]]\nname = "ops"\npath = "/src/ops"\n', 1,
     'unknown key "Lane" at top level (did you mean "lane"?)'),
    ('[Lane]\nname = "ops"\n', 1, 'unknown key "Lane" at top level (did you mean "lane"?)'),
    ('[[AGENT]]\nname = "api"\n', 1, 'unknown key "AGENT" at top level'),
    ('[UI]\ntheme = "nord"\n', 1, 'unknown key "UI" at top level'),
    (LANE + 'Repo = "acme/ops"\n', 4, 'unknown key "Repo" in [[lane]] (did you mean "repo"?)'),
    (LANE + 'Enforce = true\n', 4,
     'unknown key "Enforce" in [[lane]] (did you mean "enforce"?)'),
    ('[[agent]]\nname = "api"\nTarget = "%3"\n', 3,
     'unknown key "Target" in [[agent]] (did you mean "target"?)'),
    ('[tmux]\nSocket_Name = "work"\n', 2,
     'unknown key "Socket_Name" in [tmux] (did you mean "socket_name"?)'),
    ('[ui]\nPoll_Seconds = 0.5\n', 2,
     'unknown key "Poll_Seconds" in [ui] (did you mean "poll_seconds"?)'),
])
def test_a_key_in_another_case_is_an_error_naming_file_line_and_key(tmp_path: Path, text: str,
                                                                    line: int, expected: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    found = str(caught.value).splitlines()
    assert [problem for problem in found if expected in problem], found
    [problem] = [problem for problem in found if expected in problem]
    assert re.match(rf"^{re.escape(str(path))}:{line}(:\d+)?: ", problem), problem
    assert problem.endswith(expected), problem


def test_the_same_keys_in_their_own_case_load(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(LANE + 'repo = "acme/ops"\nenforce = true\n\n[tmux]\nsocket_name = "work"\n',
                    encoding="utf-8")
    config = load_config(str(path))
    [lane] = config.lanes
    assert (lane.name, lane.repo, lane.enforce) == ("ops", "acme/ops", True)
    assert config.tmux.socket_name == "work"
