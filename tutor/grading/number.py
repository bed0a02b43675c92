"""Grading number exercises: the learner's number against torch, on their own parameters.

The reference is what torch computes (`reference:`) from the learner's
parameters; when the exercise gives a `formula:`, the symbolic engine's
definitions compute it too, and `validate` fails the exercise when the two
disagree. A wrong number equal to a misconception's value is named as that
mistake. A number given with too few digits to judge is not charged: the
learner is asked for more digits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tutor.grading.variants import draw_distinct, shown_note
from tutor.grading.verdict import Status, Verdict
from tutor.i18n import N_, _
from tutor.numeric.answers import NotANumber, describe, read_number, rounded_from, within
from tutor.numeric.params import ParamError, check_params, seed_for, to_plain
from tutor.pack.model import Misconception, NumberExercise, Tolerance


class NumberExerciseError(Exception):
    """The exercise's own parameters or reference failed: a pack problem, not the learner's.

    `validate` reports these as `file:line` problems; grading raises this so the
    caller can say so plainly instead of charging the learner.
    """


VALIDATE_LEARNERS = tuple(f"validate-{i}" for i in range(6))
# torch computes in float32 from float32 parameters, the formula exactly: how far they may drift
AGREEMENT = Tolerance(rel=1e-4, abs=1e-5)
Problems = list[tuple[int, str]]
ACCEPT_BROKEN = N_("`accept` lists `{expression}`, which does not compute: {why}")


def show_params(exercise: NumberExercise, seed: int) -> dict[str, Any]:
    """The learner's parameter values as plain numbers (for `show --json` and the prompt)."""
    return to_plain(draw_distinct(exercise, seed))


def reference_value(exercise: NumberExercise, params: Mapping[str, Any]) -> float:
    """torch's value of `reference:` over the parameters."""
    from tutor.numeric.expressions import evaluate, to_number

    return to_number(evaluate(exercise.reference, params))


def formula_value(exercise: NumberExercise, params: Mapping[str, Any]) -> float | None:
    """The symbolic engine's value of `formula:`, or None when the exercise has none."""
    if not exercise.formula:
        return None
    from tutor.numeric.formula import evaluate_formula

    return evaluate_formula(exercise.formula, params)


def accepted_values(exercise: NumberExercise, params: Mapping[str, Any]) -> list[float]:
    """The other right numbers `accept:` gives for these parameters (one that fails is skipped:
    validate reports it, and it must not break grading)."""
    from tutor.numeric.expressions import ExpressionError, evaluate, to_number

    values = []
    for expression in exercise.accept:
        try:
            values.append(to_number(evaluate(expression, params)))
        except (ExpressionError, ValueError, ArithmeticError):
            continue
    return values


def misconception_value(misconception: Misconception, params: Mapping[str, Any]) -> float | None:
    """The wrong number a misconception predicts: a torch `reference`, or a literal `answer`."""
    from tutor.numeric.expressions import evaluate, to_number

    if misconception.reference:
        return to_number(evaluate(misconception.reference, params))
    if misconception.answer is not None:
        read = read_number(str(misconception.answer))
        return None if isinstance(read, NotANumber) else read.value
    return None


def grade_number(exercise: NumberExercise, answer: str, seed: int) -> Verdict:
    """Grade one answer; an unreadable answer is not charged."""
    read = read_number(answer)
    if isinstance(read, NotANumber):
        return Verdict(Status.UNREADABLE, feedback=read.message)
    from tutor.numeric.expressions import ExpressionError

    try:
        params = draw_distinct(exercise, seed)
        reference = reference_value(exercise, params)
    except (ParamError, ExpressionError) as err:
        where = exercise.location
        raise NumberExerciseError(
            _("{where}: exercise `{id}`: {error}").format(where=where, id=exercise.id, error=err)
        ) from None
    details: dict[str, Any] = {"answer": _json_number(read.value)}
    try:
        symbolic = formula_value(exercise, params)
    except (ExpressionError, ValueError, ArithmeticError) as err:
        symbolic = None
        details["formula_error"] = str(err)
    if symbolic is not None and not within(symbolic, reference, AGREEMENT):
        # The pack is wrong for this learner; torch's number is what the prompt asks for.
        details["disagreement"] = {
            "torch": _json_number(reference),
            "formula": _json_number(symbolic),
        }
    tolerance = exercise.tolerance

    if within(read.value, reference, tolerance):
        details["reference"] = _json_number(reference)
        return Verdict(
            Status.CORRECT,
            score=exercise.points,
            feedback=_("Correct: torch gives {value}.").format(value=_show(reference))
            + shown_note(exercise, params, reference),
            read_as=read.text,
            details=details,
        )
    accepted = accepted_values(exercise, params)
    for value in accepted:
        if within(read.value, value, tolerance):
            details["reference"] = _json_number(reference)
            return Verdict(
                Status.CORRECT,
                score=exercise.points,
                feedback=_("Correct: {value} is accepted too (torch gives {reference}).").format(
                    value=_show(value), reference=_show(reference)
                ),
                read_as=read.text,
                details=details,
            )
    # Before the misconceptions: a number consistent with the reference at the precision
    # the learner gave is never a known mistake, even when a mistake rounds the same.
    if any(rounded_from(read, value) for value in [reference, *accepted]):
        return Verdict(
            Status.UNREADABLE,
            feedback=_(
                "{answer} agrees with the answer as far as it goes, but this exercise "
                "needs it within {tolerance}: give more digits."
            ).format(answer=read.text, tolerance=describe(tolerance)),
            read_as=read.text,
            details={**details, "reason": "precision"},
        )
    for misconception in exercise.misconceptions:
        try:
            wrong = misconception_value(misconception, params)
        except ExpressionError:
            continue  # validate reports it; a broken misconception must not break grading
        if wrong is not None and within(read.value, wrong, tolerance):
            return Verdict(
                Status.INCORRECT,
                feedback=misconception.feedback.strip(),
                mistake=misconception.tag,
                read_as=read.text,
                details=details,
            )
    return Verdict(
        Status.INCORRECT,
        feedback=_wrong_feedback(read.value, reference),
        read_as=read.text,
        details=details,
    )


def _wrong_feedback(value: float, reference: float) -> str:
    """Say what can be said without giving the answer away."""
    if math.isnan(reference) and not math.isnan(value):
        return _("Not quite: look again at what torch returns here; it is not an ordinary number.")
    if math.isnan(value):
        return _("Not quite: torch returns an ordinary number here, not nan.")
    if reference != 0 and value != 0 and (value > 0) != (reference > 0):
        return _("Not quite, and the sign is wrong too.")
    return _("Not quite. Check your computation against the parameters shown.")


def _json_number(value: float) -> float | str:
    """nan and inf as text: `grade --json` must stay strict JSON."""
    return value if math.isfinite(value) else str(value)


def _show(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.6g}"


# ---------------------------------------------------------------- validate


def _misconception_problem(tag: str, problem: object) -> str:
    return _("misconception `{tag}`: {problem}").format(tag=tag, problem=problem)


def _for_learner(problem: str, learner: str) -> str:
    return _("{problem} (learner {learner})").format(problem=problem, learner=repr(learner))


def number_exercise_problems(
    exercise: NumberExercise, pack_id: str, lesson_id: str
) -> list[tuple[int, str]]:
    """Every problem of a number exercise as (line, message), for `ce-tutor validate`.

    Parameters must parse; `reference` and `formula` must agree on several
    learners' parameters (both values are reported when they do not); each
    misconception must give a number different from the reference.
    """
    from tutor.numeric.expressions import ExpressionError, check_expression

    line = exercise.location.line
    problems = [
        (line, _("params: {problem}").format(problem=p)) for p in check_params(exercise.params)
    ]
    if problems:
        return problems
    names = list(exercise.params)
    if not exercise.reference:
        return [(line, _("a number exercise needs a `reference:` torch expression"))]
    message = check_expression(exercise.reference, names)
    if message:
        return [(line, _("reference: {problem}").format(problem=message))]
    if exercise.formula:
        from tutor.numeric.formula import check_formula

        message = check_formula(exercise.formula)
        if message:
            problems.append((line, _("formula: {problem}").format(problem=message)))
    for m in exercise.misconceptions:
        if m.reference:
            message = check_expression(m.reference, names)
            if message:
                problems.append((m.location.line, _misconception_problem(m.tag, message)))
    for expression in exercise.accept:
        message = check_expression(expression, names)
        if message:
            problems.append((line, _(ACCEPT_BROKEN).format(expression=expression, why=message)))
    if problems:
        return problems

    same: dict[str, int] = {}
    for learner in VALIDATE_LEARNERS:
        seed = seed_for(pack_id, lesson_id, exercise.id, learner)
        try:
            params = draw_distinct(exercise, seed)
        except ParamError as err:
            return [(line, _("params: {problem}").format(problem=err))]
        try:
            reference = reference_value(exercise, params)
        except ExpressionError as err:
            return [(line, _for_learner(_("reference: {problem}").format(problem=err), learner))]
        if exercise.formula:
            try:
                symbolic = formula_value(exercise, params)
            except (ExpressionError, ValueError, ArithmeticError) as err:
                return [(line, _for_learner(_("formula: {problem}").format(problem=err), learner))]
            if symbolic is not None and not within(symbolic, reference, AGREEMENT):
                return [
                    (
                        line,
                        _(
                            "reference and formula disagree for learner {learner}: "
                            "torch gives {reference}, the formula gives {formula}"
                        ).format(
                            learner=repr(learner), reference=repr(reference), formula=repr(symbolic)
                        ),
                    )
                ]
        for m in exercise.misconceptions:
            try:
                wrong = misconception_value(m, params)
            except ExpressionError as err:
                problems.append((m.location.line, _misconception_problem(m.tag, err)))
                continue
            if wrong is not None and within(wrong, reference, exercise.tolerance):
                same[m.tag] = same.get(m.tag, 0) + 1
        if problems:
            return problems
    for m in exercise.misconceptions:
        if m.reference is None and m.answer is None:
            problems.append(
                (m.location.line, _("misconception `{tag}` gives no number").format(tag=m.tag))
            )
        elif same.get(m.tag):
            count = same[m.tag]
            problems.append(
                (
                    m.location.line,
                    _(
                        "misconception `{tag}` gives the reference's own number for {count} of "
                        "{learners} learners: it can never be recognised there"
                    ).format(tag=m.tag, count=count, learners=len(VALIDATE_LEARNERS)),
                )
            )
    return problems + _accept_problems(exercise, pack_id, lesson_id)


def _accept_problems(exercise: NumberExercise, pack_id: str, lesson_id: str) -> Problems:
    """Each `accept:` value computes for the validation learners. Whether one is a
    misconception's number is the simulated class's to count (`number_checks`)."""
    from tutor.numeric.expressions import ExpressionError, evaluate, to_number

    line = exercise.location.line
    for learner in VALIDATE_LEARNERS if exercise.accept else ():
        params = draw_distinct(exercise, seed_for(pack_id, lesson_id, exercise.id, learner))
        for expression in exercise.accept:
            try:
                to_number(evaluate(expression, params))
            except (ExpressionError, ValueError, ArithmeticError) as err:
                why = f"{err} (learner {learner!r})"
                return [(line, _(ACCEPT_BROKEN).format(expression=expression, why=why))]
    return []


def check_number_exercise(exercise: NumberExercise, pack_id: str, lesson_id: str) -> list[str]:
    """The problems of `number_exercise_problems`, as `file:line: message` strings."""
    path = exercise.location.path
    return [
        f"{path}:{line}: {message}"
        for line, message in number_exercise_problems(exercise, pack_id, lesson_id)
    ]
