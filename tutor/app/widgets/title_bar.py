"""The top line: where the learner is, in glyphs their terminal can show.

Textual's Header joins title and subtitle with an em dash and draws an
icon; on an ASCII terminal both would show as `_`, so the bar is ours.
"""

from __future__ import annotations

from textual.widgets import Static


class TitleBar(Static):
    """`ce-tutor · <what this screen is> · <learner>`, one line, never markup."""

    def __init__(self, where: str, **kwargs):
        super().__init__("", markup=False, **kwargs)
        self.where = where

    def on_mount(self) -> None:
        self.show(self.where)

    def show(self, where: str) -> None:
        self.where = where
        dot = f" {self.app.glyphs.bullet} "
        self.update(self.app.plain(dot.join(["ce-tutor", where, self.app.learner])))
