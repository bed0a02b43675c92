"""Lesson prose: Markdown with its math converted, display formulas as MathBlocks."""

from __future__ import annotations

from functools import lru_cache

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Markdown

from tutor.app.prose import DisplayMath, split_prose
from tutor.app.terminal import asciify
from tutor.app.widgets.math_block import MathBlock


class LessonMarkdown(Markdown):
    """Markdown whose blocks are composed with it, so the frame that shows it has its text.

    Textual's Markdown parses in a thread once mounted and mounts its blocks
    after that: a step stood empty for 0.2-0.35 s on first visit (issue 17
    #11). A lesson's pieces are short; parsing one takes about a millisecond.
    """

    def compose(self) -> ComposeResult:
        markdown = self._initial_markdown or ""
        self._initial_markdown = None
        self._markdown, self._theme = markdown, self.app.theme
        parser = _parser() if self._parser_factory is None else self._parser_factory()
        lines = markdown.splitlines()
        self._last_parsed_line = len(lines) - (1 if lines and lines[-1] else 0)
        yield from self._parse_markdown(parser.parse(markdown))

    async def _on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # Markdown's own would parse it again in a thread and remount
        Widget._on_mount(self, event)


@lru_cache(maxsize=1)
def _parser():
    """One parser for every piece: making one costs ~10 ms, more than parsing a piece."""
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like")


class AsciiMarkdown(LessonMarkdown):
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
                kind = AsciiMarkdown if self.app.ascii else LessonMarkdown
                yield kind(piece.text, open_links=False)
