"""Terminal math the grading service draws for the app: lesson math, read-as, derivations.

Drawing 2-D math takes sympy (≈ 2.8 s of CPU to import and warm, ≈ 60 MB).
Doing it here, in the service that already holds sympy for grading, keeps
sympy out of every learner's app: one import per class instead of one per
learner. Every function is pure; the service caches what they return.
"""

from __future__ import annotations

from dataclasses import replace

from tutor.i18n import N_, _
from tutor.pack.model import Derivation as DerivationBlock
from tutor.symbolic.domain import SymbolSpec

NOTHING_TYPED = N_("Read as: (type a formula)")  # the preview's label before any text


def draw_math(latex: str, ascii: bool = False) -> str:
    """A lesson's display math, 2-D where the reader understands it (no trailing spaces)."""
    from tutor.symbolic.render import latex_to_terminal

    text = latex_to_terminal(latex, ascii=ascii)
    return "\n".join(line.rstrip() for line in text.splitlines())


def read_as(text: str, symbols: dict[str, SymbolSpec], ascii: bool = False) -> tuple[str, str]:
    """(label, 2-D drawing) of how a formula answer reads against the exercise's symbols.

    This is how STACK and PrairieLearn keep a typo from being mistaken for a
    wrong idea: the learner sees what the reader made of their text first.
    """
    if not text.strip():
        return _(NOTHING_TYPED), ""
    from tutor.symbolic.reader import Unreadable, read_formula
    from tutor.symbolic.render import render_formula
    from tutor.symbolic.tree import SymbolTable

    formula = read_formula(text, SymbolTable.of(symbols))
    if isinstance(formula, Unreadable):
        return _("Cannot read yet: {problem}").format(problem=formula.message), ""
    try:
        return _("Read as:"), render_formula(formula, ascii=ascii)
    except Exception as error:  # noqa: BLE001 - a printer failure must not lose the input
        return _("Read, but cannot draw it: {error}").format(error=error), ""


def engine_derivation(block: DerivationBlock):
    """The symbolic engine's derivation for a lesson's block (None: no such built-in)."""
    from tutor.symbolic.derivations import BUILTIN_DERIVATIONS, Derivation, Step

    if block.use:
        return BUILTIN_DERIVATIONS.get(block.use)
    return Derivation(
        name="",
        title=block.title,
        symbols=block.symbols,
        steps=tuple(Step(s.expr, s.reason) for s in block.steps),
    )


def draw_derivation_steps(derivation, results=None, ascii: bool = False) -> list[str]:
    """renderings[k]: the first k + 1 steps, with proof marks when `results` are given.

    The title is left out: the app shows it on the block's border.
    """
    from tutor.symbolic.derivations import render_derivation

    renderings = []
    for k in range(len(derivation.steps)):
        part = replace(derivation, steps=derivation.steps[: k + 1])
        marks = results[: k + 1] if results is not None else None
        text = render_derivation(part, marks, ascii=ascii)
        renderings.append("\n".join(text.split("\n")[2:]).rstrip())
    return renderings


def derivation_view(block: DerivationBlock, ascii: bool = False, prove: bool = False) -> dict:
    """What the app shows of a derivation: title, renderings per step, proved, problem."""
    from tutor.symbolic.derivations import spoken

    derivation = engine_derivation(block)
    if derivation is None:
        problem = _("no built-in derivation {name}").format(name=repr(block.use))
        return {"title": block.title, "renderings": [], "proved": False, "problem": problem}
    results, problem = None, None
    if prove:
        from tutor.symbolic.derivations import prove as prove_steps

        try:
            results = prove_steps(derivation)
        except Exception as error:  # noqa: BLE001 - shown as "not checked", never raised
            problem = _("could not be checked: {error}").format(error=error)
    return {
        "title": spoken(derivation)(derivation.title) or block.title or _("Derivation"),
        "renderings": draw_derivation_steps(derivation, results, ascii),
        "proved": results is not None,
        "problem": problem,
    }
