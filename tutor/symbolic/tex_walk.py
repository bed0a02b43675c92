"""The walk over display LaTeX shared by the one-line form and the 2-D layout.

`render._Linear` builds a string and `layout._Layout` a box from the same
walk: braces matched, scripts attached to what precedes them, macros read by
name. A subclass says how pieces are made and joined.
"""

from __future__ import annotations

import re
from typing import Generic, TypeVar

Piece = TypeVar("Piece")

_RAW_ARGUMENT = re.compile(r"\s*\{((?:[^{}]|\{[^{}]*\})*)\}")


class TexWalk(Generic[Piece]):
    """A brace-aware reader of LaTeX; `convert()` returns the whole text as one piece."""

    def __init__(self, latex: str, *, ascii: bool = False) -> None:
        self.text, self.pos, self.ascii = latex, 0, ascii

    def convert(self, stop: str = "") -> Piece:
        pieces: list[Piece] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in stop:
                break
            self.pos += 1
            if char == "{":
                pieces.append(self.convert("}"))
                self.pos += 1  # the closing brace
            elif char == "}":
                continue  # unbalanced: drop it
            elif char in "_^":
                self.script(pieces, char)
            elif char == "\\":
                self.add_macro(pieces, self.macro())
            else:
                self.add_char(pieces, char)
        return self.join(pieces)

    def argument(self) -> Piece:
        """The next brace group, macro or single character, converted."""
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1
        if self.pos >= len(self.text):
            return self.join([])
        char = self.text[self.pos]
        self.pos += 1
        if char == "{":
            inner = self.convert("}")
            self.pos += 1
            return inner
        if char == "\\":
            return self.macro()
        return self.join([self.piece(char)])

    def raw_argument(self) -> str | None:
        """A `\\text{…}` argument as written (no scripts; `\\_` is `_`), or None if unbraced."""
        match = _RAW_ARGUMENT.match(self.text, self.pos)
        if not match:
            return None
        self.pos = match.end()
        return re.sub(r"\\([_%&#$ {}])", r"\1", match.group(1))

    def macro_name(self) -> str:
        match = re.match(r"[A-Za-z]+|.", self.text[self.pos :])
        name = match.group(0) if match else ""
        self.pos += len(name)
        return name

    # -- what a subclass says ----------------------------------------------------------------

    def piece(self, chars: str) -> Piece:
        raise NotImplementedError

    def join(self, pieces: list[Piece]) -> Piece:
        raise NotImplementedError

    def macro(self) -> Piece:
        raise NotImplementedError

    def script(self, pieces: list[Piece], mark: str) -> None:
        raise NotImplementedError

    def add_macro(self, pieces: list[Piece], piece: Piece) -> None:
        pieces.append(piece)

    def add_char(self, pieces: list[Piece], char: str) -> None:
        pieces.append(self.piece(char))
