"""The walking skeleton of the app, driven as a learner would with the keyboard."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from tutor.app.screens.home import HomeScreen
from tutor.app.screens.lesson import LessonScreen
from tutor.app.tutor_app import TutorApp
from tutor.pack.discovery import builtin_pack_dir
from tutor.pack.loader import load_pack
from tutor.progress.store import open_store


def make_app(learner: str = "ada") -> TutorApp:
    pack, errors = load_pack(builtin_pack_dir())
    assert errors == []
    return TutorApp(pack, learner=learner)


async def test_open_a_lesson_and_step_through_it() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, LessonScreen)
        indicator = app.screen.query_one("#step-indicator", Static)
        assert "step 1/4" in str(indicator.render())
        await pilot.press("n", "n")
        assert app.screen.step == 2
        assert "step 3/4" in str(indicator.render())
        await pilot.press("p")
        assert app.screen.step == 1
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_answer_a_choice_and_resume_after_restart() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")  # the first lesson
        await pilot.press("n", "n", "n")  # the MoCo step
        await pilot.pause()
        choices = app.screen.query(OptionList).first()
        choices.focus()
        await pilot.press("down", "enter")  # the second choice: a known mistake
        await pilot.pause()
        verdict = app.screen.query(".verdict").first()
        assert "✗" in str(verdict.render()) and "zero-means-ignore" in str(verdict.render())
    attempts = open_store().attempts(learner="ada")
    assert [(a.exercise_id, a.status, a.mistake) for a in attempts] == [
        ("moco-zero-labels", "incorrect", "zero-means-ignore")
    ]
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        options = again.screen.query_one(OptionList)
        assert "Continue" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        assert isinstance(again.screen, LessonScreen) and again.screen.step == 3
