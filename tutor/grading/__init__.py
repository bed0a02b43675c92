"""One grader per exercise type, the Verdict, the sandbox.

`grade` is the one entry point: the app (through the grading service), the
CLI's `grade --json` and the tests all call it, so what a learner sees and
what a script sees never differ.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tutor.grading.verdict import GraderNotAvailable, Status, Verdict
from tutor.i18n import _
from tutor.pack.model import Exercise, Lesson, Pack

if TYPE_CHECKING:
    from tutor.grading.sandbox import Sandbox
    from tutor.grading.sandbox.prefetch import Prefetched

__all__ = ["GraderNotAvailable", "Status", "Verdict", "grade", "learner_seed", "with_why"]


def learner_seed(pack: Pack, lesson: Lesson, exercise: Exercise, learner: str) -> int:
    """The seed of this learner's variant of an exercise (their own numbers)."""
    from tutor.numeric.params import seed_for

    # a translation draws the original's variants: the same numbers in either language
    return seed_for(
        pack.gradebook_id, lesson.id, exercise.id, learner
    )  # one per learner, both languages


def grade(
    pack: Pack,
    lesson: Lesson,
    exercise: Exercise,
    answer: str,
    learner: str,
    *,
    ascii: bool = False,
    sandbox: Sandbox | Prefetched | None = None,
) -> Verdict:
    """Grade one answer (text, or Python source for code exercises).

    Each grader is imported on first use, so a choice exercise never pays
    for sympy or torch. `ascii` asks for read-as math without Unicode.
    A correct verdict carries the exercise's `why` (`with_why`). A code
    answer runs in `sandbox` (the process's default one when None).
    Raises `GraderNotAvailable` for a type no grader handles.
    """
    return with_why(exercise, _by_type(pack, lesson, exercise, answer, learner, ascii, sandbox))


def with_why(exercise: Exercise, verdict: Verdict) -> Verdict:
    """A correct verdict with the exercise's `why` after its feedback; any other as it is.

    A bare "Correct." gives way to the why: the headline already says it. In a
    class the service grades, so the why (withheld from the served pack)
    reaches a learner's app only inside a correct verdict.
    """
    if not verdict.correct or not exercise.why:
        return verdict
    said = verdict.feedback.strip()
    feedback = exercise.why if said in ("", _("Correct.")) else f"{said}\n{exercise.why}"
    return replace(verdict, feedback=feedback)  # a new verdict: a grader may keep its own


def _by_type(
    pack: Pack,
    lesson: Lesson,
    exercise: Exercise,
    answer: str,
    learner: str,
    ascii: bool,
    sandbox: Sandbox | Prefetched | None,
) -> Verdict:
    if exercise.type == "choice":  # positions are read in this learner's order
        from tutor.grading.choice import grade_choice, learner_order

        return grade_choice(exercise, answer, learner_order(pack, lesson, exercise, learner))
    if exercise.type == "formula":
        from tutor.grading.formula import grade_formula

        return grade_formula(exercise, answer, ascii=ascii)
    seed = learner_seed(pack, lesson, exercise, learner)
    if exercise.type == "number":
        from tutor.grading.number import grade_number

        return grade_number(exercise, answer, seed)
    if exercise.type == "code":
        from tutor.grading.code import grade_code

        return grade_code(exercise, answer, seed, sandbox=sandbox)
    if exercise.type == "predict":
        from tutor.grading.predict import grade_predict

        return grade_predict(exercise, answer, seed)
    raise GraderNotAvailable(_("no grader for `{type}` exercises").format(type=exercise.type))
