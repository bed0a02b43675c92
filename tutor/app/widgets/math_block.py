"""Display math: 2-D terminal math that never wraps; a wide formula scrolls sideways."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import HorizontalScroll
from textual.widgets import Static

from tutor.app.from_thread import tell_app
from tutor.app.widgets.leaving import part


class MathBlock(HorizontalScroll, can_focus=False):
    """One display formula: given as text, or as LaTeX drawn 2-D off the UI thread.

    With `latex`, the formula is laid out in 2-D at once when it fits the
    screen; one too wide for that shows its one-line form at once, and
    sympy's drawing (from the service) replaces it when ready, so opening a
    step never waits.
    """

    MARGINS = 6  # the block's left margin, the body's padding and its scrollbar

    def __init__(self, text: str = "", latex: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.text = text
        self.latex = latex

    def compose(self) -> ComposeResult:
        text = self.text
        if self.latex is not None:
            math = self.app.math
            text = (
                math.laid_out(self.latex, self._width())
                or math.cached_display(self.latex)
                or math.inline(self.latex)
            )
        yield Static(text, markup=False, classes="math-text")

    def _width(self) -> int:
        return max(self.app.size.width - self.MARGINS, 20)

    def on_mount(self) -> None:
        if self.latex is None or self.app.math.laid_out(self.latex, self._width()) is not None:
            return
        if self.app.math.cached_display(self.latex) is None:
            self._draw(self.latex)

    def update(self, text: str) -> None:
        self.text = text
        shown = part(self, ".math-text", Static)
        if shown is not None:  # else it is leaving: nothing to draw on
            shown.update(text)

    @work(thread=True, group="math")
    def _draw(self, latex: str) -> None:
        app = self.app  # taken now: once the step is left, the block no longer knows its app
        try:
            text = app.math.display(latex)
        except Exception:  # noqa: BLE001 - keep the one-line form already shown
            return
        tell_app(app, self._drawn, text)

    def _drawn(self, text: str) -> None:
        self.update(text)
