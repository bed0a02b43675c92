"""How many terminal cells a text takes: CJK and full-width characters take two.

For plain-text tables printed by the command line (`progress`), below the
app's layer, so without Rich; the app measures with Rich's `cell_len`.
"""

from __future__ import annotations

import unicodedata


def cell_width(text: str) -> int:
    """Display width: East Asian wide and full-width characters 2, combining marks 0, others 1."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def ljust(text: str, width: int) -> str:
    return text + " " * max(width - cell_width(text), 0)


def rjust(text: str, width: int) -> str:
    return " " * max(width - cell_width(text), 0) + text
