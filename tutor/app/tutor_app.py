"""TutorApp: wires the pack, the learner's progress and the screens.

Kept thin on purpose: screens own their behaviour; the app holds the shared
services (pack, store, math rendering) and moves between screens.
"""

from __future__ import annotations

import time

from textual.app import App

from tutor.app.screens.home import HomeScreen
from tutor.app.screens.lesson import LessonScreen
from tutor.grading.verdict import Verdict
from tutor.pack.model import Exercise, Lesson, Pack
from tutor.progress.store import Attempt, Position, ProgressStore, open_store


class TutorApp(App):
    """The ce-tutor app on one pack, for one learner."""

    CSS_PATH = "tutor.tcss"
    TITLE = "ce-tutor"

    def __init__(self, pack: Pack, learner: str, store: ProgressStore | None = None):
        super().__init__()
        self.pack = pack
        self.learner = learner
        self.store = store or open_store()
        self.sub_title = f"{pack.title} · {learner}"

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())

    # services the screens use

    def render_math(self, latex: str, display: bool) -> str:
        from pylatexenc.latex2text import LatexNodes2Text

        return LatexNodes2Text(math_mode="text").latex_to_text(latex).strip()

    def resume_point(self) -> Position | None:
        return self.store.last_position(self.learner, self.pack.id)

    def lesson_progress(self, lesson: Lesson) -> tuple[int, int]:
        states = self.store.exercise_states(self.learner, self.pack.id)
        done = sum(
            1
            for e in lesson.exercises
            if states.get((lesson.id, e.id), None) and states[(lesson.id, e.id)].solved
        )
        return done, len(lesson.exercises)

    def open_lesson(self, lesson_id: str) -> None:
        lesson = self.pack.lesson(lesson_id)
        if lesson is None:
            return
        step = self.store.position(self.learner, self.pack.id, lesson_id)
        self.push_screen(LessonScreen(lesson, step))
        self.save_position(lesson, min(step, len(lesson.steps) - 1))

    def save_position(self, lesson: Lesson, step: int) -> None:
        self.store.save_position(self.learner, self.pack.id, lesson.id, step)

    def record_attempt(
        self, lesson: Lesson, exercise: Exercise, answer: str, verdict: Verdict
    ) -> None:
        self.store.record_attempt(
            Attempt(
                learner=self.learner,
                pack_id=self.pack.id,
                pack_version=self.pack.version,
                lesson_id=lesson.id,
                exercise_id=exercise.id,
                answer=answer,
                status=verdict.status.value,
                score=verdict.score,
                mistake=verdict.mistake,
                created_at=time.time(),
            )
        )
