"""LaTeX from lessons as terminal text, cached: the app's one door to math rendering.

Inline math becomes one clean line; display math becomes 2-D where the
symbolic reader understands it. Both come from `tutor.symbolic.render`,
imported on first use so that sympy never sits on the start path.
"""

from __future__ import annotations

from functools import lru_cache


class MathText:
    """Renders `$…$` (inline) and `$$…$$` (display) LaTeX for this terminal."""

    def __init__(self, ascii: bool = False):
        self.ascii = ascii

    def inline(self, latex: str) -> str:
        return _inline(latex, self.ascii)

    def display(self, latex: str) -> str:
        return _display(latex, self.ascii)


@lru_cache(maxsize=512)
def _inline(latex: str, ascii: bool) -> str:
    from tutor.symbolic.render import linear

    return linear(latex, ascii=ascii)


@lru_cache(maxsize=256)
def _display(latex: str, ascii: bool) -> str:
    from tutor.symbolic.render import latex_to_terminal

    text = latex_to_terminal(latex, ascii=ascii)
    return "\n".join(line.rstrip() for line in text.splitlines())
