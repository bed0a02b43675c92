"""LaTeX from lessons as terminal text, cached: the app's one door to math rendering.

Inline math becomes one clean line here (no sympy). Display math becomes
2-D where the symbolic reader understands it, drawn by `draw` — the
grading service's sympy, so the app never imports it. That takes a round
trip, and on a cold service seconds, so callers show the one-line form
first and ask for 2-D off the UI thread.
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

    def inline(self, latex: str) -> str:
        """One line, no backslashes: fast, safe on the UI thread."""
        text = self._inline.get(latex)
        if text is None:
            from tutor.symbolic.render import linear

            text = linear(latex, ascii=self.ascii)
            text = asciify(text) if self.ascii else text
            self._inline[latex] = text
        return text

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
