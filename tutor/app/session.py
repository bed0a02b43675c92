"""The learner's progress as the app sees it, recorded through the progress store.

Every step change and every attempt is written at once (one transaction
each), so quitting at any moment and starting again resumes where the
learner was.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tutor.app.local_state import Drafts
from tutor.grading import learner_seed
from tutor.grading.verdict import Status, Verdict
from tutor.pack.model import ChoiceExercise, Exercise, Lesson, Pack
from tutor.progress.scoring import exercise_score, mean_score
from tutor.progress.store import (
    HINT_STATUS,
    SOLUTION_STATUS,
    Attempt,
    ExerciseState,
    Position,
    ProgressStore,
)

if TYPE_CHECKING:
    from tutor.app.class_progress import ClassProgress

# statuses that cost an attempt (an unreadable answer, a shown solution and a hint do not)
CHARGED = frozenset(s.value for s in Status if s.charges_attempt)


@dataclass(frozen=True)
class ExerciseHistory:
    attempts: int
    solved: bool
    solution_shown: bool
    last: Attempt | None = None  # the last answer graded (not a hint or solution row)


@dataclass(frozen=True)
class LessonSummary:
    solved: int
    exercises: int
    hints: int
    solutions: int
    earned: float = 0.0  # the exercises' scores, as the gradebook counts them (LMS export)

    @property
    def score(self) -> float:
        """0..1, the figure `ce-tutor progress` shows for this lesson."""
        return mean_score([self.earned], self.exercises)


def course_score(summaries: Iterable[LessonSummary]) -> float:
    """The course's score: what every exercise earned over how many there are (LMS total/out_of)."""
    summaries = list(summaries)
    return mean_score((s.earned for s in summaries), sum(s.exercises for s in summaries))


@dataclass(frozen=True)
class ExerciseLine:
    """One exercise in a lesson's overview."""

    exercise: Exercise
    number: int  # as the lesson numbers it
    step: int
    solved: bool
    attempts: int
    hints: int
    solution_shown: bool
    last: Attempt | None
    score: float = 0.0  # what it earned, as the gradebook counts it (tutor.progress.scoring)


@dataclass(frozen=True)
class Mistake:
    """A named mistake made on one exercise, how often, and the last answer that made it."""

    lesson_id: str
    exercise_id: str
    tag: str
    count: int
    answer: str


class LearnerSession:
    """One learner on one pack: positions, attempts, hints used, solutions shown."""

    def __init__(
        self,
        store: ProgressStore | ClassProgress,
        pack: Pack,
        learner: str,
        drafts: Drafts | None = None,
    ):
        self.store = store
        self.pack = pack
        self.learner = learner
        self.drafts = drafts or Drafts(None)
        # what the learner uncovered this session, by block: derivation steps revealed,
        # example outputs; kept while the app runs, so leaving a step loses none of it
        self.seen: dict[tuple[str, str, int], object] = {}
        self._hints: dict[tuple[str, str], int] = {}
        self._solutions: set[tuple[str, str]] = set()
        if isinstance(store, ProgressStore):  # in a class the service folds them
            from tutor.grading.gradebook_rows import adopt_course_rows

            adopt_course_rows(store, pack)  # work an earlier version kept apart

    def resume_point(self) -> Position | None:
        position = self.store.last_position(self.learner, self.pack.gradebook_id)
        if position is None or self.pack.lesson(position.lesson_id) is None:
            return None
        return position

    def position(self, lesson: Lesson) -> int:
        step = self.store.position(self.learner, self.pack.gradebook_id, lesson.id)
        return min(max(step, 0), max(len(lesson.steps) - 1, 0))

    def save_position(self, lesson: Lesson, step: int) -> None:
        self.store.save_position(self.learner, self.pack.gradebook_id, lesson.id, step)

    def states(self) -> dict[tuple[str, str], ExerciseState]:
        return self.store.exercise_states(self.learner, self.pack.gradebook_id)

    def state(self, lesson: Lesson, exercise: Exercise) -> ExerciseState | None:
        return self.states().get((lesson.id, exercise.id))

    def history(self, lesson: Lesson, exercise: Exercise) -> ExerciseHistory:
        """Attempts charged, solved or not, solution shown: read back from the store."""
        rows = [
            a for a in self._rows() if a.lesson_id == lesson.id and a.exercise_id == exercise.id
        ]
        charged = [a for a in rows if a.status in CHARGED]
        shown = any(a.solution_shown or a.status == SOLUTION_STATUS for a in rows)
        key = (lesson.id, exercise.id)
        if shown:
            self._solutions.add(key)
        # hints seen stay seen after a restart (each reveal is a row; see use_hint)
        seen = max((a.hints_used for a in rows), default=0)
        self._hints[key] = max(self._hints.get(key, 0), min(seen, len(exercise.hints)))
        answers = [a for a in rows if a.status not in (HINT_STATUS, SOLUTION_STATUS)]
        return ExerciseHistory(
            attempts=len(charged),
            solved=any(a.status == "correct" for a in rows),
            solution_shown=shown,
            last=answers[-1] if answers else None,
        )

    def lesson_progress(self, lesson: Lesson) -> tuple[int, int]:
        """(exercises solved, exercises) in a lesson."""
        states = self.states()
        done = sum(
            1
            for e in lesson.exercises
            if (s := states.get((lesson.id, e.id))) is not None and s.solved
        )
        return done, len(lesson.exercises)

    def continue_point(self) -> Position | None:
        """Where "Continue" goes: never to a finished lesson.

        The learner's own place while its lesson has an unsolved exercise;
        else the step of the first unsolved exercise after it (then from the
        course's start); None when every exercise is solved, or on a first visit.
        """
        resume = self.resume_point()
        if resume is None:  # a first visit: nothing to continue
            return None
        states = self.states()
        lessons = self.pack.lessons
        lesson = self.pack.lesson(resume.lesson_id)
        assert lesson is not None  # resume_point checks it
        if _first_unsolved(lesson, states) is not None:
            return Position(lesson.id, self.position(lesson))
        start = lessons.index(lesson)
        for lesson in lessons[start:] + lessons[:start]:
            step = _first_unsolved(lesson, states)
            if step is not None:
                return Position(lesson.id, step)
        return None

    def lesson_summary(self, lesson: Lesson, rows: list[Attempt] | None = None) -> LessonSummary:
        """Solved, hints seen and solutions shown over a lesson's exercises, from the store."""
        return summarize(self.overview(lesson, rows))

    def lesson_summaries(self) -> dict[str, LessonSummary]:
        """`lesson_summary` of every lesson, from one read of the store."""
        rows = self._rows()
        return {lesson.id: self.lesson_summary(lesson, rows) for lesson in self.pack.lessons}

    def _rows(self) -> list[Attempt]:
        """This learner's rows, a choice in this pack's words whichever language recorded it."""
        rows = self.store.attempts(learner=self.learner, pack_id=self.pack.gradebook_id)
        return [self._in_our_words(a) for a in rows]

    def _in_our_words(self, attempt: Attempt) -> Attempt:
        exercise = self.pack.find_exercise(attempt.lesson_id, attempt.exercise_id)
        if not isinstance(exercise, ChoiceExercise) or not attempt.answer:
            return attempt
        from tutor.grading.choice import local_answer

        return replace(attempt, answer=local_answer(exercise, attempt.answer))

    def overview(self, lesson: Lesson, rows: list[Attempt] | None = None) -> list[ExerciseLine]:
        """Each exercise of a lesson as the learner left it: one read of the store."""
        rows = [a for a in (self._rows() if rows is None else rows) if a.lesson_id == lesson.id]
        lines = []
        number = 0
        for index, step in enumerate(lesson.steps):
            for exercise in step.exercises:
                number += 1
                mine = [a for a in rows if a.exercise_id == exercise.id]
                answers = [a for a in mine if a.status not in (HINT_STATUS, SOLUTION_STATUS)]
                lines.append(
                    ExerciseLine(
                        exercise=exercise,
                        number=number,
                        step=index,
                        solved=any(a.status == "correct" for a in mine),
                        attempts=sum(a.status in CHARGED for a in mine),
                        hints=max((a.hints_used for a in mine), default=0),
                        solution_shown=any(
                            a.solution_shown or a.status == SOLUTION_STATUS for a in mine
                        ),
                        last=answers[-1] if answers else None,
                        score=exercise_score(mine),
                    )
                )
        return lines

    def mistakes(self) -> list[Mistake]:
        """Every named mistake the learner made, by exercise, in course order."""
        found: dict[tuple[str, str, str], Mistake] = {}
        for a in self._rows():
            if a.mistake:
                key = (a.lesson_id, a.exercise_id, a.mistake)
                before = found.get(key)
                found[key] = Mistake(
                    a.lesson_id,
                    a.exercise_id,
                    a.mistake,
                    (before.count if before else 0) + 1,
                    a.answer,
                )
        order = {
            (lesson.id, exercise.id): n
            for n, (lesson, exercise) in enumerate(
                (lesson, exercise) for lesson in self.pack.lessons for exercise in lesson.exercises
            )
        }
        known = [m for m in found.values() if (m.lesson_id, m.exercise_id) in order]
        return sorted(known, key=lambda m: (order[(m.lesson_id, m.exercise_id)], m.tag))

    def hints_used(self, lesson: Lesson, exercise: Exercise) -> int:
        return self._hints.get((lesson.id, exercise.id), 0)

    def use_hint(self, lesson: Lesson, exercise: Exercise) -> int:
        """Count one more hint seen, recorded at once; returns how many are shown now.

        Recorded as a row of its own (status "hint", not an attempt), so a
        hint seen and then a quit or a crash is still seen, and counted in the
        gradebook's `hints_used`, when the learner comes back.
        Counted only once recorded: a class's service that cannot record it
        (`class_progress.NotRecorded`) leaves the hint unseen.
        """
        key = (lesson.id, exercise.id)
        before = self._hints.get(key, 0)
        after = min(before + 1, len(exercise.hints))
        if after > before:
            row = self._attempt(lesson, exercise, "", HINT_STATUS, 0.0, None)
            self.store.record_attempt(replace(row, hints_used=after))
        self._hints[key] = after
        return after

    def solution_shown(self, lesson: Lesson, exercise: Exercise) -> bool:
        return (lesson.id, exercise.id) in self._solutions

    def record_attempt(
        self, lesson: Lesson, exercise: Exercise, answer: str, verdict: Verdict
    ) -> Attempt:
        """Record a graded answer (a choice by its text); returns the row recorded."""
        if isinstance(exercise, ChoiceExercise):  # the choice itself, not its shown position
            from tutor.grading.choice import learner_order, recorded_answer

            order = learner_order(self.pack, lesson, exercise, self.learner)
            answer = recorded_answer(exercise, answer, order)
        row = self._attempt(
            lesson, exercise, answer, verdict.status.value, verdict.score, verdict.mistake
        )
        self.store.record_attempt(row)
        return row

    def record_solution(self, lesson: Lesson, exercise: Exercise) -> None:
        """Record that the solution was shown: an attempt-free row, score 0.

        In a class the service records it and only then sends the solution.
        """
        row = self._attempt(lesson, exercise, "", SOLUTION_STATUS, 0.0, None)
        self.store.record_attempt(replace(row, solution_shown=True))
        self._solutions.add((lesson.id, exercise.id))

    def _attempt(self, lesson, exercise, answer, status, score, mistake) -> Attempt:
        return Attempt(
            learner=self.learner,
            pack_id=self.pack.gradebook_id,
            pack_version=self.pack.version,
            lesson_id=lesson.id,
            exercise_id=exercise.id,
            answer=answer,
            status=status,
            score=score,
            mistake=mistake,
            hints_used=self.hints_used(lesson, exercise),
            solution_shown=self.solution_shown(lesson, exercise),
            created_at=time.time(),
            seed=learner_seed(self.pack, lesson, exercise, self.learner),  # to re-grade later
        )


def summarize(lines: list[ExerciseLine]) -> LessonSummary:
    """A lesson's overview folded into its summary."""
    return LessonSummary(
        solved=sum(line.solved for line in lines),
        exercises=len(lines),
        hints=sum(line.hints for line in lines),
        solutions=sum(line.solution_shown for line in lines),
        earned=sum(line.score for line in lines),
    )


def _first_unsolved(lesson: Lesson, states: dict[tuple[str, str], ExerciseState]) -> int | None:
    """The step of the lesson's first exercise not solved yet, or None."""
    for index, step in enumerate(lesson.steps):
        for exercise in step.exercises:
            state = states.get((lesson.id, exercise.id))
            if state is None or not state.solved:
                return index
    return None
