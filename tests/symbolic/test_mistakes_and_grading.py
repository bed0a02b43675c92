"""Known mistakes are named; the formula grader returns the right Verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.grading.formula import check_formula_exercise, grade_formula
from tutor.grading.verdict import Status
from tutor.pack.model import FormulaExercise, Location, Misconception
from tutor.symbolic.domain import SymbolKind, SymbolSpec
from tutor.symbolic.mistakes import GENERIC, generic_mistakes, match_mistake
from tutor.symbolic.reader import Formula, read_formula
from tutor.symbolic.tree import SymbolTable, to_text

from .conftest import ALL

TABLE = SymbolTable.of(ALL)
HERE = Location(Path("lesson.md"), 10)

# references on which each generic mistake applies
REFERENCES = {
    "sign-flipped": "logsumexp(z) - z[y]",
    "reverse-kl": "sum(p*log(p/q))",
    "log-base-2": "-sum(p*log(q))",
    "forgot-mean": "mean(-log_softmax(z))",
    "smoothing-k-minus-1": "-sum(((1 - eps)*onehot(y, K) + eps/K)*log_softmax(z))",
    "logits-as-probabilities": "-log(softmax(z)[y])",
    "double-softmax": "logsumexp(z) - z[y]",
}


def read(text: str) -> Formula:
    formula = read_formula(text, TABLE)
    assert isinstance(formula, Formula), getattr(formula, "message", "")
    return formula


def test_the_library_covers_the_issue_list():
    assert {g.tag for g in GENERIC} == set(REFERENCES)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(sorted(REFERENCES)))
def test_each_generic_mistake_applied_to_a_reference_is_named(tag):
    reference = read(REFERENCES[tag])
    mistakes = generic_mistakes(reference)
    wrong = next(m for m in mistakes if m.tag == tag)
    # the learner types the rewritten formula as text: it must read back and be named
    answer = read(to_text(wrong.formula.tree))
    found = match_mistake(answer, mistakes)
    assert found is not None and found.tag == tag


@pytest.mark.parametrize(
    ("answer", "tag"),
    [
        ("-log(z[y])", "logits-as-probabilities"),
        ("-log(softmax(softmax(z))[y])", "double-softmax"),
        ("z[y] - logsumexp(z)", "sign-flipped"),
    ],
)
def test_typical_hand_written_mistakes_are_named(answer, tag):
    reference = read("logsumexp(z) - z[y]")
    found = match_mistake(read(answer), generic_mistakes(reference))
    assert found is not None and found.tag == tag


def exercise(**extra) -> FormulaExercise:
    return FormulaExercise(
        id="kl",
        prompt="Write D(p‖q).",
        location=HERE,
        points=2.0,
        answer="sum(p*log(p/q))",
        symbols={
            "p": SymbolSpec("p", SymbolKind.DISTRIBUTION, "K"),
            "q": SymbolSpec("q", SymbolKind.DISTRIBUTION, "K"),
        },
        **extra,
    )


def test_a_right_answer_in_latex_is_correct_and_echoed():
    verdict = grade_formula(exercise(), r"\sum_i p_i \log\frac{p_i}{q_i}")
    assert verdict.status is Status.CORRECT
    assert verdict.score == 2.0
    assert "pᵢ" in verdict.read_as
    ascii = grade_formula(exercise(), "sum(p*log(p/q))", ascii=True)
    assert ascii.read_as.isascii() and "p_i" in ascii.read_as


def test_the_exercise_misconception_comes_before_the_library():
    own = Misconception(
        tag="own-reverse", feedback="D(q‖p), not D(p‖q).", location=HERE, answer="sum(q*log(q/p))"
    )
    verdict = grade_formula(exercise(misconceptions=[own]), "sum(q*log(q/p))")
    assert verdict.status is Status.INCORRECT
    assert verdict.mistake == "own-reverse"
    assert verdict.feedback == "D(q‖p), not D(p‖q)."
    generic = grade_formula(exercise(), "sum(q*log(q/p))")
    assert generic.mistake == "reverse-kl"


def test_an_unnamed_wrong_answer_shows_where_it_differs():
    verdict = grade_formula(exercise(), "sum(p*q)")
    assert verdict.status is Status.INCORRECT
    assert verdict.mistake is None
    assert "expected value" in verdict.feedback
    assert verdict.score == 0


def test_unreadable_answer_charges_no_attempt():
    verdict = grade_formula(exercise(), "sum(p*lg(p/q))")
    assert verdict.status is Status.UNREADABLE
    assert not verdict.status.charges_attempt
    assert "column 7" in verdict.feedback


def test_validate_finds_a_misconception_equal_to_the_answer_and_an_unreadable_one():
    same = Misconception(
        tag="not-wrong",
        feedback="",
        location=Location(HERE.path, 14),
        answer="sum(p*log(p)) - sum(p*log(q))",
    )
    broken = Misconception(
        tag="broken", feedback="", location=Location(HERE.path, 17), answer="sum(p*"
    )
    fine = Misconception(tag="fine", feedback="", location=HERE, answer="sum(q*log(q/p))")
    problems = check_formula_exercise(exercise(misconceptions=[same, broken, fine]))
    assert [(offset, message.split(" ")[1]) for offset, message in problems] == [
        (4, "`not-wrong`"),
        (7, "`broken`"),
    ]


def test_validate_reports_an_unreadable_reference_and_bad_symbols():
    bad = exercise()
    bad.answer = "sum(p*log(p/r))"
    bad.symbols["w"] = SymbolSpec("w", SymbolKind.REAL, "K")
    messages = [m for _, m in check_formula_exercise(bad)]
    assert any("has no size" in m for m in messages)
    assert any("does not read" in m and "`r`" in m for m in messages)
    assert check_formula_exercise(exercise()) == []
