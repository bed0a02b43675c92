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

    return seed_for(pack.id, lesson.id, exercise.id, learner)


def grade(pack: Pack, lesson: Lesson, exercise: Exercise, answer: str, learner: str) -> Verdict:
    """Grade one answer (text, or Python source for code exercises).

    Raises `GraderNotAvailable` for a type whose grader has not landed.
    """
    if exercise.type == "choice":
        from tutor.grading.choice import grade_choice

        return grade_choice(exercise, answer)
    raise GraderNotAvailable(f"grading `{exercise.type}` exercises has not landed yet")
