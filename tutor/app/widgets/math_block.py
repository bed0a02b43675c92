"""Display math: 2-D terminal math that never wraps; a wide formula scrolls sideways."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalScroll
from textual.widgets import Static


class MathBlock(HorizontalScroll, can_focus=False):
    """One display formula, already rendered to terminal text."""

    def __init__(self, text: str, **kwargs):
        super().__init__(**kwargs)
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(self.text, markup=False, classes="math-text")
