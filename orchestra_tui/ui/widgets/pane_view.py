"""The selected agent's live tmux pane, with its colours, scrollback above it.

It shows the agent's current screen (the pane's last rows: from its top when it fits, else its
bottom) and follows it as captures arrive, unless the person scrolled up into history to read;
scrolling back to the bottom follows again. An agent that clears its screen every frame leaves
its old frames in tmux's history, right above the current one: the view never shows them unless
the person scrolls up.

The capture (up to ~2000 lines of history) is kept as lines and only the rows on screen are
turned into text and rendered, like Textual's `Log`: not a `Static` that would parse and render
every line on every update. Pane text is data, never markup: a row is parsed as ANSI into a Rich
Text, so `[/]` in a pane cannot crash the app. SGR state carries over from one captured line to
the next, so each line remembers the state it starts in; finding it reads only a line's escape
codes after its last reset. Lines are reused while a line and its starting state are the same,
which is nearly every line from one capture to the next."""

from __future__ import annotations

import re
from typing import Self

from rich.ansi import AnsiDecoder
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from orchestra_tui.ui.widgets.render_style import StyleOncePerRender
from orchestra_tui.ui.wording.format import split_capture

_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
_NULL = Style.null()


def _is_reset(params: str) -> bool:
    return params in ("", "0") or params.startswith("0;")


class _Line:
    __slots__ = ("end", "raw", "start", "strip", "text")

    def __init__(self, raw: str, start: Style, end: Style) -> None:
        self.raw = raw
        self.start = start  # the SGR state the line starts in (the last line's end)
        self.end = end
        self.text: Text | None = None  # parsed when first needed
        self.strip: Strip | None = None

    def parsed(self) -> Text:
        if self.text is None:
            decoder = AnsiDecoder()
            decoder.style = self.start
            self.text = decoder.decode_line(self.raw)
            self.text.no_wrap = True
            self.text.end = ""
        return self.text


def _end_state(start: Style, raw: str) -> Style:
    """The SGR state after `raw`, from its escape codes alone (no text is built)."""
    codes = _SGR.findall(raw) if "\x1b" in raw else []
    if not codes:
        return start
    last_reset = max((i for i, params in enumerate(codes) if _is_reset(params)), default=-1)
    if last_reset >= 0 and codes[last_reset] in ("", "0"):
        if last_reset == len(codes) - 1:
            return _NULL  # the common line: it ends with a reset
    tail = codes[max(0, last_reset):]  # a reset ("0;31") may carry codes of its own
    decoder = AnsiDecoder()
    decoder.style = _NULL if last_reset >= 0 else start
    decoder.decode_line("".join(f"\x1b[{params}m" for params in tail))
    return decoder.style


def _line_at(lines: list[_Line], index: int) -> _Line | None:
    return lines[index] if index < len(lines) else None


class PaneView(StyleOncePerRender, ScrollView, can_focus=False):
    DEFAULT_CLASSES = "pane-view"
    _bottom_row_only = False  # a class default: Widget.__init__ already refreshes

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.agent: str | None = None
        self._titles: tuple[Text | str, Text | str] | None = None
        self._screen: str | None = None
        self._rows: int | None = None
        self._screen_top = 0  # the first line of the current screen; history is above it
        self._lines: list[_Line] = []
        self._parsed: dict[tuple[Style, str], _Line] = {}
        self.following = True  # stick to the bottom as captures arrive

    @property
    def lines(self) -> list[Text]:
        """The capture as shown, one Text per row (the tests read it)."""
        return [line.parsed() for line in self._lines]

    def show(self, agent: str | None, title: Text | str, screen: str,
             subtitle: Text | str = "", rows: int | None = None) -> None:
        """`screen`: the capture, history included; `rows`: the pane's height, so the last
        `rows` lines are its current screen (None: all of it is)."""
        # Setting a border title repaints the widget even when it is the same: only on change.
        if (title, subtitle) != self._titles:
            only_subtitle = self._titles is not None and self._titles[0] == title
            self._titles = (title, subtitle)
            if only_subtitle:
                self._set_subtitle(subtitle)
            else:
                self.border_title = title
                self.border_subtitle = subtitle
        if agent != self.agent:
            self.agent = agent
            self.following = True
        if screen == self._screen and rows == self._rows:
            return
        if not self.following and self.scroll_y >= self.max_scroll_y:
            self.following = True  # the person scrolled back down to the bottom
        self._screen, self._rows = screen, rows
        raw, self._screen_top = split_capture(screen, rows)
        before, top = self._lines, self.scroll_offset.y
        self._lines = self._parse(raw)
        self._lay_out()
        self._repaint_changed(before, top)

    def _set_subtitle(self, subtitle: Text | str) -> None:
        """The subtitle alone changed (its "idle 21s" counts every second): repaint the bottom
        border row, not every row of the pane with it (Textual repaints a widget whole when its
        border subtitle is set)."""
        self._bottom_row_only = True
        try:
            self.border_subtitle = subtitle
        finally:
            self._bottom_row_only = False

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if self._bottom_row_only and not (regions or layout or recompose):
            outer = self.outer_size
            left, top = self.content_offset
            # Regions are in content coordinates; the bottom border row lies below them.
            regions = (Region(-left, outer.height - 1 - top, outer.width, 1),)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _repaint_changed(self, before: list[_Line], top: int) -> None:
        """Repaint only the rows whose line changed when the view did not move: a working
        agent redraws a row or two a frame (its spinner, a counter), and a full repaint would
        render every row of the pane again for each."""
        height = self.scrollable_content_region.height
        if self.scroll_offset.y != top or not height:
            self.refresh()
            return
        changed = [row for row in range(height)
                   if _line_at(before, top + row) is not _line_at(self._lines, top + row)]
        if len(changed) > height // 2:
            self.refresh()
            return
        width = self.scrollable_content_region.width
        for row in changed:
            self.refresh(Region(0, row, width, 1))

    def _lay_out(self) -> None:
        """Room below the last line, when the current screen is shorter than the view, so that
        following shows the current screen from its top, not old frames above it."""
        rows = self.scrollable_content_region.height
        # No width: the view never scrolls sideways (a wider pane is cut, never wrapped).
        self.virtual_size = Size(0, max(len(self._lines), self._screen_top + rows))
        if self.following:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def _parse(self, raw: list[str]) -> list[_Line]:
        style = _NULL
        parsed: dict[tuple[Style, str], _Line] = {}
        lines = []
        for text in raw:
            key = (style, text)
            line = self._parsed.get(key) or parsed.get(key)
            if line is None:
                line = _Line(text, style, _end_state(style, text))
            parsed[key] = line
            lines.append(line)
            style = line.end
        self._parsed = parsed  # keep what this capture uses; forget the rest
        return lines

    def release_anchor(self) -> None:
        # Textual calls this whenever the person scrolls (wheel, keys, scrollbar).
        super().release_anchor()
        self.following = False

    def on_resize(self) -> None:
        self._lay_out()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = scroll_y + y
        if index >= len(self._lines):
            return Strip.blank(width, base)
        line = self._lines[index]
        if line.strip is None:
            text = line.parsed()
            line.strip = Strip(list(text.render(self.app.console)), text.cell_len)
        return line.strip.crop_extend(scroll_x, scroll_x + width, None).apply_style(base)

