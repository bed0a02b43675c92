"""Display math laid out in 2-D from the author's LaTeX, without sympy.

    layout_display(r"q_k = \\frac{e^{z_k}}{\\sum_{j=0}^{C-1} e^{z_j}}", width=76) -> str

           zₖ
          e
    qₖ = ──────
         C-1
          Σ  e^zⱼ ...

Fractions are stacked over a rule, sums carry their limits above and below,
`\\left( … \\right)` grows with what it holds. The conventions for scripts, so a
terminal shows every subscript as one:

- a script whose characters all have Unicode glyphs is written with them
  (`p_i` → `pᵢ`, `x^2` → `x²`), on the line;
- any other subscript is lowered one line below its base (`s_{best}`,
  `D_{KL}`, `w_{y_n}`), any other superscript raised one line above it, as
  a printed formula does;
- the one-line form (inline math, and display math too wide for the screen)
  writes such a subscript after `_`, without parentheses when it is one word
  (`s_best`); see `render.linear`.

It is pure and fast (well under a millisecond a formula), so the app lays
out a step's display math in its first frame; the result is the formula as
the author wrote it, never reordered. When the layout is wider than `width`
the caller gets None and shows the one-line form (which scrolls sideways).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.cells import cell_width
from tutor.symbolic.tex_walk import TexWalk


@dataclass(frozen=True)
class Box:
    """A block of terminal text with a baseline: the row that lines up with its neighbours."""

    rows: tuple[str, ...]
    base: int = 0

    @property
    def width(self) -> int:
        return max((cell_width(row) for row in self.rows), default=0)

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def flat(self) -> bool:
        return len(self.rows) == 1

    def padded(self, above: int, below: int) -> tuple[str, ...]:
        width = self.width
        rows = [row + " " * (width - cell_width(row)) for row in self.rows]
        blank = " " * width
        return (blank,) * above + tuple(rows) + (blank,) * below


def text(chars: str) -> Box:
    return Box((chars,))


def hcat(boxes: list[Box]) -> Box:
    """Boxes side by side, baselines on one row."""
    boxes = [b for b in boxes if b.rows and b.width]
    if not boxes:
        return text("")
    above = max(b.base for b in boxes)
    below = max(b.height - b.base - 1 for b in boxes)
    columns = [b.padded(above - b.base, below - (b.height - b.base - 1)) for b in boxes]
    return Box(tuple("".join(parts) for parts in zip(*columns, strict=True)), above)


def _centred(box: Box, width: int) -> list[str]:
    left = (width - box.width) // 2
    return [" " * left + row + " " * (width - left - cell_width(row)) for row in box.padded(0, 0)]


def stack(top: Box | None, middle: Box, bottom: Box | None) -> Box:
    """`middle` with `top` centred above and `bottom` centred below (a sum's limits)."""
    parts = [b for b in (top, middle, bottom) if b is not None]
    width = max(b.width for b in parts)
    rows: list[str] = []
    for part in parts:
        rows += _centred(part, width)
    return Box(tuple(rows), (top.height if top else 0) + middle.base)


def fraction(top: Box, bottom: Box, ascii: bool) -> Box:
    width = max(top.width, bottom.width) + 2
    rule = ("-" if ascii else "─") * width
    rows = [*_centred(top, width), rule, *_centred(bottom, width)]
    if ascii:  # a rule of '-' must not run into a minus sign or a word
        rows = [f" {row} " for row in rows]
    return Box(tuple(rows), top.height)


def scripted(base: Box, sub: Box | None, sup: Box | None) -> Box:
    """`base` with a subscript lowered under its baseline and a superscript raised over its top."""
    top = sup.height if sup else 0
    under = top + base.base + 1  # the first row of the subscript
    height = max(top + base.height, under + (sub.height if sub else 0))
    width = max(sup.width if sup else 0, sub.width if sub else 0)
    left = [" " * base.width] * height
    left[top : top + base.height] = base.padded(0, 0)
    right = [" " * width] * height
    for box, first in ((sup, 0), (sub, under)):
        if box is not None:
            right[first : first + box.height] = [
                r + " " * (width - cell_width(r)) for r in box.padded(0, 0)
            ]
    return Box(tuple(a + b for a, b in zip(left, right, strict=True)), top + base.base)


def parenthesised(inner: Box, left: str, right: str, ascii: bool) -> Box:
    """`inner` between brackets as tall as it is."""
    if inner.height == 1:
        return hcat([text(left), inner, text(right)])
    sides = [_tall(bracket, inner, ascii) for bracket in (left, right)]
    return hcat([sides[0], inner, sides[1]])


_TALL = {
    "(": ("⎛", "⎜", "⎝"),
    ")": ("⎞", "⎟", "⎠"),
    "[": ("⎡", "⎢", "⎣"),
    "]": ("⎤", "⎥", "⎦"),
    "|": ("│", "│", "│"),
    "‖": ("‖", "‖", "‖"),
}
_TALL_ASCII = {"(": ("/", "|", "\\"), ")": ("\\", "|", "/"), "[": ("[", "[", "["), "]": ("]",) * 3}


def _tall(bracket: str, inner: Box, ascii: bool) -> Box:
    """A bracket as tall as `inner`, its baseline on `inner`'s."""
    if bracket in ("", "."):
        return text("")
    top, middle, bottom = (_TALL_ASCII if ascii else _TALL).get(bracket, (bracket,) * 3)
    return Box((top, *([middle] * (inner.height - 2)), bottom), inner.base)


# -- reading LaTeX into boxes ---------------------------------------------------------------------


def layout_display(latex: str, *, width: int, ascii: bool = False) -> str | None:
    """`latex` drawn in 2-D, or None when the drawing is wider than `width` or cannot be made."""
    from tutor.symbolic.render import to_ascii

    try:
        box = _Layout(latex, ascii=ascii).convert()
    except RecursionError:
        return None
    rows = [row.rstrip() for row in box.rows]
    while rows and not rows[0].strip():
        rows.pop(0)
    while rows and not rows[-1].strip():
        rows.pop()
    drawing = "\n".join(rows)
    if ascii:
        drawing = "\n".join(_ascii_row(row) for row in drawing.splitlines())
        if not drawing.isascii():
            drawing = to_ascii(drawing)
    if max((cell_width(row) for row in drawing.splitlines()), default=0) > width:
        return None
    return drawing


def _ascii_row(row: str) -> str:
    from tutor.symbolic.render import to_ascii

    return to_ascii(row)


class _Layout(TexWalk[Box]):
    """The walk of `render._Linear`, building boxes instead of a line."""

    def piece(self, chars: str) -> Box:
        return text(chars)

    def join(self, pieces: list[Box]) -> Box:
        return hcat(pieces)

    def script(self, pieces: list[Box], mark: str) -> None:
        base = pieces.pop() if pieces else text("")
        pieces.append(self._scripts(base, mark))

    def add_macro(self, pieces: list[Box], piece: Box) -> None:
        self.add_space_once(pieces, piece)

    def add_char(self, pieces: list[Box], char: str) -> None:
        self.add_space_once(pieces, text(char))

    @staticmethod
    def add_space_once(pieces: list[Box], box: Box) -> None:
        """Add `box`; a space after a space (`\\, ` or `\\;`) is one space."""
        blank = box.flat and box.rows[0] and not box.rows[0].strip()
        if blank and pieces and pieces[-1].flat and pieces[-1].rows[0].endswith(" "):
            return
        pieces.append(box)

    def _raw_argument(self) -> str:
        raw = self.raw_argument()
        return raw if raw is not None else self._linear(self.argument())

    @staticmethod
    def _linear(box: Box) -> str:
        return " ".join(row.strip() for row in box.rows if row.strip())

    def _scripts(self, base: Box, first: str) -> Box:
        """`base_{sub}^{sup}` in either order, as glyphs where they all exist, else lowered/raised."""
        scripts = {first: self.argument()}
        rest = self.text[self.pos :].lstrip(" ")
        other = "^" if first == "_" else "_"
        if rest.startswith(other):
            self.pos = len(self.text) - len(rest) + 1
            scripts[other] = self.argument()
        sub, sup = scripts.get("_"), scripts.get("^")
        tail = []
        for mark, box in (("_", sub), ("^", sup)):
            glyphs = self._glyphs(box, mark)
            if glyphs is not None:
                tail.append(text(glyphs))
                if mark == "_":
                    sub = None
                else:
                    sup = None
        if sub is None and sup is None:
            return hcat([base, *tail])
        drawn = scripted(base, sub, sup)
        return hcat([drawn, *tail]) if tail else drawn

    def _glyphs(self, box: Box | None, mark: str) -> str | None:
        """The script on the line: Unicode glyphs, or in ASCII a subscript after `_`."""
        from tutor.symbolic.render import _SUBSCRIPTS, _SUPERSCRIPTS

        if box is None or not box.flat:
            return None
        if self.ascii:
            body = box.rows[0].strip()
            if mark != "_" or not body:
                return None
            return f"_{body}" if re.fullmatch(r"[A-Za-z0-9]+", body) else f"_({body})"
        table = _SUBSCRIPTS if mark == "_" else _SUPERSCRIPTS
        body = box.rows[0]
        if body and all(c in table for c in body):
            return "".join(table[c] for c in body)
        return None

    def macro(self) -> Box:
        from tutor.symbolic.render import (
            _GREEK_LETTERS,
            _MACROS,
            _TEXT_MACROS,
            RAW_TEXT_MACROS,
            _spaced,
        )

        name = self.macro_name()
        if not name:
            return text("")
        if name in ("frac", "dfrac", "tfrac"):
            return fraction(self.argument(), self.argument(), self.ascii)
        if name == "sqrt":
            return hcat([text("√"), parenthesised(self.argument(), "(", ")", self.ascii)])
        if name in RAW_TEXT_MACROS:
            return text(self._raw_argument())
        if name in _TEXT_MACROS:
            return self.argument()
        if name == "left":
            return self._delimited()
        if name == "right":
            self.pos += 1 if self.pos < len(self.text) else 0
            return text("")
        if name in ("sum", "prod"):
            return self._big("Σ" if name == "sum" else "Π")
        if name == "hat":
            inner = self.argument()
            if inner.flat and cell_width(inner.rows[0]) == 1 and not self.ascii:
                return text(inner.rows[0] + "\u0302")
            return hcat([text("hat("), inner, text(")")])
        if name == "mathbb":
            return text({"E": "𝔼", "R": "ℝ", "N": "ℕ"}.get(self._linear(self.argument()), ""))
        macro = _MACROS.get("\\" + name)
        if macro is not None:
            scripted_next = self.text[self.pos : self.pos + 1] in ("_", "^")
            return text(macro if scripted_next else _spaced(macro))
        return text(_GREEK_LETTERS.get(name, name))

    def _delimited(self) -> Box:
        """`\\left( … \\right)`: the brackets grow with the content."""
        opening = self._delimiter()
        depth, start = 1, self.pos
        for match in re.finditer(r"\\(left|right)(?![A-Za-z])", self.text[start:]):
            depth += 1 if match.group(1) == "left" else -1
            if depth == 0:
                inner = _Layout(self.text[start : start + match.start()], ascii=self.ascii)
                self.pos = start + match.end()
                closing = self._delimiter()
                return parenthesised(inner.convert(), opening, closing, self.ascii)
        return text(opening)

    def _delimiter(self) -> str:
        rest = self.text[self.pos :]
        for written, shown in (("\\{", "{"), ("\\}", "}"), ("\\|", "‖"), ("\\lVert", "‖")):
            if rest.startswith(written):
                self.pos += len(written)
                return shown
        if rest[:1]:
            self.pos += 1
        return rest[:1]

    def _big(self, symbol: str) -> Box:
        """Σ with its limits under and over it; a lone glyph index stays on the line (Σⱼ)."""
        limits: dict[str, Box] = {}
        for _ in range(2):
            rest = self.text[self.pos :].lstrip(" ")
            if rest[:1] in ("_", "^") and rest[:1] not in limits:
                self.pos = len(self.text) - len(rest) + 1
                limits[rest[:1]] = self.argument()
        sub, sup = limits.get("_"), limits.get("^")
        symbol = "sum" if self.ascii and symbol == "Σ" else symbol
        symbol = "prod" if self.ascii and symbol == "Π" else symbol
        if sup is None and sub is not None:
            glyphs = self._glyphs(sub, "_")
            if glyphs is not None:
                return text(symbol + glyphs + " ")
        if sub is None and sup is None:
            return text(symbol + " ")
        return hcat([stack(sup, text(symbol), sub), text(" ")])
