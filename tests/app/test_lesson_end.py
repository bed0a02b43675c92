"""The end of a lesson leads on; Continue never points at a finished lesson (issue 17, defect 8)."""

from __future__ import annotations

import pytest

from tests.app.helpers import command, text_of, verdict_after, wait_until
from tutor.app.screens.course_end import CourseEndScreen
from tutor.app.screens.home import HomeScreen
from tutor.app.screens.lesson import LessonScreen
from tutor.app.widgets.exercise_view import ExerciseView
from tutor.app.widgets.marked_option_list import MarkedOptionList
from tutor.pack.loader import load_pack


def _lesson(lesson_id: str, title: str, exercise_id: str) -> str:
    return f"""\
---
id: {lesson_id}
title: {title}
---

## Read this

Some text.

## Answer this

```exercise
id: {exercise_id}
type: choice
shuffle: false
prompt: Pick the first.
choices:
  - text: this one
    correct: true
  - text: not this one
```
"""


@pytest.fixture
def two_lessons(tmp_path):
    from tests.pack.helpers import write_pack

    files = {
        "01-first.md": _lesson("first", "The first lesson", "one"),
        "02-second.md": _lesson("second", "The second lesson", "two"),
    }
    pack, errors = load_pack(write_pack(tmp_path / "pack", files))
    assert errors == []
    return pack


async def _solve(pilot, screen) -> None:
    await wait_until(pilot, lambda: bool(screen.query(ExerciseView)))
    view = screen.query_one(ExerciseView)
    await wait_until(pilot, lambda: view.answer_field() is not None)
    view.focus_answer()
    await pilot.press("1", "enter")
    assert (await verdict_after(pilot, view)).startswith("✓")
    await pilot.press("escape")


async def test_n_on_the_last_step_goes_to_the_next_lesson_then_the_course_end(
    make_app, two_lessons
) -> None:
    app = make_app(pack=two_lessons)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")  # the first lesson
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        first = app.screen
        await command(pilot, "n")
        await wait_until(pilot, lambda: first.step == 1)
        await _solve(pilot, first)
        end = text_of(first.query(".step-end").last())
        assert "End of the lesson: 1 of 1 solved · score 100%." in end  # no hint, no solution
        assert "n: next lesson, The second lesson" in end
        await command(pilot, "n")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, LessonScreen) and app.screen.lesson.id == "second",
        )
        assert app.screen.step == 0
        await command(pilot, "n", "n")  # past the last step of the last lesson
        await wait_until(pilot, lambda: isinstance(app.screen, CourseEndScreen))
        text = text_of(app.screen.query_one("#course-end-text"))
        assert "The end of the course" in text and "You solved 1 of 2 exercises." in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_continue_points_past_a_finished_lesson(make_app, two_lessons) -> None:
    app = make_app(pack=two_lessons)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        await command(pilot, "n")
        await _solve(pilot, app.screen)  # the first lesson is finished, and left there
    again = make_app(pack=two_lessons)
    async with again.run_test(size=(80, 24)) as pilot:
        entries = again.screen.query_one(MarkedOptionList)
        first = str(entries.get_option_at_index(0).prompt)
        assert "Continue: The second lesson" in first and "step 2/2" in first, first
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(again.screen, LessonScreen))
        assert again.screen.lesson.id == "second" and again.screen.step == 1
        await _solve(pilot, again.screen)
        await pilot.press("escape")  # every exercise solved: Continue shows the course's end
        await wait_until(pilot, lambda: isinstance(again.screen, HomeScreen))
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(again.screen, CourseEndScreen))
