"""Where am I, what did I get wrong: a lesson's overview and the course's mistakes.

Both are lists of places in the course; Enter goes to the exercise (its
step, its answer in focus). Built when asked for, from one read of the
store: nothing here runs at start.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tutor.app.prose import plain_text
from tutor.app.session import ExerciseLine, summarize
from tutor.app.widgets.key_bar import KeyBar
from tutor.app.widgets.marked_option_list import MarkedOptionList
from tutor.app.widgets.title_bar import TitleBar
from tutor.i18n import N_, _
from tutor.pack.model import Lesson
from tutor.progress.scoring import percent

LAST_ANSWER_WIDTH = 40  # characters of a last answer shown in a list


class PlacesScreen(Screen):
    """A heading and a list of exercises; Enter opens the lesson there."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), key_display="esc"),
        Binding("q", "app.quit", N_("Quit"), show=False),
    ]

    def __init__(self, where: str, heading: str, places: list[tuple[str, int, str, str]]):
        """`places`: (lesson id, step, exercise id, text) per entry."""
        super().__init__()
        self.where = where
        self.heading = heading
        self.places = places

    def compose(self) -> ComposeResult:
        yield TitleBar(self.where)
        yield Static(self.app.plain(self.heading), classes="places-heading", markup=False)
        entries = [(str(n), self.app.plain(text)) for n, (*_where, text) in enumerate(self.places)]
        yield MarkedOptionList(entries, pointer=self.app.glyphs.pointer, classes="places")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(MarkedOptionList).focus()

    def on_option_list_option_selected(self, event: MarkedOptionList.OptionSelected) -> None:
        event.stop()
        lesson_id, step, exercise_id, _text = self.places[int(event.option.id or 0)]
        self.app.pop_screen()
        self.app.open_lesson(lesson_id, step, exercise_id)


def overview_screen(app, lesson: Lesson) -> PlacesScreen:
    """Each exercise of the lesson: solved, tries, hints, solution shown, the last answer."""
    lines = app.session.overview(lesson)
    places = [
        (lesson.id, line.step, line.exercise.id, _line_text(app, lesson, line)) for line in lines
    ]
    summary = summarize(lines)
    heading = _("{title}: {solved} of {count} exercises solved. Enter: go to one.").format(
        title=lesson.title, solved=summary.solved, count=summary.exercises
    )
    if summary.solved:  # as `ce-tutor progress` shows it: hints and solutions counted
        heading += " " + _("Your score: {score}.").format(score=percent(summary.score))
    return PlacesScreen(_("Overview"), heading, places)


def _line_text(app, lesson: Lesson, line: ExerciseLine) -> str:
    glyphs = app.glyphs
    parts = [_("Exercise {n}").format(n=line.number), line.exercise.type]
    if line.solved:
        parts.append(f"{glyphs.correct} " + _("solved"))
    elif line.attempts:
        parts.append(f"{glyphs.incorrect} " + _("not yet"))
    parts.append(_("tries: {n}").format(n=line.attempts))
    if line.exercise.hints:
        parts.append(
            _("hints {shown}/{count}").format(shown=line.hints, count=len(line.exercise.hints))
        )
    if line.solution_shown:
        parts.append(_("solution shown"))
    if line.solved:  # what it earned after hints and the solution, as the gradebook counts
        points = line.exercise.points
        parts.append(_("score {score}").format(score=percent(line.score / points if points else 0)))
    step = plain_text(lesson.steps[line.step].title, app.math.inline)
    second = _("step {n}: {title}").format(n=line.step + 1, title=step)
    if line.last is not None:
        second += f" {glyphs.bullet} " + _("last: {answer}").format(answer=_short(line.last.answer))
    return f" {glyphs.bullet} ".join(parts) + "\n  " + second


def mistakes_screen(app) -> PlacesScreen:
    """The named mistakes made across the course, each leading to its exercise."""
    places = []
    for mistake in app.session.mistakes():
        lesson = app.pack.lesson(mistake.lesson_id)
        exercise = lesson.exercise(mistake.exercise_id) if lesson else None
        if lesson is None or exercise is None:
            continue
        number = lesson.exercises.index(exercise) + 1
        step = next(i for i, s in enumerate(lesson.steps) if exercise in s.exercises)
        text = _("{lesson}, exercise {n}: {tag} (x{count})").format(
            lesson=lesson.title, n=number, tag=mistake.tag, count=mistake.count
        )
        text += "\n  " + _("last: {answer}").format(answer=_short(mistake.answer))
        places.append((lesson.id, step, exercise.id, text))
    heading = (
        _("The mistakes you made, by exercise. Enter: go to one.")
        if places
        else _("No named mistakes so far.")
    )
    return PlacesScreen(_("Your mistakes"), heading, places)


def _short(answer: str) -> str:
    first = answer.strip().split("\n", 1)[0]
    more = len(first) > LAST_ANSWER_WIDTH or "\n" in answer.strip()
    return first[:LAST_ANSWER_WIDTH] + ("…" if more else "")
