"""The home screen: "continue where you left off", then every lesson with its progress."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tutor.app.screens.course_end import score_text
from tutor.app.session import LessonSummary, course_score
from tutor.app.widgets.key_bar import KeyBar
from tutor.app.widgets.marked_option_list import MarkedOptionList
from tutor.app.widgets.title_bar import TitleBar
from tutor.i18n import N_, _
from tutor.pack.model import Lesson


class HomeScreen(Screen):
    """Lists lessons with a progress bar and a completion mark; Enter opens one."""

    BINDINGS = [
        Binding("c", "continue", N_("Continue")),
        Binding("o", "app.packs", N_("Other packs")),
        Binding("q", "app.quit", N_("Quit")),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar(self.app.pack.title)
        summaries = self.app.session.lesson_summaries()  # one read of the store for the screen
        self._composed = True  # the first resume (Textual sends one as it shows) finds it fresh
        yield Static(self.app.plain(self._summary(summaries)), id="home-title", markup=False)
        yield MarkedOptionList(
            self._entries(summaries), pointer=self.app.glyphs.pointer, id="lesson-list"
        )
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#lesson-list").focus()

    def _summary(self, summaries: dict[str, LessonSummary]) -> str:
        app = self.app
        done = sum(s.solved for s in summaries.values())
        total = sum(s.exercises for s in summaries.values())
        solved = _("{done} of {total} exercises solved").format(done=done, total=total)
        if done:
            solved += f" {app.glyphs.bullet} " + score_text(course_score(summaries.values()))
        return f"{app.pack.title}\n{solved}"

    def _entries(self, summaries: dict[str, LessonSummary]) -> list[tuple[str, str]]:
        app = self.app
        entries = []
        resume = app.session.continue_point()  # never a finished lesson
        if resume is None and app.session.resume_point() is not None:
            entries.append(("continue", app.plain(_("Course finished: see your summary"))))
        if resume is not None:
            lesson = app.pack.lesson(resume.lesson_id)
            assert lesson is not None  # continue_point checks it
            step = min(resume.step, len(lesson.steps) - 1)
            entries.append(
                (
                    "continue",
                    app.plain(
                        _("Continue: {title}").format(title=lesson.title)
                        + "\n"
                        + _("step {n}/{count}").format(n=step + 1, count=len(lesson.steps))
                    ),
                )
            )
        for lesson in app.pack.lessons:
            text = self._lesson_text(lesson, summaries[lesson.id])
            entries.append((f"lesson:{lesson.id}", self.app.plain(text)))
        entries.append(("packs", _("Other lesson packs on this machine")))
        return entries

    def _lesson_text(self, lesson: Lesson, summary: LessonSummary) -> str:
        """Title, then solved of all, and what helped (hints, solutions), as the gradebook counts."""
        glyphs = self.app.glyphs
        done, total = summary.solved, summary.exercises
        mark = glyphs.correct if total and done == total else " "
        bar = glyphs.bar(done, total, width=12)
        minutes = _("{minutes} min").format(minutes=lesson.minutes) if lesson.minutes else ""
        minutes = f" {glyphs.bullet} {minutes}" if minutes else ""
        exercises = _("{done}/{total} exercises").format(done=done, total=total)
        helped = []
        if summary.hints:
            helped.append(_("hints seen: {n}").format(n=summary.hints))
        if summary.solutions:
            helped.append(_("solutions shown: {n}").format(n=summary.solutions))
        if done:
            helped.insert(0, score_text(summary.score))
        help_text = "".join(f" {glyphs.bullet} {part}" for part in helped)
        return f"{mark} {lesson.title}\n  {bar} {exercises}{minutes}{help_text}"

    def on_screen_resume(self) -> None:
        """Back from a lesson: its progress shows (not at the first showing, composed just now)."""
        if getattr(self, "_composed", False):
            self._composed = False
            return
        summaries = self.app.session.lesson_summaries()
        self.query_one("#home-title", Static).update(self.app.plain(self._summary(summaries)))
        options = self.query_one(MarkedOptionList)
        options.set_entries(self._entries(summaries), options.highlighted or 0)
        options.focus()

    def on_option_list_option_selected(self, event: MarkedOptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id == "continue":
            self.action_continue()
        elif option_id == "packs":
            self.app.action_packs()
        elif option_id.startswith("lesson:"):
            self.app.open_lesson(option_id.removeprefix("lesson:"))

    def action_continue(self) -> None:
        resume = self.app.session.continue_point()
        if resume is not None:
            self.app.open_lesson(resume.lesson_id, resume.step)
        elif self.app.session.resume_point() is not None:
            self.app.action_course_end()  # every exercise solved
        elif self.app.pack.lessons:
            self.app.open_lesson(self.app.pack.lessons[0].id)
