"""Hints shown one at a time, and the solution once requested or earned."""

from __future__ import annotations

from textual.widgets import Static

from tutor.app.prose import plain_text
from tutor.i18n import _


class HintList(Static):
    """The hints revealed so far, numbered `Hint 1/2`, then the solution if shown."""

    def __init__(self, **kwargs):
        super().__init__("", markup=False, **kwargs)
        self.display = False

    def show(self, hints: list[str], shown: int, solution: str | None = None) -> None:
        inline = self.app.math.inline
        lines = [
            _("Hint {n}/{count}: {hint}").format(
                n=n, count=len(hints), hint=plain_text(hint.strip(), inline)
            )
            for n, hint in enumerate(hints[:shown], start=1)
        ]
        if solution is not None:
            lines.append(_("Solution: {text}").format(text=plain_text(solution.strip(), inline)))
        self.update(self.app.plain("\n".join(lines)))
        self.display = bool(lines)
