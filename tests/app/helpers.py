"""Driving the app as a learner would: open a lesson, go to a step, read the screen."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.widgets import Static

from tutor.app.screens.lesson import LessonScreen
from tutor.app.screens.stray_keys import BURST
from tutor.app.widgets.exercise_view import ExerciseView
from tutor.app.widgets.verdict_view import VerdictView
from tutor.progress.store import open_store


async def wait_until(pilot, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Let the app run until `condition()` holds (workers report through the UI thread)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the app did not get there in time")
        await pilot.pause(0.05)


def text_of(widget: Static) -> str:
    return str(widget.render())


async def open_step(pilot, app, title: str) -> LessonScreen:
    """Open the first lesson at the step titled `title`, as "continue" after a restart would."""
    lesson = app.pack.lessons[0]
    index = next(i for i, step in enumerate(lesson.steps) if step.title == title)
    app.session.save_position(lesson, index)
    await pilot.press("c")
    await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
    screen = app.screen
    assert isinstance(screen, LessonScreen) and screen.step == index
    return screen


async def command(pilot, *keys: str) -> None:
    """Press lesson keys one by one as a person does: a held letter acts after BURST (stray_keys)."""
    for key in keys:
        await pilot.press(key)
        await pilot.pause(BURST + 0.1)


async def show_solution(pilot, app) -> None:
    """`s`, then `y` to the question it asks."""
    from tutor.app.screens.confirm import ConfirmScreen

    await command(pilot, "s")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("y")
    await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))


async def exercise(pilot, screen, exercise_id: str) -> ExerciseView:
    await wait_until(
        pilot, lambda: any(v.exercise.id == exercise_id for v in screen.query(ExerciseView))
    )
    view = next(v for v in screen.query(ExerciseView) if v.exercise.id == exercise_id)
    await wait_until(pilot, lambda: bool(view.query(".answer > *")))
    return view


async def verdict_after(pilot, view: ExerciseView, timeout: float = 120.0) -> str:
    """Wait for the verdict (or note) that follows an answer and return its text."""
    verdict = view.query_one(VerdictView)
    await wait_until(pilot, lambda: not view.grading and not verdict.has_class("-pending"), timeout)
    return text_of(verdict)


def attempts_of(exercise_id: str) -> list[tuple[str, str | None, bool]]:
    return [
        (a.status, a.mistake, a.solution_shown)
        for a in open_store().attempts(learner="ada")
        if a.exercise_id == exercise_id
    ]


async def type_and_submit(pilot, view, text: str) -> str:
    """Type `text` as the whole answer (a restored last answer is cleared first) and submit."""
    view.focus_answer()
    await pilot.pause()
    field = pilot.app.focused
    if isinstance(getattr(field, "value", None), str):
        field.value = ""  # the learner's previous answer, restored from the store
    await pilot.press(*text)
    await pilot.press("enter")
    return await verdict_after(pilot, view)
