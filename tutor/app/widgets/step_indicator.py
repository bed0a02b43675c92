"""Where the learner is in a lesson: `Step 2/4 ●●○○  Title`."""

from __future__ import annotations

from textual.widgets import Static

from tutor.i18n import _


class StepIndicator(Static):
    """One line: the step number, a dot per step, the step's title."""

    def __init__(self, **kwargs):
        super().__init__("", markup=False, **kwargs)

    def show(self, index: int, titles: list[str]) -> None:
        glyphs = self.app.glyphs
        dots = "".join(
            glyphs.dot_done if i <= index else glyphs.dot_todo for i in range(len(titles))
        )
        step = _("Step {n}/{count}").format(n=index + 1, count=len(titles))
        self.update(self.app.plain(f"{step} {dots}  {titles[index]}"))
