"""Answering a formula exercise, with a live "read as" preview in 2-D terminal math.

The preview is how STACK and PrairieLearn keep a typo from being mistaken
for a wrong idea: the learner sees what the reader made of their text
before they submit. The grading service reads and draws it (sympy lives
there), from a thread worker after a pause in typing, so typing never
waits for it.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from tutor.app.from_thread import tell_app
from tutor.app.widgets.leaving import part
from tutor.app.widgets.line_answer import LineAnswer
from tutor.app.widgets.math_block import MathBlock
from tutor.grading.drawing import NOTHING_TYPED
from tutor.i18n import _
from tutor.pack.model import FormulaExercise, Lesson

PREVIEW_DELAY = 0.12  # seconds of quiet typing before the preview is redrawn


class FormulaAnswer(Vertical):
    """An input line and, below it, how the formula reads so far."""

    def __init__(self, lesson: Lesson, exercise: FormulaExercise, value: str = "", **kwargs):
        super().__init__(classes="formula-answer", **kwargs)
        self.lesson = lesson
        self.exercise = exercise
        self.value = value  # a draft or the last answer, restored
        self._generation = 0

    def compose(self) -> ComposeResult:
        names = ", ".join(self.exercise.symbols) or _("the symbols")
        yield LineAnswer(
            _("a formula over {names}, in plain math or LaTeX").format(names=names), self.value
        )
        yield Static(_(NOTHING_TYPED), classes="preview-label", markup=False)
        yield MathBlock("", classes="preview")

    def on_input_changed(self, event: Input.Changed) -> None:
        # not stopped: the exercise keeps the text as a draft (ExerciseView)
        self._generation += 1
        # wait for a pause in typing: one preview per burst, not one per key, over SSH
        generation = self._generation
        self.set_timer(PREVIEW_DELAY, lambda: self._preview(event.value, generation))

    @work(thread=True, exclusive=True, group="formula-preview")
    def _preview(self, text: str, generation: int) -> None:
        if generation != self._generation:
            return
        app = self.app  # taken now: once the step is left, the field no longer knows its app
        try:
            label, body = app.grading.read_as(self.lesson, self.exercise, text, app.ascii)
        except Exception as error:  # noqa: BLE001 - the answer can still be submitted
            label, body = _("Read as: (no preview: {error})").format(error=error), ""
        tell_app(app, self._show, label, body, generation)

    def _show(self, label: str, body: str, generation: int) -> None:
        if generation != self._generation:
            return  # a newer keystroke has its own preview coming
        shown, block = part(self, ".preview-label", Static), part(self, ".preview", MathBlock)
        if shown is None or block is None:
            return  # the learner left the step while it was read
        shown.update(label)
        block.update(body)
