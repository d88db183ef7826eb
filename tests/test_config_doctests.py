"""The examples in the docstrings of the config, store, journal and log modules still run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["orchestra_tui.paths", "orchestra_tui.config_locate", "orchestra_tui.config.schema",
           "orchestra_tui.services.store.queues", "orchestra_tui.services.store.journal",
           "orchestra_tui.commands.log", "orchestra_tui.config.tools", "orchestra_tui.agents.names"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
