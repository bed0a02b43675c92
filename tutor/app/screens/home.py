"""The home screen: the pack's lessons, and where the learner left off."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option


class HomeScreen(Screen):
    """Lists lessons with a completion mark; Enter opens one."""

    BINDINGS = [
        Binding("c", "continue", "Continue"),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        pack = self.app.pack
        yield Header(show_clock=False)
        yield Static(f"{pack.title}", id="home-title", markup=False)
        yield OptionList(*self._options(), id="lesson-list")
        yield Footer()

    def _options(self) -> list[Option]:
        options = []
        resume = self.app.resume_point()
        if resume is not None:
            lesson = self.app.pack.lesson(resume.lesson_id)
            if lesson is not None:
                options.append(
                    Option(f"▶ Continue: {lesson.title} (step {resume.step + 1})", id="continue")
                )
        for lesson in self.app.pack.lessons:
            done, total = self.app.lesson_progress(lesson)
            mark = "✓" if total and done == total else "·"
            count = f"  {done}/{total} exercises" if total else ""
            options.append(Option(f"{mark} {lesson.title}{count}", id=f"lesson:{lesson.id}"))
        return options

    def on_screen_resume(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(self._options())
        options.highlighted = highlighted if highlighted is not None else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id == "continue":
            self.action_continue()
        elif option_id.startswith("lesson:"):
            self.app.open_lesson(option_id.removeprefix("lesson:"))

    def action_continue(self) -> None:
        resume = self.app.resume_point()
        if resume is not None:
            self.app.open_lesson(resume.lesson_id)
