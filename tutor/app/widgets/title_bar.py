"""The top line: where the learner is, in glyphs their terminal can show.

Textual's Header joins title and subtitle with an em dash and draws an
icon; on an ASCII terminal both would show as `_`, so the bar is ours.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Static

from tutor.app.cjk import fit


class TitleBar(Static):
    """`ce-tutor · <what this screen is> · <learner>`, one line, never markup."""

    def __init__(self, where: str, **kwargs):
        super().__init__("", markup=False, **kwargs)
        self.where = where

    def on_mount(self) -> None:
        self.show(self.where)

    def show(self, where: str) -> None:
        """`where` is cut to the line (display width, an ellipsis) so the learner's name stays."""
        self.where = where
        dot = self.app.plain(f" {self.app.glyphs.bullet} ")
        learner = self.app.plain(self.app.learner)
        fixed = cell_len(f"ce-tutor{dot}{dot}{learner}")
        room = max((self.content_region.width or self.app.size.width) - fixed, 1)
        self.update(
            dot.join(["ce-tutor", fit(self.app.plain(where), room, self.app.plain("…")), learner])
        )

    def on_resize(self) -> None:
        self.show(self.where)
