"""Where am I, what did I get wrong: overview, mistakes, jump to a step, find (issue 17, #7)."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Input

from tests.app.helpers import exercise, open_step, verdict_after, wait_until
from tutor.app.screens.lesson import LessonScreen
from tutor.app.screens.review import PlacesScreen
from tutor.app.widgets.marked_option_list import MarkedOptionList


async def _palette(pilot, app, query: str) -> None:
    """Type `query` into the palette and run its first hit."""
    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*query)
    await wait_until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
    await pilot.pause(0.3)  # every hit of the batch listed
    await pilot.press("down", "enter")


def _entries(screen) -> list[str]:
    options = screen.query_one(MarkedOptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def _wrong_then_right(pilot, app) -> LessonScreen:
    screen = await open_step(pilot, app, "Choice")
    view = await exercise(pilot, screen, "pick")
    view.focus_answer()
    await pilot.press("2", "enter")
    await verdict_after(pilot, view)
    await pilot.press("escape")
    return screen


async def test_the_overview_lists_each_exercise_and_goes_to_one(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _wrong_then_right(pilot, app)
        await pilot.press("o")
        await wait_until(pilot, lambda: bool(app.screen.query(MarkedOptionList)))
        assert isinstance(app.screen, PlacesScreen)
        entries = _entries(app.screen)
        pick = next(e for e in entries if "Exercise 1" in e)
        assert "not yet" in pick and "tries: 1" in pick and "last: class probabilities" in pick
        assert any("Exercise 2" in e and "tries: 0" in e for e in entries)
        await pilot.press("down", "enter")  # exercise 2, on the Number step
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        lesson = app.screen
        await wait_until(pilot, lambda: isinstance(app.focused, Input))
        assert lesson.lesson.steps[lesson.step].title == "Number"
        assert lesson.current == "half-surprise"


async def test_review_my_mistakes_leads_back_to_the_exercise(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _wrong_then_right(pilot, app)
        await _palette(pilot, app, "review my mistakes")
        await wait_until(pilot, lambda: bool(app.screen.query(MarkedOptionList)))
        [entry] = _entries(app.screen)
        assert "indices-vs-probabilities (x1)" in entry and "last: class probabilities" in entry
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        await wait_until(pilot, lambda: app.screen.current == "pick")


async def test_the_palette_finds_words_of_a_lesson_and_goes_to_a_step(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, app, "Choice")
        await _palette(pilot, app, "surprise of an outcome")
        await wait_until(
            pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.step == 0
        )
        await _palette(pilot, app, "go to step 6")
        await wait_until(
            pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.step == 5
        )


async def test_the_lessons_list_counts_hints_and_solutions_beside_solved(make_app) -> None:
    from tests.app.helpers import command, show_solution
    from tutor.app.screens.home import HomeScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        await exercise(pilot, screen, "pick")
        await command(pilot, "h")
        await show_solution(pilot, app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        lesson_line = next(e for e in _entries(app.screen) if "Every block" in e and "/6" in e)
        assert "0/6 exercises" in lesson_line
        assert "hints seen: 1" in lesson_line and "solutions shown: 1" in lesson_line
