"""`validate`'s simulated class for a number exercise: what many learners would meet.

Six validation learners prove that the reference and formula agree; they
cannot prove that learners can *reach* the answer. Here hundreds of seeded
learners are drawn, and for each:

- the answer is recomputed from the parameters as the prompt shows them
  (4 decimals): a careful learner's number. If the tolerance rejects it for
  more than a tiny share of learners, the exercise asks for what the prompt
  does not give;
- each misconception's number is compared with every number graded right
  (the answer, and each `accept:` alternative): where they coincide the
  mistake is graded right, and the share of learners affected is reported
  (`distinct_from` redraws them for the answer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tutor.i18n import _
from tutor.pack.model import NumberExercise, Tolerance

Problems = list[tuple[int, str]]

SIMULATED_LEARNERS = 400
# more than this share of learners graded wrong for using the numbers shown is a pack error
TINY_SHARE = 0.005
FIRST_LOOK = 100  # learners drawn before a class far from every edge may stop


@dataclass
class ClassRun:
    """What the simulated class met: shown-value misses and misconception collisions."""

    learners: int = 0
    missed: int = 0  # careful learners, using the numbers shown, graded wrong
    worst_shift: float = 0.0  # the largest |answer from shown values - exact answer|
    worst_example: tuple[float, float] | None = None  # (exact, from shown) of the worst miss
    # (None for the answer, else the `accept` expression; misconception tag) -> learners
    collisions: dict[tuple[str | None, str], int] = field(default_factory=dict)
    broken: str | None = None  # the reference failed for a learner: why, and whose numbers
    accept_broken: tuple[str, str] | None = None  # (expression, why) an `accept` did not compute


def simulate_class(
    exercise: NumberExercise, pack_id: str, lesson_id: str, learners: int = SIMULATED_LEARNERS
) -> ClassRun:
    """Draw up to `learners` seeded learners; see the module's docstring for what is counted.

    After `FIRST_LOOK` learners the class stops early when every one of them
    was far from trouble: the shown numbers moved the answer by under a
    quarter of the tolerance, and every misconception stayed more than four
    tolerances away. Otherwise all `learners` are drawn, to measure the share.
    """
    import torch

    from tutor.grading.number import misconception_value, reference_value
    from tutor.grading.presentation import as_shown, shown_names
    from tutor.grading.variants import draw_checked
    from tutor.numeric.expressions import ExpressionError, evaluate, to_number
    from tutor.numeric.params import ParamError, seed_for

    torch.set_num_threads(1)  # tiny tensors: more threads only wait for each other
    rounds = bool(shown_names(exercise.prompt))
    run = ClassRun()
    nearest_edge = 0.0  # the largest shift / tolerance seen: 1 is a miss
    nearest_mistake = math.inf  # the smallest |misconception - answer| / tolerance seen
    for index in range(learners):
        far = nearest_edge < 0.25 and nearest_mistake > 4
        if index == FIRST_LOOK and far and not run.missed and not run.collisions:
            break
        learner = f"simulated-{index}"
        try:
            draw = draw_checked(exercise, seed_for(pack_id, lesson_id, exercise.id, learner))
            params = draw.params
            exact = reference_value(exercise, params) if draw.reference is None else draw.reference
        except (ParamError, ExpressionError) as error:
            run.broken = f"{error} (learner {learner!r})"
            return run
        try:
            shown = (
                reference_value(exercise, as_shown(params, exercise.prompt)) if rounds else exact
            )
        except ExpressionError:
            shown = math.nan  # the shown numbers do not even compute: this learner is stuck
        run.learners += 1
        allowed = _allowed(exercise.tolerance, exact)
        shift = abs(shown - exact) if math.isfinite(exact) and math.isfinite(shown) else 0.0
        run.worst_shift = max(run.worst_shift, shift)
        nearest_edge = max(nearest_edge, shift / allowed if allowed else 0.0)
        if not _within(shown, exact, allowed):
            run.missed += 1
            if run.worst_example is None or shift > abs(
                run.worst_example[1] - run.worst_example[0]
            ):
                run.worst_example = (exact, shown)
        rights = [(None, exact, allowed)]
        for expression in exercise.accept:
            try:
                value = to_number(evaluate(expression, params))
            except (ExpressionError, ValueError, ArithmeticError) as error:
                run.accept_broken = (
                    expression,
                    _("{error} (learner {learner})").format(error=error, learner=repr(learner)),
                )
                return run
            rights.append((expression, value, _allowed(exercise.tolerance, value)))
        for index, known in enumerate(exercise.misconceptions):
            try:
                wrong = (
                    draw.wrong[index] if index in draw.wrong else misconception_value(known, params)
                )
            except ExpressionError:
                continue  # a mistake that does not compute here cannot be mistaken for the answer
            if wrong is None:
                continue
            for expression, right, bound in rights:
                if _within(wrong, right, bound):
                    key = (expression, known.tag)
                    run.collisions[key] = run.collisions.get(key, 0) + 1
                elif expression is None and known.tag in exercise.distinct_from:
                    continue  # redrawn whenever it would coincide: nearness is no risk
                elif math.isfinite(wrong) and math.isfinite(right) and bound:
                    nearest_mistake = min(nearest_mistake, abs(wrong - right) / bound)
    return run


def _allowed(tolerance: Tolerance, reference: float) -> float:
    """How far from `reference` a number may be and pass (the widest of the bounds)."""
    from tutor.numeric.answers import sig_step

    if not math.isfinite(reference):
        return 0.0
    rel, absolute, sig = tolerance.rel, tolerance.abs, tolerance.sig
    if rel is None and absolute is None and sig is None:
        rel = 1e-3
    bounds = [1e-12 * max(1.0, abs(reference))]
    if rel is not None:
        bounds.append(rel * abs(reference))
    if absolute is not None:
        bounds.append(absolute)
    if sig is not None:
        bounds.append(sig_step(reference, sig) * (1 + 1e-9))
    return max(bounds)


def _within(value: float, reference: float, allowed: float) -> bool:
    """`within` with the bound computed once (nan matches nan, inf its sign)."""
    if math.isnan(reference) or math.isnan(value):
        return math.isnan(reference) and math.isnan(value)
    if math.isinf(reference) or math.isinf(value):
        return value == reference
    return abs(value - reference) <= allowed


def class_problems(exercise: NumberExercise, pack_id: str, lesson_id: str) -> Problems:
    """The simulated class's findings as `validate` problems (line, message)."""
    run = simulate_class(exercise, pack_id, lesson_id)
    if run.broken is not None:
        return [(exercise.location.line, _("reference: {why}").format(why=run.broken))]
    problems: Problems = []
    if run.missed > TINY_SHARE * run.learners:
        problems.append((exercise.location.line, _missed_message(exercise, run)))
    if run.accept_broken is not None:
        from tutor.grading.number import ACCEPT_BROKEN

        expression, why = run.accept_broken
        problems.append(
            (exercise.location.line, _(ACCEPT_BROKEN).format(expression=expression, why=why))
        )
    for known in exercise.misconceptions:
        count = run.collisions.get((None, known.tag), 0)
        if count:
            problems.append(
                (
                    known.location.line,
                    _(
                        "misconception `{tag}` gives the right answer's number (within the "
                        "tolerance) for {count} of {learners} simulated learners ({share}): it "
                        "cannot be told from a right answer there. Add `distinct_from: [{tag}]` "
                        "to give those learners other numbers, or change the `params`"
                    ).format(
                        tag=known.tag,
                        count=count,
                        learners=run.learners,
                        share=_percent(count, run.learners),
                    ),
                )
            )
    problems += [
        (
            exercise.location.line,
            _(
                "`accept` lists `{expression}`, which gives misconception `{tag}`'s number "
                "for {count} of {learners} simulated learners ({share}): that mistake would be "
                "graded right"
            ).format(
                expression=expression,
                tag=tag,
                count=count,
                learners=run.learners,
                share=_percent(count, run.learners),
            ),
        )
        for (expression, tag), count in run.collisions.items()
        if expression is not None
    ]
    return problems


def _missed_message(exercise: NumberExercise, run: ClassRun) -> str:
    exact, shown = run.worst_example or (math.nan, math.nan)
    return _(
        "{missed} of {learners} simulated learners ({share}) who compute from the numbers the "
        "prompt shows (4 decimals) would be graded wrong: e.g. the exact parameters give "
        "{exact}, the shown ones {shown}, outside the tolerance. Suggested fix: "
        "`tolerance: {fix}` (or parameters the prompt shows exactly, such as randint or choice)"
    ).format(
        missed=run.missed,
        learners=run.learners,
        share=_percent(run.missed, run.learners),
        exact=f"{exact:.6g}",
        shown=f"{shown:.6g}",
        fix=suggested_tolerance(exercise.tolerance, run.worst_shift),
    )


def suggested_tolerance(current: Tolerance, worst_shift: float) -> str:
    """The current bounds plus an `abs` twice the largest shift, rounded up to one figure."""
    needed = _round_up(2 * worst_shift) if worst_shift > 0 else 1e-4
    parts = []
    if current.rel is not None:
        parts.append(f"rel: {current.rel:g}")
    parts.append(f"abs: {needed:g}")
    if current.sig is not None:
        parts.append(f"sig: {current.sig}")
    return "{" + ", ".join(parts) + "}"


def _round_up(value: float) -> float:
    """`value` rounded up to one significant figure (0.00023 -> 0.0003)."""
    exponent = math.floor(math.log10(value))
    step = 10.0**exponent
    return math.ceil(value / step - 1e-9) * step


def _percent(count: int, total: int) -> str:
    share = 100 * count / total
    return f"{share:.1f} %" if share >= 0.1 else f"{share:.2f} %"
