"""Walk the built-in pack: every reference answer grades correct, every known mistake is named.

For each exercise whose type has a grader, the answer the pack itself calls
right is submitted and must grade `correct`; each misconception (or tagged
wrong choice) is submitted and must grade `incorrect` with its own tag. An
exercise type with no grader yet is skipped with a reason naming the type,
never passed silently. The course-level promises of the pack (size, every
type used, hints everywhere) and its printed outputs are checked too.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from tutor.grading import GraderNotAvailable, Status, grade, learner_seed
from tutor.pack.discovery import builtin_pack_dir
from tutor.pack.loader import load_pack
from tutor.pack.model import (
    EXERCISE_TYPES,
    ChoiceExercise,
    CodeExample,
    CodeExercise,
    Exercise,
    FormulaExercise,
    Lesson,
    NumberExercise,
    Pack,
    PredictExercise,
)

# validate checks number misconceptions on the validate-N learners, so a wrong
# number cannot coincide with the right one for this learner.
LEARNER = "validate-0"

PACK, LOAD_ERRORS = load_pack(builtin_pack_dir())


@dataclass(frozen=True)
class Submission:
    """One answer to submit, and what the grader must say."""

    lesson: Lesson
    exercise: Exercise
    label: str  # "reference" or the misconception's tag
    expect_tag: str | None  # None: must be correct

    @property
    def id(self) -> str:
        return f"{self.lesson.id}/{self.exercise.id}/{self.label}"


def _submissions(pack: Pack) -> list[Submission]:
    out = []
    for lesson in pack.lessons:
        for exercise in lesson.exercises:
            out.append(Submission(lesson, exercise, "reference", None))
            if isinstance(exercise, ChoiceExercise):
                tags = [c.tag for c in exercise.choices if c.tag and not c.correct]
            else:
                tags = [m.tag for m in exercise.misconceptions]
            for index, tag in enumerate(tags):
                out.append(Submission(lesson, exercise, f"{tag}#{index}", tag))
    return out


SUBMISSIONS = _submissions(PACK)


def _answer(sub: Submission) -> str:
    """The text the learner would type for this submission, computed as the grader computes."""
    exercise = sub.exercise
    index = None if sub.expect_tag is None else int(sub.label.rsplit("#", 1)[1])
    if isinstance(exercise, ChoiceExercise):  # positions in the learner's own order
        from tutor.grading.choice import learner_order

        shown = learner_order(PACK, sub.lesson, exercise, LEARNER).index
        if index is None:
            return ",".join(str(shown(i) + 1) for i, c in enumerate(exercise.choices) if c.correct)
        wrong = [i for i, c in enumerate(exercise.choices) if c.tag and not c.correct]
        return str(shown(wrong[index]) + 1)
    seed = learner_seed(PACK, sub.lesson, exercise, LEARNER)
    if isinstance(exercise, NumberExercise):
        from tutor.grading.number import misconception_value, reference_value
        from tutor.numeric.params import draw_params

        params = draw_params(exercise.params, seed)
        if index is None:
            return repr(reference_value(exercise, params))
        return repr(misconception_value(exercise.misconceptions[index], params))
    if isinstance(exercise, FormulaExercise):
        return exercise.answer if index is None else exercise.misconceptions[index].answer
    if isinstance(exercise, CodeExercise):
        return exercise.reference if index is None else exercise.misconceptions[index].code
    if isinstance(exercise, PredictExercise):
        if index is not None:
            return exercise.misconceptions[index].answer
        from tutor.grading.predict import run_snippet_outcome
        from tutor.grading.sandbox import default_sandbox

        return run_snippet_outcome(exercise, seed, default_sandbox()).shown
    raise AssertionError(f"unknown exercise type {exercise.type}")


def test_pack_loads_cleanly():
    assert LOAD_ERRORS == []


def test_pack_is_a_course():
    """The promises of issues 6 and 16: at least 17 lessons, 130 exercises, every type, hints everywhere."""
    exercises = [e for lesson in PACK.lessons for e in lesson.exercises]
    assert len(PACK.lessons) >= 17
    assert len(exercises) >= 130
    assert {e.type for e in exercises} == set(EXERCISE_TYPES)
    assert [f"{e.location}" for e in exercises if not e.hints] == []
    ids = [lesson.id for lesson in PACK.lessons]
    assert len(ids) == len(set(ids))


def test_no_answer_position_dominates_the_authored_order():
    """Issue 16: the right choice is not mostly first as written (a pack with `shuffle: false` shows it so)."""
    from collections import Counter

    singles = [
        e for lesson in PACK.lessons for e in lesson.exercises
        if isinstance(e, ChoiceExercise) and not e.multiple
    ]  # fmt: skip
    positions = Counter(next(i for i, c in enumerate(e.choices) if c.correct) for e in singles)
    assert max(positions.values()) <= len(singles) // 2, positions


def test_the_seed_lesson_keeps_its_ids():
    """Other tests and the app's docs refer to these by id."""
    lesson = PACK.lesson("two-target-forms")
    assert lesson is not None
    for exercise_id in ("moco-zero-labels", "index-target-dtype", "prob-target-shape"):
        assert lesson.exercise(exercise_id) is not None


@pytest.mark.parametrize("sub", SUBMISSIONS, ids=[s.id for s in SUBMISSIONS])
def test_submission_grades_as_declared(sub: Submission):
    answer = _answer(sub)
    try:
        verdict = grade(PACK, sub.lesson, sub.exercise, answer, LEARNER)
    except GraderNotAvailable:
        pytest.skip(f"no grader for `{sub.exercise.type}` exercises is routed yet")
    if sub.expect_tag is None:
        assert verdict.status is Status.CORRECT, (answer, verdict)
    else:
        assert verdict.status is Status.INCORRECT, (answer, verdict)
        assert verdict.mistake == sub.expect_tag, (answer, verdict)


EXAMPLES = [
    (lesson, block)
    for lesson in PACK.lessons
    for step in lesson.steps
    for block in step.blocks
    if isinstance(block, CodeExample)
]


@pytest.mark.parametrize(
    "lesson, example",
    EXAMPLES,
    ids=[f"{Path(e.location.path).name}:{e.location.line}" for _, e in EXAMPLES],
)
def test_example_prints_what_it_claims(lesson: Lesson, example: CodeExample):
    """Every `python` block runs, and prints exactly its `output` block (they must be deterministic)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(example.code, str(example.location), "exec"), {"__name__": "__lesson__"})
    if example.output is not None:
        assert buffer.getvalue().rstrip("\n") == example.output.rstrip("\n")


def test_choice_numbers_pick_their_own_choice():
    """A choice whose text is a number ("1") would swallow the answer `1` meant for choice 1."""
    from tutor.grading.choice import read_choice

    clashes = [
        f"{exercise.location}: answering {i + 1} picks {picked}"
        for lesson in PACK.lessons
        for exercise in lesson.exercises
        if isinstance(exercise, ChoiceExercise)
        for i in range(len(exercise.choices))
        if (picked := read_choice(exercise, str(i + 1))) != [i]
    ]
    assert clashes == []
