"""Grading number exercises: formats, tolerance, misconceptions, unreadable answers, validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.grading.number import (
    check_number_exercise,
    grade_number,
    number_exercise_problems,
    show_params,
)
from tutor.grading.verdict import Status
from tutor.numeric.answers import NotANumber, read_number, within
from tutor.numeric.expressions import evaluate, to_number
from tutor.numeric.params import draw_params, seed_for
from tutor.pack.model import Location, Misconception, NumberExercise, Tolerance

LOC = Location(Path("lesson.md"), 10)


def exercise(**changes) -> NumberExercise:
    fields = dict(
        id="seed-index-loss",
        prompt="What does nn.CrossEntropyLoss()(logits, target) return?",
        location=LOC,
        params={"logits": "randn(3, 4)", "target": "randint(0, 4, shape=(3,))"},
        reference="F.cross_entropy(logits, target)",
        formula="mean(logsumexp(logits, 1) - take(logits, target))",
        tolerance=Tolerance(rel=1e-3),
        points=2.0,
        misconceptions=[
            Misconception(
                tag="double-softmax",
                feedback="CrossEntropyLoss applies log_softmax itself.",
                location=Location(Path("lesson.md"), 14),
                reference="F.cross_entropy(softmax(logits, 1), target)",
            ),
            Misconception(
                tag="sum-not-mean",
                feedback="The default reduction is the mean.",
                location=Location(Path("lesson.md"), 18),
                reference="F.cross_entropy(logits, target, reduction='sum')",
            ),
        ],
    )
    fields.update(changes)
    return NumberExercise(**fields)


SEED = seed_for("pack", "lesson", "seed-index-loss", "alice")


def value_of(text: str, ex: NumberExercise | None = None) -> float:
    return to_number(evaluate(text, draw_params((ex or exercise()).params, SEED)))


def test_every_accepted_format_is_correct() -> None:
    ref = value_of("F.cross_entropy(logits, target)")
    for answer in (
        f"{ref:.4f}",
        f"{ref:.6f}",
        f"{ref:.4e}",
        f"tensor({ref:.4f})",
        f"tensor({ref:.4f}, grad_fn=<NllLossBackward0>)",
        f"  {ref:.5f}  ",
    ):
        verdict = grade_number(exercise(), answer, SEED)
        assert verdict.status is Status.CORRECT, answer
        assert verdict.score == 2.0
        assert verdict.mistake is None


def test_another_learner_has_another_answer() -> None:
    other = seed_for("pack", "lesson", "seed-index-loss", "bob")
    ref = value_of("F.cross_entropy(logits, target)")
    assert grade_number(exercise(), f"{ref:.5f}", other).status is Status.INCORRECT


def test_tolerance_bounds() -> None:
    ref = value_of("F.cross_entropy(logits, target)")
    assert grade_number(exercise(), repr(ref * (1 + 5e-4)), SEED).correct
    verdict = grade_number(exercise(), repr(ref * (1 + 5e-3)), SEED)
    assert verdict.status is Status.INCORRECT and verdict.score == 0
    loose = exercise(tolerance=Tolerance(abs=0.05))
    assert grade_number(loose, repr(ref + 0.04), SEED).correct
    assert not grade_number(loose, repr(ref + 0.06), SEED).correct


def test_significant_figures() -> None:
    tol = Tolerance(sig=3)
    assert within(1.29, 1.2914, tol) and within(1.2949, 1.2914, tol)
    assert not within(1.30, 1.2914, tol) and not within(1.28, 1.2914, tol)
    assert within(0.000123, 0.00012345, tol) and not within(0.000124, 0.00012345, tol)


def test_nan_and_inf() -> None:
    nan_tol = Tolerance(rel=1e-3)
    assert within(float("nan"), float("nan"), nan_tol)
    assert not within(0.0, float("nan"), nan_tol)
    assert within(float("inf"), float("inf"), nan_tol) and not within(1e308, float("inf"), nan_tol)
    all_ignored = exercise(
        params={"logits": "randn(3, 4)"},
        reference="F.cross_entropy(logits, torch.tensor([1, 1, 1]), ignore_index=1)",
        formula=None,
        misconceptions=[],
    )
    assert grade_number(all_ignored, "nan", SEED).correct
    assert grade_number(all_ignored, "tensor(nan)", SEED).correct
    assert grade_number(all_ignored, "0", SEED).status is Status.INCORRECT


@pytest.mark.parametrize(
    ("reference", "tag"),
    [
        ("F.cross_entropy(softmax(logits, 1), target)", "double-softmax"),
        ("F.cross_entropy(logits, target, reduction='sum')", "sum-not-mean"),
    ],
)
def test_misconceptions_are_named(reference: str, tag: str) -> None:
    wrong = value_of(reference)
    verdict = grade_number(exercise(), f"{wrong:.5f}", SEED)
    assert verdict.status is Status.INCORRECT
    assert verdict.mistake == tag
    assert verdict.feedback == next(m.feedback for m in exercise().misconceptions if m.tag == tag)


def test_unreadable_answers_are_not_charged() -> None:
    for answer in ("", "abc", "1,29", "log(2)", "3/4", "1 2", "tensor([1., 2.])"):
        verdict = grade_number(exercise(), answer, SEED)
        assert verdict.status is Status.UNREADABLE, answer
        assert not verdict.status.charges_attempt
        assert verdict.feedback


def test_too_few_digits_asks_for_more_without_charging() -> None:
    ref = value_of("F.cross_entropy(logits, target)")
    verdict = grade_number(exercise(tolerance=Tolerance(rel=1e-5)), f"{ref:.2f}", SEED)
    assert verdict.status is Status.UNREADABLE
    assert "more digits" in verdict.feedback
    assert verdict.details["reason"] == "precision"


def test_reader_formats() -> None:
    assert read_number("1.29e0").value == 1.29
    assert read_number("tensor(1.2914, grad_fn=<NllLossBackward0>)").value == 1.2914
    assert read_number("tensor(-0.5000, dtype=torch.float64)").value == -0.5
    assert read_number("−0.5").value == -0.5
    assert read_number("1.29").last_place == -2 and read_number("12e3").last_place == 3
    assert isinstance(read_number("tensor(1.2, grad_fn=<Mul>) + 1"), NotANumber)


def test_verdict_json_is_strict() -> None:
    verdict = grade_number(exercise(), "nan", SEED)
    json.dumps(verdict.to_json(), allow_nan=False)  # raises on a bare NaN
    assert verdict.to_json()["status"] == "incorrect"


def test_show_params_gives_plain_numbers() -> None:
    shown = show_params(exercise(), SEED)
    assert set(shown) == {"logits", "target"}
    assert len(shown["logits"]) == 3 and all(len(row) == 4 for row in shown["logits"])
    assert all(isinstance(t, int) for t in shown["target"])
    json.dumps(shown)


def test_validate_passes_a_sound_exercise() -> None:
    assert check_number_exercise(exercise(), "pack", "lesson") == []


def test_validate_reports_both_values_when_formula_disagrees() -> None:
    bad = exercise(formula="sum(logsumexp(logits, 1) - take(logits, target))")
    problems = check_number_exercise(bad, "pack", "lesson")
    assert len(problems) == 1
    assert problems[0].startswith("lesson.md:10: reference and formula disagree")
    assert "torch gives" in problems[0] and "the formula gives" in problems[0]


def test_validate_reports_a_misconception_equal_to_the_reference() -> None:
    same = Misconception(
        tag="same",
        feedback="x",
        location=Location(Path("lesson.md"), 22),
        reference="mean(logsumexp(logits, 1) - take(logits, target))",
    )
    problems = number_exercise_problems(exercise(misconceptions=[same]), "pack", "lesson")
    assert problems and problems[0][0] == 22 and "`same`" in problems[0][1]


def test_validate_reports_bad_params_and_references() -> None:
    assert "params" in check_number_exercise(exercise(params={"x": "randn("}), "p", "l")[0]
    assert "reference" in check_number_exercise(exercise(reference="F.nope(logits)"), "p", "l")[0]
    problems = check_number_exercise(exercise(formula="F.cross_entropy(logits, target)"), "p", "l")
    assert "formula" in problems[0]


def test_large_logits_agree_with_the_exact_formula() -> None:
    big = exercise(params={"logits": "1000 * randn(3, 6)", "target": "randint(0, 6, shape=(3,))"})
    assert check_number_exercise(big, "pack", "lesson") == []


def test_formula_follows_torch_where_the_math_is_undefined() -> None:
    # log of a negative number: torch gives nan, so must the formula (mpmath would say complex)
    undefined = exercise(
        params={"x": "randn(6) - 3"},
        reference="log(x).sum()",
        formula="sum(log(x))",
        misconceptions=[],
    )
    assert check_number_exercise(undefined, "pack", "lesson") == []
    assert grade_number(undefined, "nan", SEED).correct


def test_a_misconception_given_as_a_literal_number() -> None:
    zero = Misconception(
        tag="zero", feedback="Not zero.", location=LOC, answer="0"
    )  # e.g. "a perfect model has zero loss"
    verdict = grade_number(exercise(misconceptions=[zero]), "0.0", SEED)
    assert verdict.mistake == "zero" and verdict.feedback == "Not zero."


def test_a_broken_exercise_raises_a_pack_error_not_a_verdict() -> None:
    from tutor.grading.number import NumberExerciseError

    with pytest.raises(NumberExerciseError, match=r"lesson.md:10: .*F.nope"):
        grade_number(exercise(reference="F.nope(logits)"), "1.0", SEED)
    with pytest.raises(NumberExerciseError, match="too many"):
        grade_number(exercise(params={"logits": "randn(1000, 1000)"}), "1.0", SEED)


@settings(max_examples=25, deadline=None)
@given(learner=st.text(min_size=1, max_size=12))
def test_pasting_what_torch_prints_is_never_marked_wrong(learner: str) -> None:
    ex = exercise(params={"logits": "3 * randn(2, 3)", "target": "randint(0, 3, shape=(2,))"})
    seed = seed_for("pack", "lesson", ex.id, learner)
    printed = str(evaluate(ex.reference, draw_params(ex.params, seed)))  # e.g. tensor(1.2914)
    verdict = grade_number(ex, printed, seed)
    assert verdict.correct or verdict.details.get("reason") == "precision", printed


ROUNDED_EXERCISES = [
    "options/smoothed-loss",
    "cross-entropy-kl/ce-number",
    "options/weighted-mean",
    "cross-entropy-kl/kl-number",
    "softmax/softmax-entry",
    "class-indices/index-loss",
    "relatives/kl-div-batchmean",
]


def _builtin_number_exercise(where: str):
    from tutor.pack.discovery import builtin_pack_dir
    from tutor.pack.loader import load_pack

    pack, _ = load_pack(builtin_pack_dir())
    lesson_id, exercise_id = where.split("/")
    lesson = next(lesson for lesson in pack.lessons if lesson.id == lesson_id)
    return pack, lesson, lesson.exercise(exercise_id)


def _learner_params(ex: NumberExercise, seed: int):
    """The numbers the grader draws for this learner (redrawn where a mistake would hide)."""
    try:
        from tutor.grading.variants import draw_distinct
    except ImportError:
        return draw_params(ex.params, seed)
    return draw_distinct(ex, seed)


def _rounded(value: float, sig: int) -> str:
    return f"{float(f'{value:.{sig}g}'):.{max(sig - 1, 0)}e}"


@pytest.mark.parametrize("where", ROUNDED_EXERCISES)
def test_the_reference_rounded_is_never_a_misconception(where):
    """1.74 for torch's 1.7442 is not "the loss without smoothing", whatever the learner."""
    from tutor.grading.number import reference_value

    pack, lesson, ex = _builtin_number_exercise(where)
    told = []
    for learner in range(120):
        seed = seed_for(pack.id, lesson.id, ex.id, f"learner-{learner}")
        reference = reference_value(ex, _learner_params(ex, seed))
        answers = {_rounded(reference, sig) for sig in range(1, 7)}
        answers |= {f"{reference:.{places}f}" for places in range(1, 5)}
        for answer in sorted(answers):
            verdict = grade_number(ex, answer, seed)
            if verdict.mistake is not None or verdict.status is Status.INCORRECT:
                told.append((learner, answer, reference, verdict.mistake))
    assert not told, told[:5]
