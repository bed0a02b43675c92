"""Answering a formula exercise, with a live "read as" preview in 2-D terminal math.

The preview is how STACK and PrairieLearn keep a typo from being mistaken
for a wrong idea: the learner sees what the reader made of their text
before they submit. It is computed in a thread worker (sympy is imported
on first use, never at start), so typing never waits for it.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from tutor.app.widgets.line_answer import LineAnswer
from tutor.app.widgets.math_block import MathBlock
from tutor.pack.model import FormulaExercise

PREVIEW_DELAY = 0.12  # seconds of quiet typing before the preview is redrawn


class FormulaAnswer(Vertical):
    """An input line and, below it, how the formula reads so far."""

    def __init__(self, exercise: FormulaExercise, **kwargs):
        super().__init__(classes="formula-answer", **kwargs)
        self.exercise = exercise
        self._generation = 0

    def compose(self) -> ComposeResult:
        names = ", ".join(self.exercise.symbols) or "the symbols"
        yield LineAnswer(f"a formula over {names}, in plain math or LaTeX")
        yield Static("Read as: (type a formula)", classes="preview-label", markup=False)
        yield MathBlock("", classes="preview")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._generation += 1
        # wait for a pause in typing: one preview per burst, not one per key, over SSH
        generation = self._generation
        self.set_timer(PREVIEW_DELAY, lambda: self._preview(event.value, generation))

    @work(thread=True, exclusive=True, group="formula-preview")
    def _preview(self, text: str, generation: int) -> None:
        if generation != self._generation:
            return
        label, body = read_as(text, self.exercise, self.app.ascii)
        self.app.call_from_thread(self._show, label, body, generation)

    def _show(self, label: str, body: str, generation: int) -> None:
        if generation != self._generation:
            return  # a newer keystroke has its own preview coming
        self.query_one(".preview-label", Static).update(label)
        block = self.query_one(".preview", MathBlock)
        block.update(body)


def read_as(text: str, exercise: FormulaExercise, ascii: bool) -> tuple[str, str]:
    """(label, 2-D rendering) of how `text` reads against the exercise's symbols."""
    if not text.strip():
        return "Read as: (type a formula)", ""
    from tutor.symbolic.reader import Unreadable, read_formula
    from tutor.symbolic.render import render_formula
    from tutor.symbolic.tree import SymbolTable

    formula = read_formula(text, SymbolTable.of(exercise.symbols))
    if isinstance(formula, Unreadable):
        return f"Cannot read yet: {formula.message}", ""
    try:
        return "Read as:", render_formula(formula, ascii=ascii)
    except Exception as error:  # noqa: BLE001 - a printer failure must not lose the input
        return f"Read, but cannot draw it: {error}", ""
