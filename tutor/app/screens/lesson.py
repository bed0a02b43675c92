"""The lesson screen: one step at a time, its prose, examples, derivations, plots, exercises."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from tutor.app.widgets.code_example_view import CodeExampleView
from tutor.app.widgets.derivation_view import DerivationView
from tutor.app.widgets.exercise_view import ExerciseView
from tutor.app.widgets.key_bar import KeyBar
from tutor.app.widgets.prose_view import ProseView
from tutor.app.widgets.step_indicator import StepIndicator
from tutor.app.widgets.title_bar import TitleBar
from tutor.i18n import N_, _
from tutor.pack.model import Block, CodeExample, Derivation, Exercise, Lesson, Plot, Prose


class LessonScreen(Screen):
    """Steps through a lesson; the position is saved on every move."""

    BINDINGS = [
        Binding("n,right", "next_step", N_("Next")),
        Binding("p,left", "previous_step", N_("Prev")),
        Binding("h", "hint", N_("Hint")),
        Binding("s", "solution", N_("Solution")),
        Binding("r", "run", N_("Run"), show=False),
        Binding("d", "reveal", N_("Derive"), show=False),
        Binding("j", "scroll(1)", N_("Scroll"), show=False),
        Binding("k", "scroll(-1)", N_("Scroll"), show=False),
        # at once, like Tab (see TutorApp.BINDINGS): "esc n" in one burst leaves the field,
        # then goes to the next step, instead of typing "n" into the answer
        Binding("escape", "back", N_("Back"), priority=True),
        Binding("q", "app.quit", N_("Quit"), show=False),
    ]

    step = reactive(0, init=False)

    def __init__(self, lesson: Lesson, step: int = 0):
        super().__init__()
        self.lesson = lesson
        self.set_reactive(LessonScreen.step, min(max(step, 0), len(lesson.steps) - 1))

    def compose(self) -> ComposeResult:
        yield TitleBar(self.lesson.title)
        yield StepIndicator(id="step-indicator")
        yield VerticalScroll(id="step-body")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_step()
        self.app.session.save_position(self.lesson, self.step)

    def watch_step(self) -> None:
        self._show_step()
        self.app.session.save_position(self.lesson, self.step)

    def _show_step(self) -> None:
        self.query_one(StepIndicator).show(self.step, [s.title for s in self.lesson.steps])
        body = self.query_one("#step-body", VerticalScroll)
        body.remove_children()
        step = self.lesson.steps[self.step]
        widgets: list[Widget] = [
            Static(self.app.plain(step.title), classes="step-title", markup=False)
        ]
        if self.step == 0 and _intro(self.lesson.intro):
            widgets.append(ProseView(_intro(self.lesson.intro)))
        numbers = {id(e): n for n, e in enumerate(self.lesson.exercises, start=1)}
        for block in step.blocks:
            widgets.append(self._widget_for(block, numbers))
        if self.step < len(self.lesson.steps) - 1:
            widgets.append(Static(_("n: next step"), classes="step-end", markup=False))
        else:
            widgets.append(
                Static(
                    f"{_('End of the lesson')} {self.app.glyphs.bullet} {_('esc: lessons')}",
                    classes="step-end",
                    markup=False,
                )
            )
        body.mount_all(widgets)
        body.scroll_home(animate=False)
        body.focus()
        self.refresh_bindings()

    def _widget_for(self, block: Block, numbers: dict[int, int]) -> Widget:
        if isinstance(block, Prose):
            return ProseView(block.text)
        if isinstance(block, CodeExample):
            return CodeExampleView(block)
        if isinstance(block, Exercise):
            return ExerciseView(self.lesson, block, numbers[id(block)])
        if isinstance(block, Derivation):
            return DerivationView(self.lesson, block)
        if isinstance(block, Plot):
            from tutor.app.widgets.plot_view import PlotView  # plotext is slow to import

            return PlotView(block)
        return Static(
            _("(a {kind} block this app cannot show)").format(kind=type(block).__name__),
            markup=False,
        )

    # which block a key is about: the one holding focus, else the first in the step

    def _target(self, kind: type[Widget]) -> Widget | None:
        focused = self.focused
        node = focused
        while node is not None and node is not self:
            if isinstance(node, kind):
                return node
            node = node.parent
        found = self.query(kind)
        if kind is ExerciseView:
            unsolved = [view for view in found if not view.solved]
            if unsolved:
                return unsolved[0]
        return found.first() if found else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_mounted:
            return True
        if action == "next_step":
            return self.step < len(self.lesson.steps) - 1 or None
        if action == "previous_step":
            return self.step > 0 or None
        if action in ("hint", "solution"):
            return bool(self.lesson.steps[self.step].exercises) or None
        if action == "run":
            return any(isinstance(b, CodeExample) for b in self.lesson.steps[self.step].blocks)
        if action == "reveal":
            return any(isinstance(b, Derivation) for b in self.lesson.steps[self.step].blocks)
        return True

    # actions

    def action_next_step(self) -> None:
        if self.step < len(self.lesson.steps) - 1:
            self.step += 1

    def action_previous_step(self) -> None:
        if self.step > 0:
            self.step -= 1

    def action_scroll(self, lines: int) -> None:
        self.query_one("#step-body", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_hint(self) -> None:
        view = self._target(ExerciseView)
        if isinstance(view, ExerciseView):
            if not view.show_next_hint():
                self.notify(_("No more hints for this exercise."), markup=False)
            view.scroll_visible(animate=False)

    def action_solution(self) -> None:
        view = self._target(ExerciseView)
        if isinstance(view, ExerciseView):
            if not view.show_solution():
                self.notify(_("This exercise has no written solution."), markup=False)
            view.scroll_visible(animate=False)

    def action_run(self) -> None:
        view = self._target(CodeExampleView)
        if isinstance(view, CodeExampleView):
            view.action_run()

    def action_reveal(self) -> None:
        view = self._target(DerivationView)
        if isinstance(view, DerivationView):
            view.action_reveal()

    def action_back(self) -> None:
        """Leave an answer field first; from the lesson itself, back to the lessons."""
        if isinstance(self.focused, (Input, TextArea)) or (
            self.focused is not None and self.focused.id != "step-body"
        ):
            # set_focus, not .focus(): that one waits for the next turn of the event loop,
            # and a key right behind the Esc would still go to the answer
            self.set_focus(self.query_one("#step-body", VerticalScroll))
            return
        self.app.pop_screen()


def _intro(intro: str) -> str:
    """The lesson's intro without its `# title` line (the header shows the title)."""
    lines = [line for line in intro.strip().splitlines() if not line.startswith("# ")]
    return "\n".join(lines).strip()
