"""Where the learner is in a lesson: `Step 2/4 ●●○○  Title`."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Static

from tutor.app.cjk import fit
from tutor.i18n import _


class StepIndicator(Static):
    """One line: the step number, a dot per step, the step's title."""

    def __init__(self, **kwargs):
        super().__init__("", markup=False, **kwargs)
        self._shown: tuple[int, list[str]] | None = None

    def show(self, index: int, titles: list[str]) -> bool:
        """Show step `index`; False when its title had to be cut to fit the line."""
        self._shown = (index, titles)
        glyphs = self.app.glyphs
        dots = "".join(
            glyphs.dot_done if i <= index else glyphs.dot_todo for i in range(len(titles))
        )
        step = self.app.plain(_("Step {n}/{count}").format(n=index + 1, count=len(titles)))
        head = f"{step} {self.app.plain(dots)}  "
        # a long title is cut to the line (by display width: CJK is two cells), never wrapped away
        room = max((self.content_region.width or self.app.size.width) - cell_len(head), 1)
        title = self.app.plain(titles[index])
        self.update(head + fit(title, room, self.app.plain("…")))
        return cell_len(title) <= room

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)
