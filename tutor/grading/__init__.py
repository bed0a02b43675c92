"""One grader per exercise type, the Verdict, the sandbox.

`grade` is the one entry point: the app (through the grading service), the
CLI's `grade --json` and the tests all call it, so what a learner sees and
what a script sees never differ.
"""

from __future__ import annotations

from tutor.grading.verdict import GraderNotAvailable, Status, Verdict
from tutor.pack.model import Exercise, Lesson, Pack

__all__ = ["GraderNotAvailable", "Status", "Verdict", "grade", "learner_seed"]


def learner_seed(pack: Pack, lesson: Lesson, exercise: Exercise, learner: str) -> int:
    """The seed of this learner's variant of an exercise (their own numbers)."""
    from tutor.numeric.params import seed_for

    # a translation draws the original's variants: the same numbers in either language
    return seed_for(pack.translates or pack.id, lesson.id, exercise.id, learner)


def grade(
    pack: Pack,
    lesson: Lesson,
    exercise: Exercise,
    answer: str,
    learner: str,
    *,
    ascii: bool = False,
) -> Verdict:
    """Grade one answer (text, or Python source for code exercises).

    Each grader is imported on first use, so a choice exercise never pays
    for sympy or torch. `ascii` asks for read-as math without Unicode.
    Raises `GraderNotAvailable` for a type no grader handles.
    """
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

        return grade_code(exercise, answer, seed)
    if exercise.type == "predict":
        from tutor.grading.predict import grade_predict

        return grade_predict(exercise, answer, seed)
    raise GraderNotAvailable(f"no grader for `{exercise.type}` exercises")
