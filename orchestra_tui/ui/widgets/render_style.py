"""A widget's style read once per render, not once per row.

Textual's `rich_style` walks every ancestor's styles each time it is read, and a line-API
widget (the live pane, the agent table) reads it for every row it renders: during a keypress
that was an eighth of the app's work. Within one `render_lines` the styles cannot change, so
the first reading serves every row of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

if TYPE_CHECKING:
    from textual.widget import Widget as _Widget
else:
    # Not a Widget at run time: Textual's `__init_subclass__` would give the mix-in a
    # `can_focus` of its own that hides the widget's (the table would lose the focus).
    _Widget = object


class StyleOncePerRender(_Widget):
    """Mix in before the widget's own class: `class PaneView(StyleOncePerRender, ScrollView)`."""

    _style_this_render: Style | None = None

    @property
    def rich_style(self) -> Style:
        if self._style_this_render is not None:
            return self._style_this_render
        return super().rich_style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._style_this_render = super().rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._style_this_render = None
