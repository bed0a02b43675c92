"""The end of the course: what the learner did, lesson by lesson."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tutor.app.session import LessonSummary, course_score
from tutor.app.widgets.key_bar import KeyBar
from tutor.app.widgets.title_bar import TitleBar
from tutor.i18n import N_, _
from tutor.progress.scoring import percent


class CourseEndScreen(Screen):
    """Reached with `n` on the last step of the last lesson (or Continue, once all is solved)."""

    BINDINGS = [
        Binding("escape,enter", "app.pop_screen", N_("Lessons"), key_display="esc"),
        Binding("j", "scroll(1)", N_("Scroll"), show=False),
        Binding("k", "scroll(-1)", N_("Scroll"), show=False),
        Binding("q", "app.quit", N_("Quit"), show=False),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar(self.app.pack.title)
        with VerticalScroll(id="course-end"):
            yield Static(self.app.plain(self.text()), id="course-end-text", markup=False)
        yield KeyBar()

    def text(self) -> str:
        session, glyphs = self.app.session, self.app.glyphs
        lines = []
        solved = exercises = hints = solutions = 0
        summaries = session.lesson_summaries()
        for lesson in self.app.pack.lessons:
            summary = summaries[lesson.id]
            solved += summary.solved
            exercises += summary.exercises
            hints += summary.hints
            solutions += summary.solutions
            mark = glyphs.correct if summary.solved == summary.exercises else " "
            lines.append(f"{mark} {lesson.title}")
            lines.append("    " + lesson_line(summary, glyphs.bullet))
        head = [
            _("The end of the course"),
            "",
            _("You solved {solved} of {exercises} exercises.").format(
                solved=solved, exercises=exercises
            )
            + " "
            + _("Hints seen: {hints}; solutions shown: {solutions}.").format(
                hints=hints, solutions=solutions
            )
            + " "
            + _("Your score: {score}.").format(score=percent(course_score(summaries.values()))),
            "",
        ]
        return "\n".join(head + lines)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#course-end", VerticalScroll).scroll_relative(y=lines, animate=False)


def lesson_line(summary: LessonSummary, dot: str = "·") -> str:
    """`5 of 6 solved · score 71% · hints seen: 2`: the end of a lesson, and the course's list.

    The score counts hints and solutions as the gradebook does (`ce-tutor progress`).
    """
    parts = [
        _("{solved} of {exercises} solved").format(
            solved=summary.solved, exercises=summary.exercises
        )
    ]
    if summary.solved:
        parts.append(score_text(summary.score))
    if summary.hints:
        parts.append(_("hints seen: {n}").format(n=summary.hints))
    if summary.solutions:
        parts.append(_("solutions shown: {n}").format(n=summary.solutions))
    return f" {dot} ".join(parts)


def score_text(fraction: float) -> str:
    """`score 71%`, the figure `ce-tutor progress` shows."""
    return _("score {score}").format(score=percent(fraction))
