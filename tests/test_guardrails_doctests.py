"""The examples in the docstrings of the guardrails, loops, handoff and report modules run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["orchestra_tui.core.guard.guardrails", "orchestra_tui.core.guard.retry_loops",
           "orchestra_tui.core.lifecycle.handoff", "orchestra_tui.core.report",
           "orchestra_tui.core.away.auto_approve"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
