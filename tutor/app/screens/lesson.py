"""The lesson screen: one step at a time, prose and the step's exercises."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, Static

from tutor.app.prose import prepare_markdown
from tutor.app.widgets.exercise_view import ExerciseView
from tutor.pack.model import CodeExample, Derivation, Exercise, Lesson, Plot, Prose


class LessonScreen(Screen):
    """Steps through a lesson; the position is saved on every move."""

    BINDINGS = [
        Binding("n,right", "next_step", "Next"),
        Binding("p,left", "previous_step", "Previous"),
        Binding("escape,h", "app.pop_screen", "Lessons"),
        Binding("q", "app.quit", "Quit"),
    ]

    step = reactive(0, init=False)

    def __init__(self, lesson: Lesson, step: int = 0):
        super().__init__()
        self.lesson = lesson
        self.set_reactive(LessonScreen.step, min(max(step, 0), len(lesson.steps) - 1))

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(self._indicator(), id="step-indicator", markup=False)
        yield VerticalScroll(id="step-body")
        yield Footer()

    def on_mount(self) -> None:
        self._show_step()

    def _indicator(self) -> str:
        title = self.lesson.steps[self.step].title
        return f"{self.lesson.title} — step {self.step + 1}/{len(self.lesson.steps)}: {title}"

    def watch_step(self) -> None:
        self._show_step()
        self.app.save_position(self.lesson, self.step)

    def _show_step(self) -> None:
        self.query_one("#step-indicator", Static).update(self._indicator())
        body = self.query_one("#step-body", VerticalScroll)
        body.remove_children()
        step = self.lesson.steps[self.step]
        widgets = [Markdown(f"## {step.title}")]
        for block in step.blocks:
            widgets.append(self._widget_for(block))
        body.mount_all(widgets)
        body.scroll_home(animate=False)

    def _widget_for(self, block) -> Markdown | ExerciseView:
        render = self.app.render_math
        if isinstance(block, Prose):
            return Markdown(prepare_markdown(block.text, render))
        if isinstance(block, CodeExample):
            text = f"```python\n{block.code}\n```"
            if block.output is not None:
                text += f"\nOutput:\n\n```text\n{block.output}\n```"
            return Markdown(text)
        if isinstance(block, Exercise):
            return ExerciseView(self.lesson, block)
        if isinstance(block, Derivation):
            name = block.title or block.use or "derivation"
            return Markdown(f"*Derivation: {name}* — shown step by step once the engine lands.")
        if isinstance(block, Plot):
            return Markdown(f"*Plot of {', '.join(block.y)} for {block.x} in {block.range}.*")
        return Markdown("")

    def action_next_step(self) -> None:
        if self.step < len(self.lesson.steps) - 1:
            self.step += 1

    def action_previous_step(self) -> None:
        if self.step > 0:
            self.step -= 1
