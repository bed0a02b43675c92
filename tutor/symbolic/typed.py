"""What an input method types, brought back to the formula syntax before reading.

A learner on a Chinese or Japanese input method types `（`, `，`, full-width
digits and `、`; a phone or a Greek keyboard gives `γ`, `τ`, `ε`, `σ`, `x²`.
`normalise_typed` maps these to the plain or LaTeX syntax (NFKC for the
full-width forms, a small table for the rest), keeps each output
character's source column so errors still point at what was typed, and
lists what it changed so the read-as can say what was understood
("（ → (", "γ → gamma").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from tutor.symbolic.tree import SymbolTable

# typed by input methods and not mapped by NFKC to what a formula means
CJK_PUNCTUATION = {"、": ",", "。": ".", "【": "[", "】": "]", "〔": "(", "〕": ")"}
OPERATORS = {"−": "-", "·": "*", "⋅": "*", "×": "*", "÷": "/", "∗": "*", "–": "-"}
LATEX_OPERATORS = {"·": "\\cdot ", "⋅": "\\cdot ", "×": "\\times ", "∗": "*"}
# Greek letters typed as characters: their names, then the declared names they may stand for
GREEK = {
    "α": ("alpha",), "β": ("beta",), "γ": ("gamma",), "δ": ("delta",),
    "ε": ("epsilon", "eps"), "ϵ": ("epsilon", "eps"), "η": ("eta",), "θ": ("theta",),
    "λ": ("lambda", "lam"), "μ": ("mu",), "π": ("pi",), "ρ": ("rho",), "σ": ("sigma",),
    "τ": ("tau", "T"), "φ": ("phi",), "ϕ": ("phi",), "ψ": ("psi",), "ω": ("omega",), "ℓ": ("ell", "l"),
}  # fmt: skip
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True))
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789", strict=True))


@dataclass
class Typed:
    """The normalised text, the source column of each of its characters, and what changed."""

    text: str
    cols: list[int]
    notes: list[str] = field(default_factory=list)

    def column(self, col: int) -> int:
        """The source column of a 1-based column of the normalised text."""
        if not self.cols:
            return col
        return self.cols[min(max(col - 1, 0), len(self.cols) - 1)]


def looks_like_latex(text: str) -> bool:
    return "\\" in text or "_{" in text or "^{" in text


def normalise_typed(text: str, table: SymbolTable, *, latex: bool) -> Typed:
    """`text` in the formula syntax; characters it cannot map are left for the reader to refuse."""
    out: list[str] = []
    cols: list[int] = []
    notes: list[str] = []

    def emit(piece: str, col: int) -> None:
        out.append(piece)
        cols.extend([col] * len(piece))

    def note(char: str, meaning: str) -> None:
        entry = f"{char} → {meaning.strip()}"
        if entry not in notes:
            notes.append(entry)

    pos = 0
    while pos < len(text):
        char, col = text[pos], pos + 1
        pos += 1
        if char.isascii():
            emit(char, col)
            continue
        if char in SUPERSCRIPTS or char in SUBSCRIPTS:
            marks = SUPERSCRIPTS if char in SUPERSCRIPTS else SUBSCRIPTS
            run = char
            while pos < len(text) and text[pos] in marks:
                run += text[pos]
                pos += 1
            digits = "".join(marks[c] for c in run)
            if marks is SUPERSCRIPTS:
                emit(f"^{{{digits}}}" if latex else f"^({digits})", col)
            else:
                emit(f"_{{{digits}}}" if latex else f"[{digits}]", col)
            note(run, ("^" if marks is SUPERSCRIPTS else "_") + digits)
            continue
        if latex and char in LATEX_OPERATORS:
            emit(LATEX_OPERATORS[char], col)
            continue
        if char in OPERATORS:
            emit(OPERATORS[char], col)
            continue
        if char in GREEK:
            name = greek_name(char, table)
            if latex:
                emit(f"\\{GREEK[char][0]} ", col)
            else:
                emit(f" {name} ", col)
            note(char, name)
            continue
        mapped = CJK_PUNCTUATION.get(char) or unicodedata.normalize("NFKC", char)
        if mapped.isascii() and mapped.strip() or mapped == " ":
            emit(mapped, col)
            if mapped != " ":
                note(char, mapped)
            continue
        emit(char, col)  # the reader names it in its error
    return Typed("".join(out), cols, notes)


def greek_name(char: str, table: SymbolTable) -> str:
    """The declared symbol a typed Greek letter stands for, else its name (π: the constant)."""
    names = GREEK[char]
    for name in names:
        if name in table.specs:
            return name
    return names[0]
