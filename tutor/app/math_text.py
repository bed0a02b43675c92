"""LaTeX from lessons as terminal text, cached: the app's one door to math rendering.

Inline math becomes one clean line here (no sympy). Display math is laid
out in 2-D here too, from the author's LaTeX (fractions stacked, sums with
their limits: `tutor.symbolic.layout`, pure and fast, so a step's first
frame has it). Only a formula too wide for the screen that way goes to
`draw` — the grading service's sympy, so the app never imports it; that
takes a round trip, so callers show the one-line form first and ask for it
off the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from tutor.app.terminal import asciify


class MathText:
    """Renders `$…$` (inline) and `$$…$$` (display) LaTeX for this terminal."""

    def __init__(self, draw: Callable[[str, bool], str], ascii: bool = False):
        self.draw = draw
        self.ascii = ascii
        self._inline: dict[str, str] = {}
        self._display: dict[str, str] = {}
        self._laid_out: dict[tuple[str, int], str | None] = {}

    def inline(self, latex: str) -> str:
        """One line, no backslashes: fast, safe on the UI thread."""
        text = self._inline.get(latex)
        if text is None:
            from tutor.symbolic.render import linear

            text = linear(latex, ascii=self.ascii)
            text = asciify(text) if self.ascii else text
            self._inline[latex] = text
        return text

    def laid_out(self, latex: str, width: int) -> str | None:
        """Display math in 2-D within `width` cells (None: it does not fit); fast, any thread."""
        key = (latex, width)
        if key not in self._laid_out:
            from tutor.symbolic.layout import layout_display

            text = layout_display(latex, width=width, ascii=self.ascii)
            self._laid_out[key] = asciify(text) if self.ascii and text else text
        return self._laid_out[key]

    def cached_display(self, latex: str) -> str | None:
        return self._display.get(latex)

    def display(self, latex: str) -> str:
        """2-D where possible; may take a while the first time: call from a worker."""
        text = self._display.get(latex)
        if text is None:
            text = self.draw(latex, self.ascii)
            text = asciify(text) if self.ascii else text
            self._display[latex] = text
        return text
