"""An OptionList whose highlighted option carries a pointer glyph, not colour alone."""

from __future__ import annotations

import re
from functools import cached_property

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class Hanging:
    """A lead (pointer, number) and its text, every line of the text under its first character.

    A grid of two columns: the lead in one, never wrapped, the text in the
    other, which wraps (and keeps its own line breaks) within its column, so
    a long choice's wrapped lines stand under its text, not under its number
    nor at the left edge, in English and Chinese alike. `str()` is the text
    as shown unwrapped.
    """

    def __init__(self, lead: str, text: str):
        self.lead, self.text = lead, text

    def __str__(self) -> str:
        return self.lead + ("\n" + " " * cell_len(self.lead)).join(self.text.split("\n"))

    @cached_property
    def _grid(self) -> Table:
        grid = Table.grid()
        grid.add_column(no_wrap=True)
        grid.add_column()
        grid.add_row(Text(self.lead), Text(self.text))
        return grid

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self._grid

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self._grid)


class MarkedOptionList(OptionList):
    """Options as plain text (never markup), the highlighted one marked `▶` (or `>`).

    `entries` are (id, text) pairs; a text may span several lines.
    """

    def __init__(self, entries: list[tuple[str, str]], pointer: str = "▶", **kwargs):
        self._pointer = pointer
        self._entries = list(entries)
        super().__init__(*self._build(None), markup=False, **kwargs)

    HANG: re.Pattern[str] | None = None  # a label the wrapped lines hang under (`1. `)

    def _prompt(self, text: str, marked: bool) -> Hanging:
        """The pointer (or its room) and `HANG`'s label lead; the text hangs under them."""
        lead = (self._pointer if marked else " " * len(self._pointer)) + " "
        label = self.HANG.match(text) if self.HANG else None
        if label:
            lead, text = lead + label.group(0), text[label.end() :]
        return Hanging(lead, text)

    def _build(self, highlighted: int | None) -> list[Option]:
        return [
            Option(self._prompt(text, index == highlighted), id=option_id)
            for index, (option_id, text) in enumerate(self._entries)
        ]

    def set_entries(self, entries: list[tuple[str, str]], highlighted: int | None = 0) -> None:
        self._entries = list(entries)
        self.set_options(self._build(None))
        if entries:
            self.highlighted = min(highlighted or 0, len(entries) - 1)

    def entry_text(self, index: int) -> str:
        return self._entries[index][1]

    def set_entry_text(self, index: int, text: str) -> None:
        option_id = self._entries[index][0]
        self._entries[index] = (option_id, text)
        self.replace_option_prompt_at_index(index, self._prompt(text, index == self.highlighted))

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        for index, marked in ((old, False), (new, True)):
            if index is not None and 0 <= index < min(len(self._entries), self.option_count):
                self.replace_option_prompt_at_index(
                    index, self._prompt(self._entries[index][1], marked)
                )
        super().watch_highlighted(new)

    def on_mount(self) -> None:
        if self.highlighted is None and self.option_count:
            self.highlighted = 0
