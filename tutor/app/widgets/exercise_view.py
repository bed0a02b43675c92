"""One exercise in a step: prompt, the answer widget for its type, verdict, hints, solution.

Grading runs in a thread worker (the service may take a moment, a code
exercise longer); the verdict is recorded through the session in the UI
thread, where the store's connection lives.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import App, ComposeResult
from textual.await_complete import AwaitComplete
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from tutor.app.class_progress import NotRecorded
from tutor.app.from_thread import tell_app
from tutor.app.grading_link import ServiceWaiting
from tutor.app.prose import plain_text
from tutor.app.restyle import set_own_class
from tutor.app.widgets.answered import Answered
from tutor.app.widgets.choice_answer import ChoiceAnswer
from tutor.app.widgets.code_answer import CodeAnswer
from tutor.app.widgets.formula_answer import FormulaAnswer
from tutor.app.widgets.hint_list import HintList
from tutor.app.widgets.leaving import leaving, part
from tutor.app.widgets.line_answer import LineAnswer
from tutor.app.widgets.own_work import OwnWork
from tutor.app.widgets.predict_answer import PredictAnswer
from tutor.app.widgets.prose_view import ProseView
from tutor.app.widgets.titles import fitted
from tutor.app.widgets.verdict_view import VerdictView
from tutor.grading.verdict import GraderNotAvailable, Status, Verdict
from tutor.i18n import N_, _
from tutor.pack.model import (
    ChoiceExercise,
    CodeExercise,
    Exercise,
    FormulaExercise,
    Lesson,
    NumberExercise,
    PredictExercise,
)
from tutor.progress.store import Attempt

PENDING_DELAY = 0.15  # seconds before "checking your answer" is shown
REDRAW_EVERY = 3.0  # seconds between tries to draw the learner's numbers while the service is away
# the exercise types as the title line names them (translated where shown)
TYPE_NAMES = {
    "choice": N_("choice"),
    "number": N_("number"),
    "formula": N_("formula"),
    "code": N_("code"),
    "predict": N_("predict"),
}
NUMBERS_MISSING = N_(
    "Your own numbers are not drawn yet ({problem}), so this answer was not graded "
    "and no attempt was counted. They appear here as soon as the grading service answers."
)


class ExerciseView(OwnWork, Vertical):
    """Shows one exercise and runs its loop: answer → verdict → record."""

    class Recorded(Message):
        """An answer, a hint or a solution went into the learner's record (the lesson's
        end summary counts it)."""

    def __init__(self, lesson: Lesson, exercise: Exercise, number: int, **kwargs):
        super().__init__(classes="exercise", **kwargs)
        self.lesson = lesson
        self.exercise = exercise
        self.number = number
        self.attempts = 0
        self.solved = False
        self.hints_shown = 0
        self.solution_shown = False
        self.grading = False
        # the prompt shows {name} placeholders: an answer now would be graded against
        # numbers the learner never saw, so none is taken until they are drawn
        self.numbers_missing: str | None = None
        self._redraw_timer: Timer | None = None
        self.last: Attempt | None = None  # the last answer graded, from the store
        self.params: dict[str, Any] = {}
        self._draft_timer: Timer | None = None
        self._title: str | None = None  # the border title as last set

    # building

    def compose(self) -> ComposeResult:
        yield Vertical(classes="prompt")
        yield Vertical(classes="answer")
        yield VerdictView(classes="verdict")
        yield HintList(classes="hints")

    async def on_mount(self) -> None:
        if part(self, HintList, HintList) is None:
            return  # removed before it composed (the step was left at once): nothing to show
        session = self.app.session
        history = session.history(self.lesson, self.exercise)
        self.attempts, self.solved = history.attempts, history.solved
        self.solution_shown = history.solution_shown
        self.hints_shown = session.hints_used(self.lesson, self.exercise)
        self.last = history.last
        self.watch(self.screen, "focused", self._focus_moved)
        self._update_title()
        self._update_hints()
        if self.last is not None:
            self._show_last(self.last)
        elif self.solved:
            self.query_one(VerdictView).show_note(
                f"{self.app.glyphs.correct} "
                + _("You solved this before; answer again to practise.")
            )
        if _has_params(self.exercise):
            waiting = f"{self.app.glyphs.pending} " + _(
                "drawing your own numbers for this exercise"
            )
            self.query_one(".prompt", Vertical).mount(Static(waiting, classes="drawing"))
            self._present_in_worker()
        else:
            # nothing to draw: shown at once, so Tab right after the step appears finds it,
            # and mounted before this returns, so the step's first frame has the prompt
            await self._show_exercise(*self._presentation(self.app))

    @work(thread=True, exclusive=True, group="present")
    def _present_in_worker(self) -> None:
        app = self.app  # taken now: once the step is left, the view no longer knows its app
        tell_app(app, self._show_exercise, *self._presentation(app))

    def _presentation(self, app: App) -> tuple[dict[str, Any], str | None]:
        """The exercise as this learner sees it, and why it could not be, if it could not."""
        try:
            shown = app.grading.present(self.lesson, self.exercise)
            problem = None
        except GraderNotAvailable as error:
            shown, problem = _unfilled(self.exercise), str(error)
        except Exception as error:  # noqa: BLE001 - a broken service must not break the lesson
            shown, problem = (
                _unfilled(self.exercise),
                _("the grading service failed: {error}").format(error=error),
            )
        return shown, problem

    def _show_exercise(self, shown: dict[str, Any], problem: str | None) -> AwaitComplete:
        """Prompt and answer field in place; awaiting the result waits for them to be mounted."""
        prompt, answer = part(self, ".prompt", Vertical), part(self, ".answer", Vertical)
        if prompt is None or answer is None:
            return AwaitComplete.nothing()  # drawn after the learner left the step
        redraw = self.numbers_missing is not None
        if redraw and problem is not None:
            self.numbers_missing = problem  # still away: keep the placeholders, try again
            self._redraw_later()
            return AwaitComplete.nothing()
        refocus = redraw and answer.has_focus_within
        if problem is None:
            self.params = dict(shown.get("params") or {})  # the learner's own numbers, for `c`
        prompt.remove_children()
        from tutor.app.matrices import prompt_with_matrices

        params = shown.get("params") or {}
        text = prompt_with_matrices(self.exercise.prompt, params) if problem is None else None
        mounted = [prompt.mount(ProseView(text or shown["prompt"]))]
        self.numbers_missing = None
        if problem is not None and _has_params(self.exercise):
            self.numbers_missing = problem
            placeholders = prompt.mount(
                Static(
                    _(
                        "Your own numbers could not be drawn ({problem}); "
                        "the {{name}} placeholders above stand for them until they are."
                    ).format(problem=problem),
                    classes="note placeholders",
                    markup=False,
                )
            )
            mounted.append(placeholders)
            self._redraw_later()
        answer.remove_children()
        mounted.append(answer.mount(self._answer_widget(shown)))
        shown_hook = getattr(self.screen, "answer_shown", None)
        if shown_hook is not None:  # LessonScreen: the exercise asked for takes the focus
            self.call_after_refresh(shown_hook, self)
        if redraw:
            self.query_one(VerdictView).show_note(
                _("Your own numbers are drawn: answer with them.")
            )
            if refocus:
                self.call_after_refresh(self.focus_answer)
        return AwaitComplete(*mounted)

    def _redraw_later(self) -> None:
        """One pending try at a time, however often the learner answers meanwhile."""
        if self._redraw_timer is not None:
            self._redraw_timer.stop()
        self._redraw_timer = self.set_timer(REDRAW_EVERY, self._present_in_worker)

    def _answer_widget(self, shown: dict[str, Any]) -> Widget:
        exercise = self.exercise
        pointer = self.app.glyphs.pointer
        typed = self._restored_text()
        if isinstance(exercise, ChoiceExercise):
            choices = shown.get("choices") or [c.text for c in exercise.choices]
            choices = [plain_text(text, self.app.math.inline) for text in choices]
            return ChoiceAnswer(exercise, choices, pointer, picks=self._last_picks())
        if isinstance(exercise, NumberExercise):
            return LineAnswer(_("a number, e.g. 1.2914"), typed, classes="number-answer")
        if isinstance(exercise, FormulaExercise):
            return FormulaAnswer(self.lesson, exercise, typed)
        if isinstance(exercise, CodeExercise):
            return CodeAnswer(typed or shown.get("starter") or exercise.starter)
        if isinstance(exercise, PredictExercise):
            return PredictAnswer(shown.get("code") or exercise.code, typed)
        return Static(
            _("Exercises of type {type!r} cannot be answered here.").format(type=exercise.type)
        )

    # answering

    def on_answered(self, message: Answered) -> None:
        message.stop()
        if self.grading:
            return
        if self.numbers_missing is not None:
            self.query_one(VerdictView).show_note(
                _(NUMBERS_MISSING).format(problem=self.numbers_missing)
            )
            self._present_in_worker()  # and try to draw them right now
            return
        self.grading = True
        # Most verdicts come back within this: saying "checking" first would only cost
        # the terminal (and a class's CPU) one more redraw per answer.
        self.set_timer(PENDING_DELAY, self._show_pending)
        self._grade(message.answer)

    def _show_pending(self) -> None:
        verdict = part(self, VerdictView, VerdictView)
        if self.grading and verdict is not None:
            verdict.show_pending(_("checking your answer"))

    @work(thread=True, exclusive=True, group="grade")
    def _grade(self, answer: str) -> None:
        app = self.app  # taken now: once the step is left, the view no longer knows its app
        try:
            outcome: Verdict | str = app.grading.grade(self.lesson, self.exercise, answer)
        except ServiceWaiting as error:
            outcome = _("{error}. Your answer was not graded and no attempt was counted.").format(
                error=error
            )
        except GraderNotAvailable as error:
            outcome = _(
                "Grading {type} exercises is not available here yet: {error}. "
                "Your answer was not graded and no attempt was counted."
            ).format(type=self.exercise.type, error=error)
        except Exception as error:  # noqa: BLE001 - shown to the learner, never a traceback
            outcome = _("Grading failed ({error}). No attempt was counted; try again.").format(
                error=error
            )
        # not `tell_app`: while the app shuts down its loop still runs this, and the verdict
        # is recorded (`_graded`); only a display can be dropped once the app stops running
        app.call_from_thread(self._graded, answer, outcome)

    def _graded(self, answer: str, outcome: Verdict | str) -> None:
        """The verdict: recorded even when the learner has left the step meanwhile (their
        answer counts, and is shown when they come back), shown only if the step is here."""
        self.grading = False
        if isinstance(outcome, str):
            note = part(self, VerdictView, VerdictView)
            if note is not None:
                note.show_note(outcome)
                self.call_after_refresh(note.scroll_visible, animate=False)
            return
        verdict = outcome
        recorded = self.app.session.record_attempt(self.lesson, self.exercise, answer, verdict)
        self.app.session.drafts.clear(self.lesson.id, self.exercise.id)  # in the store now
        verdict_view = part(self, VerdictView, VerdictView)
        if verdict_view is None:
            return
        self.post_message(self.Recorded())
        self.last = recorded
        if verdict.status.charges_attempt:
            self.attempts += 1
        if verdict.status is Status.CORRECT:
            self.solved = True
        # a choice shows its pick and a formula its live preview: no need to echo those
        echo = not isinstance(self.exercise, (ChoiceExercise, FormulaExercise))
        verdict_view.show_verdict(verdict, echo=echo)
        if self.solution_shown:  # said plainly: the record keeps that it came after the solution
            verdict_view.add_note(
                _("The solution was shown before this answer: your record says so.")
            )
        self.call_after_refresh(verdict_view.scroll_visible, animate=False)
        out_of_attempts = not self.solved and self.attempts >= self.allowed_attempts
        if out_of_attempts and not self.solution_shown and self.exercise.solution:
            self.show_solution()
        self._update_title()

    # hints and solution

    def show_next_hint(self) -> bool:
        """Reveal one more hint; False when there is none left (or the step is gone)."""
        if self.hints_shown >= len(self.exercise.hints) or leaving(self):
            return False
        try:
            self.hints_shown = self.app.session.use_hint(self.lesson, self.exercise)
        except NotRecorded as error:
            self.app.notify(
                _("The hint could not be recorded, so it is not shown: {error}").format(
                    error=error
                ),
                markup=False,
            )
            return True
        self._update_hints()
        self._update_title()  # its "hints n/m" counts this one
        self.post_message(self.Recorded())
        return True

    def show_solution(self) -> bool:
        if not self.exercise.solution or leaving(self):
            return False
        if not self.solution_shown:
            try:
                self.app.session.record_solution(self.lesson, self.exercise)
            except NotRecorded as error:
                self.app.notify(
                    _("The solution could not be recorded, so it is not shown: {error}").format(
                        error=error
                    ),
                    markup=False,
                )
                return True
            self.solution_shown = True
            self.post_message(self.Recorded())
        self._update_hints()
        self._update_title()
        return True

    def _update_hints(self) -> None:
        solution = self.exercise.solution if self.solution_shown else None
        hints = part(self, HintList, HintList)
        if hints is not None:
            hints.show(self.exercise.hints, self.hints_shown, solution)

    # the title line

    @property
    def allowed_attempts(self) -> int:
        """The exercise's attempts, but no more than a choice has wrong answers to try."""
        exercise = self.exercise
        if isinstance(exercise, ChoiceExercise) and not exercise.multiple:
            return max(min(exercise.attempts, len(exercise.choices) - 1), 1)
        return exercise.attempts

    def _update_title(self) -> None:
        glyphs = self.app.glyphs
        kind = _(TYPE_NAMES.get(self.exercise.type, self.exercise.type))
        parts = [_("Exercise {n}").format(n=self.number), kind]
        if self.solved:
            parts.append(f"{glyphs.correct} " + _("solved"))
        elif self.attempts:
            left = max(self.allowed_attempts - self.attempts, 0)
            parts.append(_("{tried} tried, {left} left").format(tried=self.attempts, left=left))
        if self.exercise.hints:
            parts.append(
                _("hints {shown}/{count}").format(
                    shown=self.hints_shown, count=len(self.exercise.hints)
                )
            )
        # the pointer marks the exercise the keys act on: in focus, or focused last
        marked = self.has_focus_within or self.has_class("-current")
        title = fitted(
            self, (f"{glyphs.pointer} " if marked else "") + f" {glyphs.bullet} ".join(parts)
        )
        if title != self._title:  # setting it repaints the exercise, even to the same text
            self._title = self.border_title = title
        set_own_class(self, self.solved, "-solved")

    def _focus_moved(self, focused: Widget | None) -> None:
        """The border says whether the focus is in here: when it moves, as `:focus-within` did,
        and the title's pointer with it (in the same frame)."""
        inside = focused is not None and self in focused.ancestors_with_self
        set_own_class(self, inside, "-in-focus")
        self._update_title()

    def on_resize(self) -> None:
        self._update_title()

    def on_descendant_focus(self) -> None:
        self._update_title()

    def on_descendant_blur(self) -> None:
        self.call_after_refresh(self._update_title)

    def set_current(self, current: bool) -> None:
        """The lesson's keys (h, s, typing) act on this exercise, focused or not."""
        set_own_class(self, current, "-current")
        self._update_title()

    def answer_field(self) -> Widget | None:
        """The widget that takes this exercise's answer (None while it is not shown yet)."""
        answer = part(self, ".answer", Vertical)
        for widget in answer.query("*") if answer is not None else ():
            if widget.focusable:
                return widget
        return None

    def focus_answer(self) -> None:
        field = self.answer_field()
        if field is not None:
            field.focus()


def params_as_python(params: dict[str, Any]) -> str:
    """The learner's numbers as Python to paste: lists as tensors, at full precision."""
    lines = ["import torch", ""]
    for name, value in params.items():
        shown = f"torch.tensor({value!r})" if isinstance(value, list) else repr(value)
        lines.append(f"{name} = {shown}")
    return "\n".join(lines) + "\n"


def _has_params(exercise: Exercise) -> bool:
    from tutor.grading.presentation import exercise_params

    return bool(exercise_params(exercise))


def _unfilled(exercise: Exercise) -> dict[str, Any]:
    """What can be shown without the service: the prompt as written."""
    shown: dict[str, Any] = {"prompt": exercise.prompt}
    if isinstance(exercise, CodeExercise):
        shown["starter"] = exercise.starter
    return shown
