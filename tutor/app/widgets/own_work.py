"""Your own work on an exercise: the last answer and its verdict, and drafts.

Mixed into `ExerciseView`, which provides `lesson`, `exercise`, `last` (the
last answer graded, from the store), `solved` and `_draft_timer`. The
answer field starts with the draft, else the last answer; the verdict shown
is the last one's; what is typed is kept as a draft (`tutor.app.local_state`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import Input, TextArea

from tutor.app.widgets.verdict_view import VerdictView
from tutor.grading.verdict import Status, Verdict
from tutor.i18n import _
from tutor.pack.model import ChoiceExercise, CodeExercise

if TYPE_CHECKING:
    from textual.timer import Timer

    from tutor.pack.model import Exercise, Lesson
    from tutor.progress.store import Attempt

DRAFT_DELAY = 0.4  # seconds of quiet typing before a draft is written


class OwnWork(Widget):
    """The exercise's side of restoring work and keeping drafts."""

    lesson: Lesson
    exercise: Exercise
    last: Attempt | None
    solved: bool
    _draft_timer: Timer | None

    def _restored_text(self) -> str:
        """What the answer field starts with: the draft, else the last answer graded."""
        draft = self.app.session.drafts.get(self.lesson.id, self.exercise.id)
        if draft is not None:
            return draft
        return self.last.answer if self.last is not None else ""

    def _last_picks(self) -> list[int]:
        """The shown positions of the choices picked last (recorded by their text)."""
        if self.last is None or not isinstance(self.exercise, ChoiceExercise):
            return []
        from tutor.grading.choice import learner_order, read_choice

        order = learner_order(self.app.pack, self.lesson, self.exercise, self.app.learner)
        picks = read_choice(self.exercise, self.last.answer, order)
        return [] if isinstance(picks, str) else sorted(order.index(i) for i in picks)

    def _show_last(self, last: Attempt) -> None:
        """The verdict of the last answer, as the store has it (the field shows the answer)."""
        try:
            status = Status(last.status)
        except ValueError:
            return
        verdict = Verdict(status, last.score, mistake=last.mistake)
        if isinstance(self.exercise, ChoiceExercise) and not self.app.grading.in_class:
            # graded here, at once, with its feedback (a class's pack carries none)
            from tutor.grading import with_why
            from tutor.grading.choice import grade_choice, learner_order

            order = learner_order(self.app.pack, self.lesson, self.exercise, self.app.learner)
            again = grade_choice(self.exercise, last.answer, order)
            if again.status is not Status.UNREADABLE or status is Status.UNREADABLE:
                verdict = with_why(self.exercise, again)
            # else: a choice this pack cannot name (an old record in another language): the
            # verdict as recorded, never "not one of the choices" over a solved exercise
        view = self.query_one(VerdictView)
        view.show_verdict(verdict, echo=False)
        view.add_note(
            _("Your last answer, from your record; answer again to practise.")
            if self.solved
            else _("Your last answer, from your record.")
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self._keep_draft(event.value)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._keep_draft(event.text_area.text)

    def _keep_draft(self, text: str) -> None:
        """Kept at once in memory, written once typing pauses (one file write per pause)."""
        unchanged = (self.last is not None and text == self.last.answer) or (
            isinstance(self.exercise, CodeExercise) and text == self.exercise.starter
        )
        drafts = self.app.session.drafts
        if unchanged or not text.strip():
            drafts.clear(self.lesson.id, self.exercise.id, write=False)
        else:
            drafts.put(self.lesson.id, self.exercise.id, text, write=False)
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, drafts.save)

    def on_unmount(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self.app.session.drafts.save()  # leaving the step right after typing
