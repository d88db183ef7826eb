"""The README's `[notify]` example, channel by channel, is one orchestra and apprise accept:
each `urls` entry parses to an apprise plugin (no network), and the whole table builds every
channel group it shows. A README example a user copies must not be a form apprise refuses."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import apprise
import pytest

from orchestra_tui.away_build import build_channels
from orchestra_tui.config import parse_config
from orchestra_tui.services.notify.push import PushChannel

README = Path(__file__).resolve().parent.parent / "README.md"


def _notify_example() -> str:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)
    found = [block for block in blocks if block.lstrip().startswith("[notify]")]
    assert len(found) == 1, "one [notify] example in the README"
    return found[0]


def _urls() -> list[str]:
    return tomllib.loads(_notify_example())["notify"]["urls"]


def test_the_example_names_each_service_the_readme_promises():
    schemes = {url.split("://", 1)[0] for url in _urls()}
    assert {"ntfy", "ntfys", "pover", "tgram", "slack", "discord", "matrixs", "mailtos",
            "json"} <= schemes


@pytest.mark.parametrize("url", _urls())
def test_each_example_url_is_one_apprise_reads(url):
    plugin = apprise.Apprise.instantiate(url)
    assert plugin is not None, url
    assert PushChannel(url, 1).name.endswith("#1")


def test_the_whole_example_table_builds_its_channels(tmp_path):
    config = parse_config(_notify_example(), tmp_path / "config.toml")
    channels, groups = build_channels(config, write=lambda _data: None)
    assert len(groups["push"]) == len(_urls())
    assert groups["terminal"] and groups["desktop"] and groups["command"]
    assert len(channels) == len(_urls()) + 3
