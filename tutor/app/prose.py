"""Lesson Markdown made ready for Textual's Markdown widget.

Textual's Markdown mangles `$…$` math (asterisks become emphasis,
backslashes vanish), so math is converted to terminal text first: inline
math in place, display math as its own fenced block so its layout holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\$)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.DOTALL | re.MULTILINE)


def prepare_markdown(text: str, render_math: Callable[[str, bool], str]) -> str:
    """Replace `$$…$$` and `$…$` outside code by `render_math(latex, display)`."""
    pieces = []
    last = 0
    for fence in _FENCE.finditer(text):
        pieces.append(_convert(text[last : fence.start()], render_math))
        pieces.append(fence.group(0))
        last = fence.end()
    pieces.append(_convert(text[last:], render_math))
    return "".join(pieces)


def _convert(text: str, render_math: Callable[[str, bool], str]) -> str:
    text = _DISPLAY.sub(
        lambda m: "\n```math\n" + render_math(m.group(1).strip(), True) + "\n```\n", text
    )
    return _INLINE.sub(lambda m: "`" + render_math(m.group(1), False) + "`", text)
