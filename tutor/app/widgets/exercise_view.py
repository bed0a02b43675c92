"""One exercise in a step: its prompt, the answer widget, the verdict."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, OptionList, Static
from textual.widgets.option_list import Option

from tutor.app.prose import prepare_markdown
from tutor.grading.choice import grade_choice
from tutor.grading.verdict import Verdict
from tutor.pack.model import ChoiceExercise, Exercise, Lesson


class ExerciseView(Vertical):
    """Shows an exercise; choice exercises are answered here with Enter."""

    def __init__(self, lesson: Lesson, exercise: Exercise):
        super().__init__(classes="exercise")
        self.lesson = lesson
        self.exercise = exercise

    def compose(self) -> ComposeResult:
        exercise = self.exercise
        yield Static(
            f"Exercise · {exercise.id} [{exercise.type}]", classes="exercise-title", markup=False
        )
        yield Markdown(prepare_markdown(exercise.prompt, self.app.render_math))
        if isinstance(exercise, ChoiceExercise):
            yield OptionList(
                *[
                    Option(f"{number}. {choice.text}", id=str(number - 1))
                    for number, choice in enumerate(exercise.choices, start=1)
                ],
                classes="choices",
            )
        else:
            yield Static(
                f"Answering `{exercise.type}` exercises in the app has not landed yet; "
                f"use `ce-tutor grade {self.lesson.id}/{exercise.id}`.",
                classes="not-gradable",
                markup=False,
            )
        yield Static("", classes="verdict", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        assert isinstance(self.exercise, ChoiceExercise)
        verdict = grade_choice(self.exercise, str(int(event.option.id) + 1))
        self.show_verdict(verdict)
        self.app.record_attempt(self.lesson, self.exercise, event.option.id, verdict)

    def show_verdict(self, verdict: Verdict) -> None:
        mark = "✓ Correct." if verdict.correct else "✗ Not quite."
        text = f"{mark} {verdict.feedback}"
        if verdict.mistake:
            text += f"\n  (mistake: {verdict.mistake})"
        label = self.query_one(".verdict", Static)
        label.update(text)
        label.set_class(verdict.correct, "-correct")
        label.set_class(not verdict.correct, "-incorrect")
