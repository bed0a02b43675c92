"""Formulas as terminal math: 2-D (sympy's pretty printer) in Unicode, or ASCII.

    render_formula(formula, ascii=False) -> str    # how an answer was read
    render_expr(expr, ascii=False) -> str          # any sympy object
    latex_to_terminal(latex, ascii=False) -> str   # the lessons' $…$ math

`latex_to_terminal` reads the LaTeX with the learner's reader when it can
(declaring the single letters it finds, so `H(p,q)`-free formulas such as
`-\\sum_i p_i \\log q_i` come out 2-D) and otherwise falls back to a clean
one-line Unicode form from pylatexenc plus a small macro table. It never
shows raw backslashes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tutor.symbolic.domain import SymbolKind, SymbolSpec
from tutor.symbolic.reader import Formula, read_formula
from tutor.symbolic.tex_walk import TexWalk
from tutor.symbolic.tree import Node, SymbolTable

WIDTH = 78  # sympy wraps wider output; terminals are 80 columns at least


def render_expr(expr, *, ascii: bool = False) -> str:
    import sympy as sp

    return sp.pretty(expr, use_unicode=not ascii, num_columns=WIDTH)


def render_formula(formula: Formula, *, ascii: bool = False, notes: bool = True) -> str:
    """How `formula` was read, as 2-D terminal math (Σ over the entries, subscripts).

    Under the drawing, what the reader understood beyond the syntax: typed
    characters it mapped (`γ → gamma`) and how the sums' bounds count.
    """
    specs = tuple(sorted(formula.table.specs.items()))
    text = _drawn(formula.tree, specs, ascii, formula.base or 0)
    said = [f"({note})" for note in formula.notes] if notes else []
    if ascii:
        said = [to_ascii(note) for note in said]
    return "\n".join([text, *said])


@lru_cache(maxsize=512)
def _drawn(tree: Node, specs: tuple, ascii: bool, base: int) -> str:
    """The 2-D drawing of a tree; cached, as the read-as preview already drew what is graded."""
    from tutor.symbolic.interpret import to_display

    drawn = to_display(tree, SymbolTable(dict(specs)), ascii=ascii, base=base)
    return render_expr(drawn, ascii=ascii)


# -- LaTeX for display ----------------------------------------------------------------------------

_MACROS = {
    r"\sum": "Σ", r"\prod": "Π", r"\log": "log", r"\ln": "ln", r"\exp": "exp", r"\cdot": "·",
    r"\times": "×", r"\infty": "∞", r"\leq": "≤", r"\le": "≤", r"\geq": "≥", r"\ge": "≥",
    r"\neq": "≠", r"\ne": "≠", r"\approx": "≈", r"\to": "→", r"\rightarrow": "→", r"\Rightarrow": "⇒",
    r"\mid": "|", r"\|": "‖", r"\parallel": "‖", r"\in": "∈", r"\partial": "∂", r"\nabla": "∇",
    r"\pm": "±", r"\min": "min", r"\max": "max", r"\arg": "arg", r"\lVert": "‖", r"\rVert": "‖",
    r"\left": "", r"\right": "", r"\,": " ", r"\;": " ", r"\!": "", r"\quad": "  ",
    r"\{": "{", r"\}": "}", r"\ldots": "…", r"\dots": "…", r"\cdots": "⋯", r"\top": "ᵀ",
    r"\mathbb{E}": "𝔼", r"\log_2": "log₂", r"\sim": "~", r"\propto": "∝",
}  # fmt: skip
_ASCII = {
    "Σ": "sum", "Π": "prod", "·": "*", "×": "x", "∞": "inf", "≤": "<=", "≥": ">=", "≠": "!=",
    "≈": "~=", "→": "->", "⇒": "=>", "‖": "||", "∈": " in ", "∂": "d", "∇": "grad", "±": "+-",
    "…": "...", "⋯": "...", "ᵀ": "^T", "𝔼": "E", "log₂": "log2", "∝": "~",
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "eps", "η": "eta",
    "θ": "theta", "λ": "lambda", "μ": "mu", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau",
    "φ": "phi", "ψ": "psi", "ω": "omega", "ℓ": "l", "−": "-", "ᵃ": "^a", "ᵇ": "^b",
    "₀": "0", "₁": "1", "₂": "2", "ᵢ": "_i", "✓": "[ok]",
}  # fmt: skip
_GREEK_LETTERS = {
    "epsilon": "ε", "varepsilon": "ε", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ",
    "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "phi": "φ", "psi": "ψ", "omega": "ω", "ell": "ℓ",
}  # fmt: skip


def latex_to_terminal(latex: str, ascii: bool = False) -> str:
    """Display math for a terminal: 2-D (sympy's when the reader understands it, else laid
    out from the LaTeX as written) when it fits `WIDTH`, else one clean line."""
    formula = _read_for_display(latex)
    if formula is not None:
        try:
            return render_formula(formula, ascii=ascii, notes=False)  # a lesson's math, as printed
        except Exception:  # noqa: BLE001 - any printer failure falls back to the layout
            pass
    from tutor.symbolic.layout import layout_display

    return layout_display(latex, width=WIDTH, ascii=ascii) or linear(latex, ascii=ascii)


def _read_for_display(latex: str) -> Formula | None:
    """Read display LaTeX, declaring as vectors the letters that carry a bound subscript."""
    equation = "=" in re.sub(r"_\{[a-z]=[^}]*\}", "", latex)  # not the `=` of \sum_{i=1}
    if equation or len(latex) > 400:
        return None
    letters = set(re.findall(r"(?<![\\A-Za-z])([A-Za-z])(?![A-Za-z])", latex))
    sum_indices = set(re.findall(r"\\sum_\{?([a-z])", latex))
    vectors = {
        m for m, _ in re.findall(r"(?<![\\A-Za-z])([A-Za-z])_\{?([a-z])", latex) if _ in sum_indices
    }
    # the size the sums run to (`\sum_{i=1}^{N}`): the vectors' size, when there is one
    ends = set(re.findall(r"\\sum_\{[a-z]=[^}]*\}\^\{?([A-Z])", latex))
    size = ends.pop() if len(ends) == 1 else "K"
    specs: dict[str, SymbolSpec] = {}
    for letter in sorted(letters - sum_indices - {"e", size}):
        if letter in vectors:
            specs[letter] = SymbolSpec(letter, SymbolKind.VECTOR, size)
        elif re.search(rf"(?<![\\A-Za-z]){letter}_\{{?[a-z]", latex):
            continue  # an index letter used only in subscripts, like y in z_y
        else:
            specs[letter] = SymbolSpec(letter, SymbolKind.REAL)
    for index in set(re.findall(r"_\{?([a-z])\}?", latex)) - sum_indices - vectors:
        specs[index] = SymbolSpec(index, SymbolKind.INDEX, "K")
    if "K" not in specs and not any(s.kind.is_vector for s in specs.values()):
        specs.pop("K", None)
    table = SymbolTable.of(specs)
    formula = read_formula(latex, table)
    return formula if isinstance(formula, Formula) else None


def linear(latex: str, *, ascii: bool = False) -> str:
    """A one-line Unicode (or ASCII) form of any LaTeX, without backslashes.

    Braces are matched, so nested forms read right: `\\frac{e^{z_k}}{\\sum_j e^{z_j}}`
    becomes `e^(zₖ)/(Σⱼ e^(zⱼ))`, and a fraction after log, ln or exp is its
    argument: `\\log\\frac{p_i}{q_i}` is `log(pᵢ/qᵢ)`, never `(log pᵢ)/qᵢ`.
    A subscript without Unicode glyphs follows `_`: `s_best`, `w_yₙ` (see layout.py).
    """
    text = _Linear(latex, ascii=ascii).convert()
    # a fraction is set off by spaces only where it touches a word: `1/N Σ`, but `-1/N`
    text = re.sub(rf"(?<=[\w)]){_OPEN}", " ", text).replace(_OPEN, "")
    text = re.sub(rf"{_CLOSE}(?=[\w(Σ𝔼√])", " ", text).replace(_CLOSE, "")
    text = re.sub(r"\s+", " ", text).strip()
    return to_ascii(text) if ascii else text


_SUBSCRIPTS = dict(
    zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)
)
_SUPERSCRIPTS = dict(zip("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ", strict=True))
_FUNCTION_BEFORE = re.compile(r"(?<![A-Za-z])(log|ln|exp)(?:[₀-₉]*|_[0-9]+)\s*$")
_OPEN, _CLOSE = "\x01", "\x02"  # where a fraction begins and ends, until spacing is decided
_TEXT_MACROS = {
    "mathrm",
    "operatorname",
    "text",
    "mathit",
    "mathbf",
    "textrm",
    "texttt",
    "mathcal",
    "boldsymbol",
}
RAW_TEXT_MACROS = {"text", "texttt", "textrm", "mathrm", "operatorname"}


class _Linear(TexWalk[str]):
    """A small brace-aware reader of LaTeX that writes linear Unicode math."""

    def piece(self, chars: str) -> str:
        return chars

    def join(self, pieces: list[str]) -> str:
        return "".join(pieces)

    def add_macro(self, pieces: list[str], piece: str) -> None:
        if piece.startswith(_OPEN) and _FUNCTION_BEFORE.search("".join(pieces)):
            pieces[:] = ["".join(pieces).rstrip()]
            piece = f"({piece[1:-1]})"  # log a/b would read as (log a)/b
        pieces.append(piece)

    def script(self, pieces: list[str], mark: str) -> None:
        pieces.append(self._script(self._argument(), mark))

    def _argument(self) -> str:
        """The next argument; a macro's without the space `_spaced` puts after a word."""
        macro = self.text[self.pos :].lstrip(" ").startswith("\\")
        return self.argument().strip() if macro else self.argument()

    def macro(self) -> str:
        name = self.macro_name()
        if not name:
            return ""
        if name in ("frac", "dfrac", "tfrac"):
            top, bottom = self._argument(), self._argument()
            return f"{_OPEN}{_grouped(top)}/{_grouped(bottom)}{_CLOSE}"
        if name == "sqrt":
            return f"√({self._argument()})"
        if name in RAW_TEXT_MACROS:  # words as written: `\\texttt{log_softmax}` has no subscript
            raw = self.raw_argument()
            if raw is not None:
                return raw
        if name in _TEXT_MACROS:
            return self._argument()
        if name == "hat":
            argument = self._argument()
            return (
                argument + "\u0302" if len(argument) == 1 and not self.ascii else f"hat({argument})"
            )
        if name == "mathbb":
            return {"E": "𝔼", "R": "ℝ", "N": "ℕ"}.get(self._argument(), "")
        macro = _MACROS.get("\\" + name)
        if macro is not None:
            scripted = self.text[self.pos : self.pos + 1] in ("_", "^")
            return macro if scripted else _spaced(macro)
        return _GREEK_LETTERS.get(name, name)

    def _script(self, body: str, mark: str) -> str:
        """`x_k` as xₖ where Unicode has the glyphs (not in ASCII mode), else `_k`, `^(C-1)`."""
        table = _SUBSCRIPTS if mark == "_" else _SUPERSCRIPTS
        if body and not self.ascii and all(c in table for c in body):
            return "".join(table[c] for c in body)
        if len(body) <= 1 or (mark == "_" and re.fullmatch(r"[^\W_]+", body)):
            return f"{mark}{body}"  # s_best, w_yₙ: one word needs no parentheses
        return f"{mark}({body})"


def linear_macros() -> frozenset[str]:
    """The macro names the linear form knows; `validate` names others (shown as bare words)."""
    names = {macro.lstrip("\\") for macro in _MACROS if macro[1:].isalpha()}
    return frozenset(
        names
        | _TEXT_MACROS
        | set(_GREEK_LETTERS)
        | {"frac", "dfrac", "tfrac", "sqrt", "mathbb", "hat"}
    )


def _grouped(part: str) -> str:
    part = part.strip()
    return part if re.fullmatch(r"[\w.]+|[A-Za-z]+\([^()]*\)", part) else f"({part})"


def _spaced(symbol: str) -> str:
    return f"{symbol} " if symbol.isascii() and symbol.isalpha() else symbol


def to_ascii(text: str) -> str:
    """Unicode math text (Σ, ε, ‖, −, …) spelled in ASCII for a non-UTF-8 terminal."""
    for uni, plain in sorted(_ASCII.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(uni, plain)
    return text.encode("ascii", "replace").decode("ascii")
