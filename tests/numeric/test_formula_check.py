"""Formula exercises: the symbolic `answer` against the torch `check`, at points of each kind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tutor.numeric.formula_check import check_formula_against_torch
from tutor.pack.model import FormulaExercise, Location
from tutor.symbolic.domain import SymbolKind, SymbolSpec

PQ = {
    "p": SymbolSpec("p", SymbolKind.DISTRIBUTION, "K"),
    "q": SymbolSpec("q", SymbolKind.DISTRIBUTION, "K"),
}
ZY = {"z": SymbolSpec("z", SymbolKind.LOGITS, "K"), "y": SymbolSpec("y", SymbolKind.INDEX, "K")}


def exercise(answer: str, check: str | None, symbols: dict) -> FormulaExercise:
    return FormulaExercise(
        id="f", prompt="", location=Location(Path("l.md"), 3), answer=answer, check=check,
        symbols=symbols,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "check", "symbols"),
    [
        ("sum(p*log(p/q))", "F.kl_div(log(q), p, reduction='sum')", PQ),
        ("-sum(p*log(q))", "-(p * q.log()).sum()", PQ),
        ("-sum(p*log(p))", "-(p * log(p)).sum()", PQ),
        ("logsumexp(z) - z[y]", "F.cross_entropy(z[None], torch.tensor([y]))", ZY),
        # float64 underflows in this form at logits of ±1000; mpmath settles it
        ("-log(softmax(z)[y])", "F.cross_entropy(z[None], torch.tensor([y]))", ZY),
        ("softmax(z)", "torch.softmax(z, 0)", ZY),
        ("-\\sum_i p_i \\log q_i", "-(p * q.log()).sum()", PQ),
    ],
)
def test_agreeing_pairs_pass(answer: str, check: str, symbols: dict) -> None:
    assert check_formula_against_torch(exercise(answer, check, symbols)) == []


def test_reversed_kl_is_reported_with_both_values() -> None:
    problems = check_formula_against_torch(
        exercise("sum(q*log(q/p))", "F.kl_div(log(q), p, reduction='sum')", PQ)
    )
    assert len(problems) == 1
    assert "the answer gives" in problems[0] and "the torch check gives" in problems[0]
    assert "p=[" in problems[0] and "q=[" in problems[0]


def test_an_unstable_check_is_reported_at_large_logits() -> None:
    problems = check_formula_against_torch(
        exercise("logsumexp(z) - z[y]", "-torch.softmax(z, 0)[y].log()", ZY)
    )
    assert problems and "inf" in problems[0]


def test_bad_texts_are_reported() -> None:
    assert check_formula_against_torch(exercise("sum(p*log(p/q))", None, PQ)) == []
    assert check_formula_against_torch(exercise("sum(p*", "p.sum()", PQ))[0].startswith("answer")
    assert "unknown name 'r'" in check_formula_against_torch(exercise("sum(p)", "r.sum()", PQ))[0]
    assert check_formula_against_torch(exercise("sum(p)", "p.__class__", PQ))[0].startswith("check")


def test_importing_the_number_grader_imports_neither_torch_nor_sympy() -> None:
    code = (
        "import sys, tutor.grading.number, tutor.numeric.params, tutor.numeric.answers;"
        "print('torch' in sys.modules, 'sympy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
