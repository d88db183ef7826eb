"""Config loading: every error names the file, the line and the key; defaults; precedence;
render -> load round trip; the starter config."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from orchestra_tui.config import (
    DEFAULT_ASSIGN_TEMPLATE,
    Config,
    GitHubConfig,
    TmuxConfig,
    UiConfig,
    load_config,
    parse_config,
    render_config,
    render_starter_config,
    write_starter_config,
)
from orchestra_tui.errors import ConfigError
from orchestra_tui.models import AgentSpec
from orchestra_tui.paths import config_path, data_dir, default_config_path

GOOD = """\
[tmux]
socket_name = "work"

[github]
host = "github.example.com"
api_url = "https://github.example.com/api/v3/"
repos = ["acme/infra"]
refresh_seconds = 30

[ui]
theme = "nord"
poll_seconds = 0.5
bell = false

[[agent]]
name = "api"
tool = "codex"
command = "codex --model o4"
cwd = "~/src/api"
repo = "acme/api"
branch = "api/*"
target = "work:1"
policy = "ArgoCD watches k8s/; all changes via git"
forbid = ["kubectl apply", "terraform\\\\s+apply", "--no-verify"]

[[agent]]
name = "web"
"""


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    lines = str(caught.value).splitlines()
    for line in lines:
        assert line.startswith(f"{path}:"), line
    return lines


def one_problem(tmp_path: Path, text: str, line: int, key: str, *words: str) -> str:
    found = problems(tmp_path, text)
    assert len(found) == 1, found
    message = found[0]
    assert re.match(rf"^{re.escape(str(tmp_path / 'config.toml'))}:{line}(:\d+)?: ", message), \
        message
    assert key in message, message
    for word in words:
        assert word in message, message
    return message


# -- loading a good file ---------------------------------------------------------------------


def test_loads_every_table(tmp_path):
    config = load_config(str(write(tmp_path, GOOD)))
    assert config.exists
    assert config.tmux == TmuxConfig(socket_name="work")
    assert config.github == GitHubConfig(api_url="https://github.example.com/api/v3",
                                         host="github.example.com", repos=("acme/infra",),
                                         refresh_seconds=30.0)
    assert config.ui == UiConfig(theme="nord", poll_seconds=0.5, bell=False)
    api, web = config.agents
    assert api == AgentSpec(name="api", tool="codex", command="codex --model o4",
                            cwd=os.path.expanduser("~/src/api"), repo="acme/api",
                            branch="api/*", target="work:1",
                            policy="ArgoCD watches k8s/; all changes via git",
                            forbid=("kubectl apply", r"terraform\s+apply", "--no-verify"))
    assert web == AgentSpec(name="web")
    assert config.agent("web") is web and config.agent("nope") is None


def test_defaults():
    ui, github = UiConfig(), GitHubConfig()
    assert (ui.theme, ui.poll_seconds, ui.stuck_after_seconds, ui.idle_debounce_seconds,
            ui.context_warn_percent, ui.context_critical_percent, ui.bell) == \
        ("textual-dark", 0.25, 60, 1.5, 20, 10, True)
    assert github.refresh_seconds == 60 and github.assign_template == DEFAULT_ASSIGN_TEMPLATE
    assert DEFAULT_ASSIGN_TEMPLATE.format(number=3, url="u", branch="b").startswith(
        "Read issue #3 (u)")


def test_the_checker_takes_defaults_and_bounds_from_the_schema(monkeypatch):
    """One source for each default: empty tables load as the dataclasses' defaults, and a
    schema whose defaults and bounds change is what the checker then applies."""
    from dataclasses import fields as dataclass_fields

    import orchestra_tui.config.checker as checker
    from orchestra_tui.config import minimum_of

    empty = parse_config("[ui]\n[github]\n[tmux]\n", Path("c.toml"))
    assert (empty.ui, empty.github, empty.tmux) == (UiConfig(), GitHubConfig(), TmuxConfig())
    for schema, table in ((UiConfig, "ui"), (GitHubConfig, "github")):
        for item in dataclass_fields(schema):
            if "minimum" not in item.metadata:
                continue
            low = minimum_of(schema, item.name) - 0.01
            with pytest.raises(ConfigError, match=rf"{table}\.{item.name}: .*at least"):
                parse_config(f"[{table}]\n{item.name} = {low}\n", Path("c.toml"))

    @dataclass(frozen=True)
    class OtherUi(UiConfig):
        poll_seconds: float = field(default=0.5, metadata={"minimum": 0.4})

    monkeypatch.setattr(checker, "UiConfig", OtherUi)
    assert parse_config("[ui]\n", Path("c.toml")).ui.poll_seconds == 0.5
    with pytest.raises(ConfigError, match="at least 0.4"):
        parse_config("[ui]\npoll_seconds = 0.3\n", Path("c.toml"))


def test_default_path_without_a_file_is_an_empty_config():
    config = load_config()
    assert config == Config(path=default_config_path(), exists=False)
    assert not config.path.exists()
    assert str(config.path).startswith(os.environ["XDG_CONFIG_HOME"])


def test_an_empty_file_is_an_empty_config(tmp_path):
    config = load_config(str(write(tmp_path, "")))
    assert config.exists and config.agents == () and config.ui == UiConfig()


def test_explicit_path_that_does_not_exist_is_an_error(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=re.escape(f"{missing}: no such config file")):
        load_config(str(missing))


def test_env_path_that_does_not_exist_is_an_error(tmp_path, monkeypatch):
    missing = tmp_path / "env.toml"
    monkeypatch.setenv("ORCHESTRA_CONFIG", str(missing))
    with pytest.raises(ConfigError, match="ORCHESTRA_CONFIG"):
        load_config()


def test_precedence_explicit_then_env_then_default(tmp_path, monkeypatch):
    explicit = write(tmp_path, '[[agent]]\nname = "explicit"\n', "explicit.toml")
    from_env = write(tmp_path, '[[agent]]\nname = "env"\n', "env.toml")
    default = default_config_path()
    default.parent.mkdir(parents=True)
    default.write_text('[[agent]]\nname = "default"\n')
    assert load_config().agents[0].name == "default"
    monkeypatch.setenv("ORCHESTRA_CONFIG", str(from_env))
    assert config_path() == from_env
    assert load_config().agents[0].name == "env"
    assert config_path(str(explicit)) == explicit
    assert load_config(str(explicit)).agents[0].name == "explicit"


def test_paths_are_resolved_when_called(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    assert config_path() == tmp_path / "c" / "orchestra" / "config.toml"
    assert data_dir() == tmp_path / "d" / "orchestra" and data_dir().is_dir()


def test_a_directory_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(str(tmp_path))


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b'[ui]\ntheme = "\xff"\n')
    with pytest.raises(ConfigError, match=re.escape(f"{path}:2: not UTF-8")):
        load_config(str(path))


# -- every error names file, line and key ---------------------------------------------------


def test_syntax_error_names_line_column_and_key(tmp_path):
    message = one_problem(tmp_path, '[[agent]]\nname = "a"\ncommand = codex --yolo\n', 3,
                          '"command"', "syntax")
    assert ":3:11:" in message


def test_syntax_error_at_end_of_document(tmp_path):
    one_problem(tmp_path, '[ui]\nbell = ', 2, '"bell"', "syntax")


def test_duplicate_table_is_a_syntax_error(tmp_path):
    one_problem(tmp_path, '[ui]\nbell = true\n[ui]\n', 3, "ui", "syntax")


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("name", "3", "expected a string, got integer"),
    ("tool", "true", "expected a string, got boolean"),
    ("command", "[1]", "expected a string, got array"),
    ("cwd", "1.5", "expected a string, got float"),
    ("repo", "{a = 1}", "expected a string, got table"),
    ("branch", "2024-01-01", "expected a string, got date"),
    ("target", "7", "expected a string, got integer"),
    ("policy", "false", "expected a string, got boolean"),
    ("forbid", "3", "expected an array of strings, got integer"),
    ("forbid", '"kubectl"', "expected an array of strings, got string"),
])
def test_wrong_type_for_each_agent_key(tmp_path, key, value, expected):
    name_line = "" if key == "name" else 'name = "a"\n'
    text = f'# comment\n[[agent]]\nname = "first"\n\n[[agent]]\n{name_line}{key} = {value}\n'
    line = 6 if key == "name" else 7
    one_problem(tmp_path, text, line, f"agent[2].{key}", expected)


@pytest.mark.parametrize(("table", "key", "value", "expected"), [
    ("tmux", "socket_name", "1", "expected a string, got integer"),
    ("tmux", "socket_path", "[]", "expected a string, got array"),
    ("github", "api_url", "true", "expected a string, got boolean"),
    ("github", "host", "3", "expected a string, got integer"),
    ("github", "repos", '"acme/api"', "expected an array of strings, got string"),
    ("github", "refresh_seconds", '"60"', "expected a number of seconds, got string"),
    ("github", "assign_template", "1", "expected a string, got integer"),
    ("ui", "theme", "1", "expected a string, got integer"),
    ("ui", "poll_seconds", "true", "expected a number of seconds, got boolean"),
    ("ui", "stuck_after_seconds", '"1m"', "expected a number of seconds, got string"),
    ("ui", "idle_debounce_seconds", "[]", "expected a number of seconds, got array"),
    ("ui", "context_warn_percent", "20.5", "expected an integer, got float"),
    ("ui", "context_critical_percent", '"10"', "expected an integer, got string"),
    ("ui", "bell", '"yes"', "expected true or false, got string"),
])
def test_wrong_type_for_each_table_key(tmp_path, table, key, value, expected):
    text = f'[{table}]\n\n{key} = {value}\n'
    one_problem(tmp_path, text, 3, f"{table}.{key}", expected)


@pytest.mark.parametrize(("text", "line", "key", "words"), [
    ('[ui]\npoll_seconds = 0\n', 2, "ui.poll_seconds", ["out of range"]),
    ('[ui]\nstuck_after_seconds = nan\n', 2, "ui.stuck_after_seconds", ["out of range"]),
    ('[ui]\ncontext_warn_percent = 120\n', 2, "ui.context_warn_percent", ["percentage"]),
    ('[ui]\ncontext_warn_percent = 5\ncontext_critical_percent = 9\n', 3,
     "ui.context_critical_percent", ["above"]),
    ('[github]\napi_url = "github.com"\n', 2, "github.api_url", ["URL"]),
    ('[github]\nhost = "https://x.com/"\n', 2, "github.host", ["host name"]),
    ('[github]\nrepos = [\n  "a/b",\n  "nope",\n]\n', 4, "github.repos[2]", ["owner/name"]),
    ('[github]\nassign_template = "fix {issue}"\n', 2, "github.assign_template",
     ["{issue}"]),
    ('[github]\nassign_template = "fix {"\n', 2, "github.assign_template", ["template"]),
    ('[tmux]\nsocket_name = "a"\nsocket_path = "/b"\n', 3, "tmux.socket_path", ["not both"]),
    ('[[agent]]\nname = "a"\ntool = "crush"\n', 3, "agent[1].tool", ["codex", "auto"]),
    ('[[agent]]\nname = "   "\n', 2, "agent[1].name", ["empty"]),
    ('[[agent]]\nname = "a"\nbranch = ""\n', 3, "agent[1].branch", ["empty"]),
    ('ui = 3\n', 1, "ui", ["expected a [ui] table"]),
    ('agent = {name = "a"}\n', 1, "agent", ["array of tables"]),
    ('agent = [1]\n', 1, "agent[1]", ["expected a table"]),
])
def test_bad_values(tmp_path, text, line, key, words):
    one_problem(tmp_path, text, line, key, *words)


def test_bad_repo_format(tmp_path):
    one_problem(tmp_path, '[[agent]]\nname = "a"\nrepo = "https://github.com/acme/api"\n', 3,
                "agent[1].repo", "owner/name")


def test_bad_regex_in_forbid_names_the_element_line(tmp_path):
    text = '[[agent]]\nname = "a"\nforbid = [\n  "kubectl apply",\n  "(unclosed",\n]\n'
    one_problem(tmp_path, text, 5, "agent[1].forbid[2]", "bad regular expression",
                "(unclosed")


def test_wrong_type_inside_forbid(tmp_path):
    one_problem(tmp_path, '[[agent]]\nname = "a"\nforbid = ["x", 3]\n', 3, "agent[1].forbid[2]",
                "expected a string, got integer")


def test_missing_name_points_at_the_header(tmp_path):
    one_problem(tmp_path, '[[agent]]\nname = "a"\n\n[[agent]]\ncommand = "codex"\n', 4,
                "agent[2].name", "missing")


def test_duplicate_agent_name(tmp_path):
    text = '[[agent]]\nname = "api"\n\n[[agent]]\nname = "web"\n\n[[agent]]\nname = "api"\n'
    one_problem(tmp_path, text, 8, "agent[3].name", 'duplicate agent name "api"')


def test_unknown_key_with_suggestion(tmp_path):
    message = one_problem(tmp_path, '[[agent]]\nname = "a"\ncomand = "codex"\n', 3, '"comand"')
    assert message.endswith(': unknown key "comand" in [[agent]] (did you mean "command"?)')


@pytest.mark.parametrize(("text", "line", "expected"), [
    ('agents = []\n', 1, 'unknown key "agents" at top level (did you mean "agent"?)'),
    ('[ui]\nbel = true\n', 2, 'unknown key "bel" in [ui] (did you mean "bell"?)'),
    ('[tmux]\nsocket = "x"\n', 2, 'unknown key "socket" in [tmux]'),
    ('[github]\ntoken = "x"\n', 2, 'unknown key "token" in [github]'),
    ('[ui.colors]\nx = 1\n', 1, 'unknown key "colors" in [ui]'),
    ('[[agent]]\nname = "a"\n[agent.env]\nX = "1"\n', 3, 'unknown key "env" in [[agent]]'),
    ('[[agent]]\nname = "a"\nenv.X = "1"\n', 3, 'unknown key "env" in [[agent]]'),
])
def test_unknown_keys_everywhere(tmp_path, text, line, expected):
    one_problem(tmp_path, text, line, expected.split('"')[1], expected)


def test_every_problem_is_reported_in_line_order(tmp_path):
    text = ('[ui]\npoll_seconds = "fast"\nbel = true\n\n[[agent]]\nname = "api"\n'
            'comand = "codex"\n\n[[agent]]\nname = "api"\nforbid = ["("]\n')
    found = problems(tmp_path, text)
    assert [int(line.split(":")[1]) for line in found] == [2, 3, 7, 11]
    assert "ui.poll_seconds" in found[0] and '"bel"' in found[1]
    assert '"comand"' in found[2] and "agent[2].forbid[1]" in found[3]


def test_inline_tables_and_dotted_keys_are_located(tmp_path):
    text = ('agent = [\n  { name = "a" },\n\n  { name = "b", tool = 3 },\n]\n'
            'ui.bell = "loud"\n')
    found = problems(tmp_path, text)
    assert len(found) == 2
    assert re.search(r":4: agent\[2\]\.tool: expected a string", found[0]), found
    assert re.search(r":6: ui\.bell: expected true or false", found[1]), found


def test_quoted_keys_and_multiline_strings_do_not_confuse_lines(tmp_path):
    text = ('[[agent]]\nname = "a"\npolicy = """\n[[agent]]\nname = 3\n"""\n'
            '"tool" = 5\n')
    one_problem(tmp_path, text, 7, "agent[1].tool", "expected a string, got integer")


def test_problems_attribute_lists_lines(tmp_path):
    path = write(tmp_path, '[ui]\nbell = 1\ntheme = 2\n')
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    assert caught.value.problems == str(caught.value).splitlines()  # type: ignore[attr-defined]


def test_home_is_shown_as_tilde(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / ".config" / "orchestra" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[[agent]]\nname = "a"\nforbid = 3\n')
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    assert str(caught.value) == ("~/.config/orchestra/config.toml:3: agent[1].forbid: "
                                 "expected an array of strings, got integer")


# -- writing ---------------------------------------------------------------------------------


def test_render_then_load_gives_an_equal_config(tmp_path):
    config = load_config(str(write(tmp_path, GOOD)))
    again = parse_config(render_config(config), config.path)
    assert again == config


def test_render_of_specs_and_defaults_writes_only_what_differs():
    text = render_config([AgentSpec(name="api", tool="claude"), AgentSpec(name="web")])
    assert text == '[[agent]]\nname = "api"\ntool = "claude"\n\n[[agent]]\nname = "web"\n'
    assert render_config(Config(path=Path("x"))) == ""


def test_render_multiline_policy_round_trips():
    spec = AgentSpec(name="a", policy='line one\nline "two"\n\ttab \\ end', forbid=(r"\d+",))
    assert parse_config(render_config([spec]), Path("x")).agents == (spec,)


def test_write_starter_config_creates_parents_and_loads_back(tmp_path):
    specs = [AgentSpec(name="api", tool="codex", command="codex", cwd="/src/api",
                       target="work:1.0")]
    path = write_starter_config(specs, tmp_path / "deep" / "er" / "config.toml",
                                tmux=TmuxConfig(socket_name="work"))
    text = path.read_text()
    assert text.startswith("# orchestra config")
    config = load_config(str(path))
    assert config.agents == tuple(specs)
    assert config.tmux == TmuxConfig(socket_name="work")
    assert not list(path.parent.glob(".*.tmp"))


def test_write_starter_config_refuses_to_overwrite(tmp_path):
    path = write(tmp_path, "# mine\n")
    with pytest.raises(ConfigError, match="--force"):
        write_starter_config([AgentSpec(name="a")], path)
    assert path.read_text() == "# mine\n"
    write_starter_config([AgentSpec(name="a")], path, force=True)
    assert load_config(str(path)).agents == (AgentSpec(name="a"),)


def test_starter_config_that_would_not_load_is_refused():
    with pytest.raises(ConfigError, match="owner/name"):
        render_starter_config([AgentSpec(name="a", repo="not a repo")])
    with pytest.raises(ConfigError, match="duplicate"):
        render_starter_config([AgentSpec(name="a"), AgentSpec(name="a")])


def test_config_layer_does_not_import_textual():
    import subprocess
    import sys

    code = ("import sys, orchestra_tui.config, orchestra_tui.services.store.queues, "
            "orchestra_tui.services.store.journal; print('textual' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.strip() == "False"


def test_render_keeps_carriage_returns():
    """TOML folds CRLF inside a multi-line string to LF; such values are written escaped."""
    spec = AgentSpec(name="a", policy="windows\r\nline", command="one\ntwo")
    assert parse_config(render_config([spec]), Path("x")).agents == (spec,)
