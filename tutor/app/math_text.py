"""LaTeX from lessons as terminal text, cached: the app's one door to math rendering.

Inline math becomes one clean line; display math becomes 2-D where the
symbolic reader understands it. Both come from `tutor.symbolic.render`,
imported on first use so that sympy never sits on the start path. 2-D
rendering can take a good fraction of a second (sympy's printer), so
callers show the one-line form first and ask for 2-D off the UI thread.
"""

from __future__ import annotations

import threading

from tutor.app.terminal import asciify


class MathText:
    """Renders `$…$` (inline) and `$$…$$` (display) LaTeX for this terminal."""

    def __init__(self, ascii: bool = False):
        self.ascii = ascii
        self._inline: dict[str, str] = {}
        self._display: dict[str, str] = {}
        self._lock = threading.Lock()

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
            from tutor.symbolic.render import latex_to_terminal

            with self._lock:  # sympy's printer is not known to be thread-safe
                text = latex_to_terminal(latex, ascii=self.ascii)
            text = "\n".join(line.rstrip() for line in text.splitlines())
            text = asciify(text) if self.ascii else text
            self._display[latex] = text
        return text
