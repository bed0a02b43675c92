"""Lesson Markdown split into what Textual can show: Markdown pieces and display math.

Textual's Markdown mangles `$…$` (asterisks become emphasis, backslashes
vanish), so math is converted before it ever sees it: inline math in place,
as escaped plain text; display math cut out into its own piece, drawn by a
widget that keeps 2-D layout intact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tutor.app.cjk import join_soft_breaks

_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
# inline math may wrap onto the next source line (a soft break), never across a blank line
_INLINE = re.compile(r"(?<![\\$])\$(?!\s)((?:[^$\n]|\n(?!\s*\n))+?)(?<!\s)\$(?!\$)")
_FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1", re.DOTALL | re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")


@dataclass(frozen=True)
class MarkdownPiece:
    text: str


@dataclass(frozen=True)
class DisplayMath:
    latex: str


Piece = MarkdownPiece | DisplayMath


def split_prose(text: str, inline: Callable[[str], str]) -> list[Piece]:
    """Markdown pieces (inline math converted by `inline`) and display math, in order.

    Math inside fenced code blocks and code spans is left alone.
    """
    pieces: list[Piece] = []
    markdown: list[str] = []

    def flush() -> None:
        chunk = "".join(markdown).strip("\n")
        if chunk.strip():
            pieces.append(MarkdownPiece(chunk))
        markdown.clear()

    last = 0
    for fence in _FENCE.finditer(text):
        _prose(text[last : fence.start()], inline, markdown, pieces, flush)
        markdown.append(fence.group(0))
        last = fence.end()
    _prose(text[last:], inline, markdown, pieces, flush)
    flush()
    return pieces


def _prose(text, inline, markdown, pieces, flush) -> None:
    text = join_soft_breaks(text)  # outside fenced code, whose lines are kept
    last = 0
    for display in _DISPLAY.finditer(text):
        markdown.append(convert_inline(text[last : display.start()], inline))
        flush()
        pieces.append(DisplayMath(display.group(1).strip()))
        last = display.end()
    markdown.append(convert_inline(text[last:], inline))


def convert_inline(text: str, inline: Callable[[str], str]) -> str:
    """Replace `$…$` outside code spans by its rendering, escaped for Markdown."""
    pieces = []
    last = 0
    for span in _CODE_SPAN.finditer(text):
        pieces.append(
            _INLINE.sub(lambda m: escape_markdown(inline(_one_line(m))), text[last : span.start()])
        )
        pieces.append(span.group(0))
        last = span.end()
    pieces.append(_INLINE.sub(lambda m: escape_markdown(inline(_one_line(m))), text[last:]))
    return "".join(pieces)


def _one_line(match: re.Match[str]) -> str:
    """The math of an `_INLINE` match, a soft line break inside it read as a space."""
    return match.group(1).replace("\n", " ")


def escape_markdown(text: str) -> str:
    """Backslash-escape what Markdown would read as emphasis, code, links or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


_EMPHASIS = re.compile(r"(?<![\w*])(\*\*|\*|__|_)(?=\S)(.+?)(?<=\S)\1(?![\w*])")


def plain_text(text: str, inline: Callable[[str], str]) -> str:
    """Text shown outside Markdown (choices, titles, feedback) as a learner reads it:
    `$…$` rendered, code spans without their backticks, *emphasis* without its stars."""
    pieces = []
    last = 0
    for code in _CODE_SPAN.finditer(text):  # code is shown as written, minus the backticks
        pieces.append(_EMPHASIS.sub(r"\2", plain_math(text[last : code.start()], inline)))
        pieces.append(code.group(2))
        last = code.end()
    pieces.append(_EMPHASIS.sub(r"\2", plain_math(text[last:], inline)))
    return "".join(pieces)


def plain_math(text: str, inline: Callable[[str], str]) -> str:
    """Text shown outside Markdown (hints, solutions): `$…$` rendered, nothing escaped."""
    return _INLINE.sub(
        lambda m: inline(_one_line(m)),
        _DISPLAY.sub(lambda m: inline(m.group(1)), join_soft_breaks(text)),
    )
