"""Lesson prose: Markdown with its math converted, display formulas as MathBlocks."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown

from tutor.app.prose import DisplayMath, split_prose
from tutor.app.terminal import asciify
from tutor.app.widgets.math_block import MathBlock


class AsciiMarkdown(Markdown):
    """Markdown whose list bullets are ASCII, for terminals that are not UTF-8."""

    BULLETS = ["* ", "- ", "+ ", "* ", "- "]


class ProseView(Vertical):
    """A piece of lesson Markdown, `$…$` and `$$…$$` included, as the terminal shows it."""

    def __init__(self, text: str, **kwargs):
        super().__init__(**kwargs)
        self.text = text

    def compose(self) -> ComposeResult:
        text = asciify(self.text) if self.app.ascii else self.text
        for piece in split_prose(text, self.app.math.inline):
            if isinstance(piece, DisplayMath):
                yield MathBlock(latex=piece.latex)
            else:
                kind = AsciiMarkdown if self.app.ascii else Markdown
                yield kind(piece.text, open_links=False)
