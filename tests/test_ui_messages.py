"""The seam between the screens and the app is typed messages: every message the UI defines is
handled somewhere, and every `on_…` handler the UI defines answers a message that exists. A
misspelt handler (`on_prompt_submited`) is never called and no key shows it; these tests do."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.app import App
from textual.dom import DOMNode
from textual.message import Message

import orchestra_tui.ui
from orchestra_tui.ui import messages
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.controllers.fleet import FleetActions
from orchestra_tui.ui.controllers.github import GitHubActions
from orchestra_tui.ui.controllers.lifecycle import LifecycleActions
from orchestra_tui.ui.screens.diff import DiffScreen
from orchestra_tui.ui.screens.fleet import FleetScreen
from tests.ui_data import *  # noqa: F403  (the `fleet` and `pilot` fixtures)
from tests.ui_data import settle


def ui_modules() -> list:
    return [importlib.import_module(info.name) for info in
            pkgutil.walk_packages(orchestra_tui.ui.__path__, "orchestra_tui.ui.")]


def defined_in_ui(base: type) -> list[type]:
    """The subclasses of `base` the UI's own modules define (not those they import)."""
    found = {}
    for module in ui_modules():
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, base) and value.__module__ == module.__name__:
                found[value.__qualname__, value.__module__] = value
    return list(found.values())


def handler_names(cls: type) -> set[str]:
    """What `cls` answers: its `on_…` methods and its `@on(...)` handlers, inherited too."""
    names = {name for name in dir(cls) if name.startswith("on_")}
    for klass in cls.__mro__:
        for method in vars(klass).values():
            for message_type, _ in getattr(method, "_textual_on", ()):
                names.add(message_type.handler_name)
    return names


def every_message_class() -> list[type[Message]]:
    found: list[type[Message]] = []
    pending: list[type[Message]] = list(Message.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_message_the_screens_post_to_the_app_has_a_handler_on_the_app():
    """The app handles each message in ui/messages.py, except the one that only tells the fleet
    screen about its own widgets and the one the diff controller hands to the diff screen."""
    for_the_screen = {messages.PromptClosed}
    for_the_diff_screen = {messages.DiffLoaded}
    app_handles = handler_names(OrchestraApp)
    unhandled = [cls.__name__ for _, cls in inspect.getmembers(messages, inspect.isclass)
                 if issubclass(cls, Message) and cls.__module__ == messages.__name__
                 and cls not in for_the_screen | for_the_diff_screen
                 and cls.handler_name not in app_handles]
    assert unhandled == []
    assert {cls.handler_name for cls in for_the_screen} <= handler_names(FleetScreen)
    assert {cls.handler_name for cls in for_the_diff_screen} <= handler_names(DiffScreen)


def test_every_message_class_defined_in_the_ui_is_handled_by_the_app_or_a_screen():
    defined = defined_in_ui(Message)
    assert len(defined) >= 30  # the walk found the modules (messages.py alone has 36)
    handlers = set().union(*(handler_names(cls) for cls in defined_in_ui(DOMNode)))
    assert [cls.__qualname__ for cls in defined if cls.handler_name not in handlers] == []


def test_every_handler_the_ui_defines_answers_a_message_that_exists():
    """An `on_…` method whose name matches no message (Textual's or ours) is a misspelling."""
    known = {cls.handler_name for cls in every_message_class()}
    misspelt = [f"{cls.__qualname__}.{name}"
                for cls in defined_in_ui(DOMNode)
                for name, _ in inspect.getmembers(cls, inspect.isfunction)
                if name.startswith("on_") and name in vars(cls) and name not in known]
    assert misspelt == []


def test_the_check_above_catches_a_misspelt_handler():
    class Misspelt(App[None]):
        def on_prompt_submited(self, message: messages.PromptSubmitted) -> None:
            pass

    known = {cls.handler_name for cls in every_message_class()}
    assert "on_prompt_submited" not in known
    assert messages.PromptSubmitted.handler_name not in handler_names(Misspelt)


def test_the_controllers_are_built_by_the_app_not_mixed_into_it():
    """Composition: the app is a Textual App and nothing else of ours."""
    ours = [cls for cls in OrchestraApp.__mro__[1:] if cls.__module__.startswith("orchestra")]
    assert ours == []
    for controller in (FleetActions, GitHubActions, LifecycleActions):
        assert not issubclass(controller, DOMNode)


async def test_the_app_knows_the_selection_from_the_start_and_as_it_moves(pilot):
    """The first selection is sent from the fleet screen's own mount, where Textual would stop
    a bubbling message; the app must learn it all the same (it reads that pane's history)."""
    screen = pilot.app.screen
    assert isinstance(screen, FleetScreen)
    assert screen.selected is not None
    assert pilot.app.selected_agent == screen.selected
    await pilot.press("j")
    await settle(pilot)
    assert pilot.app.selected_agent == screen.selected != pilot.app.snapshot.agents[0].name
