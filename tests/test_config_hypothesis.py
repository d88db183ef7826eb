"""Property tests: loading never raises anything but ConfigError, every error line names
file:line, and render -> load is the identity."""

from __future__ import annotations

import re
import string
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestra_tui.config import (
    TOOL_CHOICES,
    Config,
    GitHubConfig,
    TmuxConfig,
    UiConfig,
    parse_config,
    render_config,
)
from orchestra_tui.config_locate import locate
from orchestra_tui.errors import ConfigError
from orchestra_tui.models import AgentSpec

PATH = Path("/cfg/config.toml")
ERROR_LINE = re.compile(r"^/cfg/config\.toml:\d+(:\d+)?: \S")

KEYS = ["agent", "tmux", "github", "ui", "name", "tool", "command", "cwd", "repo", "branch",
        "target", "policy", "forbid", "socket_name", "socket_path", "api_url", "host", "repos",
        "refresh_seconds", "assign_template", "theme", "poll_seconds", "stuck_after_seconds",
        "idle_debounce_seconds", "context_warn_percent", "context_critical_percent", "bell",
        "comand", "x", '"quoted key"', "a.b"]
VALUES = ['"codex"', '"a/b"', '"("', "3", "-1", "0.5", "nan", "inf", "true", "[]", '["x", 3]',
          '["(", "ok"]', "{}", '{ name = "a" }', '"""multi\nline"""', "'lit'", "1979-05-27",
          '"{number} {nope}"', '"{"', '"~/x"', '""', "[[1], [2]]", '[{name = "z"}]']
LINES = st.one_of(
    st.builds(lambda k, v: f"{k} = {v}", st.sampled_from(KEYS), st.sampled_from(VALUES)),
    st.sampled_from(["[[agent]]", "[tmux]", "[github]", "[ui]", "[agent]", "[ui.x]",
                     "[[agent.sub]]", "# comment", "", "[[ui]]", "[agent.x]"]),
    st.text(alphabet=string.printable + "é☃\x00\x7f", max_size=30),
)
TOML_ISH = st.lists(LINES, max_size=25).map("\n".join)

SCALARS = st.one_of(st.text(max_size=12), st.integers(), st.floats(allow_nan=True),
                    st.booleans(), st.dates())
VALUE_TREES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(KEYS[:-2]), inner, max_size=3)), max_leaves=8)
DOCUMENTS = st.dictionaries(
    st.sampled_from(["agent", "tmux", "github", "ui", "agnet"]),
    st.one_of(st.lists(st.dictionaries(st.sampled_from(KEYS[4:-2]), VALUE_TREES, max_size=5),
                       max_size=3),
              st.dictionaries(st.sampled_from(KEYS[13:-2]), VALUE_TREES, max_size=5),
              VALUE_TREES),
    max_size=4)


def check_only_config_errors(text: str) -> None:
    try:
        parse_config(text, PATH)
    except ConfigError as error:
        lines = str(error).splitlines()
        assert lines
        for line in lines:
            assert ERROR_LINE.match(line), line


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TOML_ISH)
def test_toml_ish_text_raises_only_config_error(text):
    check_only_config_errors(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_raises_only_config_error(text):
    check_only_config_errors(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_valid_toml_of_any_shape_raises_only_config_error(document):
    try:
        text = tomli_w.dumps(document)
    except (TypeError, ValueError):
        return  # not representable as TOML (e.g. a NaN where tomli_w refuses)
    check_only_config_errors(text)


@settings(max_examples=200, deadline=None)
@given(DOCUMENTS)
def test_locate_finds_every_top_level_key_tomli_w_writes(document):
    try:
        text = tomli_w.dumps(document)
    except (TypeError, ValueError):
        return
    lines = locate(text)
    for key in document:
        if document[key] != [] or f"{key} =" in text:
            assert (key,) in lines, (key, text)


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
NAMES = st.text(string.ascii_letters + string.digits + "-_. :", min_size=1, max_size=12).filter(
    lambda name: name.strip() != "")
REPO = st.from_regex(r"\A[A-Za-z0-9_.-]{1,8}/[A-Za-z0-9_.-]{1,8}\Z")
SPECS = st.builds(
    AgentSpec, name=NAMES, tool=st.sampled_from(TOOL_CHOICES), command=TEXT,
    cwd=TEXT.filter(lambda cwd: not cwd.startswith("~")), repo=st.one_of(st.just(""), REPO),
    branch=TEXT.filter(lambda branch: branch.strip() != ""), target=TEXT, policy=TEXT,
    forbid=st.lists(TEXT.map(re.escape), max_size=3).map(tuple))
CONFIGS = st.builds(
    Config, path=st.just(PATH), exists=st.just(True),
    agents=st.lists(SPECS, max_size=4, unique_by=lambda spec: spec.name).map(tuple),
    tmux=st.one_of(st.builds(TmuxConfig, socket_name=st.one_of(st.none(), NAMES)),
                   st.builds(TmuxConfig, socket_path=st.one_of(st.none(), st.just("/s/p")))),
    github=st.builds(GitHubConfig, api_url=st.one_of(st.none(), st.just("http://127.0.0.1:9")),
                     host=st.one_of(st.none(), st.just("ghe.example.com")),
                     repos=st.lists(REPO, max_size=3).map(tuple),
                     refresh_seconds=st.floats(1, 1e6),
                     assign_template=st.sampled_from(["#{number}", "{title} on {branch}",
                                                      "{{literal}} {repo} {url}"])),
    ui=st.builds(UiConfig, theme=NAMES, poll_seconds=st.floats(0.05, 100),
                 stuck_after_seconds=st.floats(1, 1e4), idle_debounce_seconds=st.floats(0, 10),
                 context_warn_percent=st.integers(50, 100),
                 context_critical_percent=st.integers(0, 50), bell=st.booleans()),
)


@settings(max_examples=300, deadline=None)
@given(CONFIGS)
def test_render_then_load_is_the_identity(config):
    assert parse_config(render_config(config), PATH) == config
