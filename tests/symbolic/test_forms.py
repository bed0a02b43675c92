"""Form requirements (issue 14): `require: [no-overflow]` and `forbid:` on formula exercises."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pack.helpers import line_of, validate_lesson
from tutor.grading.formula import check_formula_exercise, decide, grade_formula
from tutor.grading.verdict import Status
from tutor.pack.discovery import builtin_pack_dir
from tutor.pack.loader import load_pack
from tutor.pack.model import FormulaExercise, Location
from tutor.symbolic.domain import SymbolKind, SymbolSpec
from tutor.symbolic.equivalence import Outcome
from tutor.symbolic.forms import forbid_problem, forbidden_in, parse_pattern
from tutor.symbolic.reader import Formula, read_formula
from tutor.symbolic.tree import SymbolTable

Z = {"z": SymbolSpec("z", SymbolKind.LOGITS, "K")}
STABLE = "max(z) + log(sum(exp(z - max(z))))"


def lse_trick(**form: list[str]) -> FormulaExercise:
    return FormulaExercise(
        id="lse", prompt="", location=Location(Path("l.md"), 1), answer=STABLE, symbols=Z, **form
    )


def test_without_a_requirement_the_naive_form_is_right():
    assert grade_formula(lse_trick(), "log(sum(exp(z)))").status is Status.CORRECT


@pytest.mark.parametrize(
    "answer",
    ["log(sum(exp(z)))", r"\log \sum_i e^{z_i}", "log(sum(exp(z + 1))) - 1"],
)
def test_no_overflow_refuses_a_form_that_overflows_and_says_why(answer):
    verdict = grade_formula(lse_trick(require=["no-overflow"]), answer)
    assert verdict.status is Status.INCORRECT
    assert verdict.mistake == "overflows"
    assert "overflow" in verdict.feedback and "maximum" in verdict.feedback


@pytest.mark.parametrize(
    "answer",
    [
        STABLE,
        r"\max_i z_i + \log\sum_j e^{z_j - \max_i z_i}",
        "max(z) + log(sum(exp(-(max(z) - z))))",
    ],
)
def test_no_overflow_accepts_the_stable_forms(answer):
    assert grade_formula(lse_trick(require=["no-overflow"]), answer).status is Status.CORRECT


def test_forbid_names_the_function_and_matches_patterns():
    ex = lse_trick(forbid=["logsumexp", "log(sum(exp(z)))"])
    verdict = grade_formula(ex, "lse(z)")
    assert verdict.status is Status.INCORRECT and "`logsumexp`" in verdict.feedback
    verdict = grade_formula(ex, "log(sum(exp(z)))")
    assert verdict.mistake == "forbidden-form"
    assert grade_formula(ex, STABLE).status is Status.CORRECT


def test_patterns_parse_or_say_what_is_wrong():
    assert parse_pattern("log(sum(exp(…)))").fn == "log"
    assert parse_pattern("ln(_)").fn == "log"
    assert forbid_problem("log(sum(exp(z") is not None
    assert "not a function" in (forbid_problem("torch.logsumexp") or "")
    tree = read_formula("2*log(sum(exp(z)))", SymbolTable.of(Z))
    assert isinstance(tree, Formula)
    assert forbidden_in(tree.tree, ["exp", "sum(exp(…))"]) == "exp"
    assert forbidden_in(tree.tree, ["log(max(…))"]) is None
    assert forbidden_in(tree.tree, ["log(sum(exp(z)))"]) == "log(sum(exp(z)))"
    assert forbidden_in(tree.tree, ["log(sum(exp(q)))", "sum(…, …)"]) is None


def test_validate_reports_a_reference_that_breaks_its_own_requirements():
    bad = FormulaExercise(
        id="x",
        prompt="",
        location=Location(Path("l.md"), 1),
        answer="log(sum(exp(z)))",
        symbols=Z,
        require=["no-overflow"],
        forbid=["logsumexp"],
    )
    messages = [m for _, m in check_formula_exercise(bad)]
    assert any("overflows" in m for m in messages)
    assert check_formula_exercise(lse_trick(require=["no-overflow"], forbid=["logsumexp"])) == []


def test_the_loader_reports_unknown_requirements_and_bad_patterns_with_their_line(tmp_path):
    lesson = """\
---
id: forms
title: Forms
---

## A step

```exercise
id: lse
type: formula
prompt: Write it.
symbols:
  z: {kind: logits, size: K}
answer: max(z) + log(sum(exp(z - max(z))))
require: [no-overflw]
forbid: [logsumexp, "log(sum(exp(z"]
```
"""
    errors = validate_lesson(tmp_path, lesson, deep=False)
    messages = {e.message: e.line for e in errors}
    unknown = next(m for m in messages if "no-overflw" in m)
    assert "no-overflow" in unknown
    assert messages[unknown] == line_of(lesson, "require:")
    pattern = next(m for m in messages if "log(sum(exp(z" in m)
    assert messages[pattern] == line_of(lesson, "forbid:")


def test_the_builtin_lse_trick_refuses_the_naive_form():
    pack, errors = load_pack(builtin_pack_dir())
    exercise = next(
        e for lesson in pack.lessons for e in lesson.exercises if e.id == "lse-trick-formula"
    )
    assert isinstance(exercise, FormulaExercise)
    assert "no-overflow" in exercise.require
    verdict = grade_formula(exercise, "log(sum(exp(z)))")
    assert verdict.status is Status.INCORRECT and "overflow" in verdict.feedback
    assert grade_formula(exercise, exercise.answer).status is Status.CORRECT


def test_bounds_read_two_ways_are_right_only_if_right_both_ways():
    table = SymbolTable.of({"x": SymbolSpec("x", SymbolKind.VECTOR, "K")})
    # entries 0..K-2 counted from 1, or 1..K-1 counted from 0: the reference is one of them
    answer = read_formula(r"\sum_{i=1}^{K-1} x_i", table)
    assert isinstance(answer, Formula) and answer.alternative is not None
    first_dropped = read_formula("sum(x) - x[0]", table)
    assert isinstance(first_dropped, Formula)
    result = decide(first_dropped, answer, symbolic=False)
    assert result.outcome is Outcome.UNDECIDED
    assert "1 … K or 0 … K−1" in result.why
    whole = read_formula("sum(x)", table)
    assert isinstance(whole, Formula)
    assert decide(whole, answer, symbolic=False).outcome is Outcome.NOT_EQUIVALENT
