"""What arrives after the learner left a step never crashes the app (issue 17; a
`NoMatches: HintList` was seen once after a fast Esc).

A verdict comes from a worker thread, a step's exercises are composed a few
frames after the step changes: by then the step may be gone. The answer is
still recorded; nothing is shown on, or done to, a widget that is gone.
"""

from __future__ import annotations

import threading

from textual.widgets import Input

from tests.app.helpers import attempts_of, command, exercise, open_step, wait_until
from tutor.app.screens.home import HomeScreen
from tutor.app.screens.lesson import LessonScreen
from tutor.grading.verdict import Status, Verdict


class HeldGrader:
    """Grades a number only when the test lets it (a slow service)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.asked = threading.Event()

    def start(self) -> None:
        pass

    def close(self) -> None:
        self.release.set()

    def grade(self, pack, lesson, exercise, answer, learner):
        self.asked.set()
        self.release.wait(30)
        return Verdict(Status.INCORRECT, feedback="Not yet.")


async def test_a_verdict_that_arrives_after_the_step_was_left_is_recorded(make_app) -> None:
    grader = HeldGrader()
    app = make_app(client=grader)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        view.focus_answer()
        await pilot.pause()
        await pilot.press("0", ".", "1", "enter")
        await wait_until(pilot, lambda: grader.asked.is_set())
        await pilot.press("escape")
        await command(pilot, "n")  # the step is left while the answer is being graded
        await wait_until(pilot, lambda: not view.is_attached)
        grader.release.set()
        await wait_until(pilot, lambda: attempts_of("half-surprise") != [])
        await pilot.pause(0.3)
        assert app.is_running and app.return_code is None
        assert attempts_of("half-surprise") == [("incorrect", None, False)]
        await command(pilot, "p")  # back: the answer and its verdict are there, from the store
        again = await exercise(pilot, screen, "half-surprise")
        await wait_until(pilot, lambda: again.query_one(Input).value == "0.1")


async def test_a_step_left_before_its_exercises_were_composed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        await exercise(pilot, screen, "pick")
        # two step changes in one turn of the event loop (keys handled back to back, a
        # --watch re-read): the first one's exercises are removed before they compose
        screen.action_next_step()
        screen.action_next_step()
        await exercise(pilot, screen, "ce-formula")
        await pilot.pause(0.5)
        assert app.is_running and app.return_code is None
        await pilot.press("escape")  # and the lessons, then the lesson again, whole
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        await exercise(pilot, app.screen, "ce-formula")


async def test_a_hint_asked_for_before_the_step_is_shown_records_nothing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        await exercise(pilot, screen, "pick")
        screen.action_next_step()
        screen.action_hint()  # in the same turn: no exercise of the new step is shown yet
        view = await exercise(pilot, screen, "half-surprise")
        await pilot.pause(0.3)
        assert app.is_running and app.return_code is None
        assert view.hints_shown == 0
        assert attempts_of("half-surprise") == [] and attempts_of("pick") == []  # nor the step left
