"""A learner's numbers for a number exercise, redrawn where a known mistake hides.

For some drawn numbers a misconception gives the right answer's value (the
reverse KL of two nearly equal distributions, a sum over one element), so
the grader cannot tell that mistake from a right answer. An author lists
such tags in `distinct_from:`; a learner whose numbers make one of them
coincide gets numbers from the next of a fixed series of seeds derived from
their own. The series depends on the seed alone, so a recorded seed still
re-grades to the same numbers, and the grader, the prompt and `validate`'s
simulated class all draw through here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from tutor.pack.model import NumberExercise

MAX_REDRAWS = 16  # beyond this the exercise keeps the last numbers; validate reports the share


def redraw_seed(seed: int, attempt: int) -> int:
    """The `attempt`-th seed of the series (attempt 0 is the learner's own seed)."""
    if attempt == 0:
        return seed
    digest = hashlib.sha256(f"{seed}\x1fredraw-{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@dataclass
class Draw:
    """A learner's parameters, with the values worked out while choosing them.

    Checking a `distinct_from` mistake computes the answer and those
    mistakes' numbers on the final parameters; `validate`'s simulated class
    needs the same numbers, so they are kept instead of computed twice.
    """

    params: dict[str, Any]
    reference: float | None = None  # None: not computed here
    wrong: dict[int, float | None] = field(default_factory=dict)  # misconception index -> value


def draw_distinct(exercise: NumberExercise, seed: int) -> dict[str, Any]:
    """The exercise's parameters for `seed`, redrawn while a `distinct_from` mistake coincides."""
    return draw_checked(exercise, seed).params


def draw_checked(exercise: NumberExercise, seed: int) -> Draw:
    """`draw_distinct`, with the numbers its check computed on the parameters it returns."""
    from tutor.numeric.params import draw_params

    draw = Draw(draw_params(exercise.params, seed))
    if not exercise.distinct_from:
        return draw
    for attempt in range(1, MAX_REDRAWS + 1):
        if not _coincides(exercise, draw):
            return draw
        draw = Draw(draw_params(exercise.params, redraw_seed(seed, attempt)))
    return draw


def _coincides(exercise: NumberExercise, draw: Draw) -> bool:
    from tutor.grading.number import misconception_value, reference_value
    from tutor.numeric.answers import within
    from tutor.numeric.expressions import ExpressionError

    try:
        right = draw.reference = reference_value(exercise, draw.params)
        for index, known in enumerate(exercise.misconceptions):
            if known.tag in exercise.distinct_from:
                wrong = draw.wrong[index] = misconception_value(known, draw.params)
                if wrong is not None and within(wrong, right, exercise.tolerance):
                    return True
    except ExpressionError:
        return False  # validate reports the broken expression; grading must not loop on it
    return False


def shown_note(exercise: NumberExercise, params: dict[str, Any], reference: float) -> str:
    """Which values a verdict's number came from, when the rounded ones shown give another.

    The prompt shows 4 decimals; torch computed from the exact numbers. A
    careful learner who used the shown numbers sees both, and is not left
    wondering why "torch gives 0.711753" when their q gives 0.711719.
    """
    from tutor.grading.number import reference_value
    from tutor.grading.presentation import as_shown, shown_names
    from tutor.i18n import _

    rounded = sorted(
        name
        for name in shown_names(exercise.prompt)
        if isinstance(params.get(name), float)
        or (hasattr(params.get(name), "is_floating_point") and params[name].is_floating_point())
    )
    if not rounded:
        return ""
    try:
        from_shown = reference_value(exercise, as_shown(params, exercise.prompt))
    except Exception:  # noqa: BLE001 - a note must never break a verdict
        return ""
    exact, shown = f"{reference:.6g}", f"{from_shown:.6g}"
    if exact == shown:
        return ""
    return " " + _(
        "(from the exact {names}; the values shown, to 4 decimals, give {shown})"
    ).format(names=", ".join(rounded), shown=shown)
