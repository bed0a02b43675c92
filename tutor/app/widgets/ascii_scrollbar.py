"""Scrollbars without block glyphs, for terminals that are not UTF-8.

Textual draws the thumb's ends with partial blocks (`▁▂▃`), which an ASCII
terminal shows as `_` or `?`; here the thumb is whole cells, drawn by its
colour alone (a scrollbar is a position hint, never the only cue).
"""

from __future__ import annotations

from textual.scrollbar import ScrollBar, ScrollBarRender


class AsciiScrollBarRender(ScrollBarRender):
    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


def use_ascii_scrollbars(on: bool) -> None:
    """Switch every scrollbar of the process (there is one app per process)."""
    ScrollBar.renderer = AsciiScrollBarRender if on else ScrollBarRender
