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


class RightAway:
    """A grading service that finds every number right (the choices are graded here)."""

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    def grade(self, pack, lesson, exercise, answer, learner):
        from tutor.grading.verdict import Status, Verdict

        return Verdict(Status.CORRECT, score=1.0, feedback="Right.")


def _cli(*args: str) -> str:
    from click.testing import CliRunner

    from tests.app.conftest import PACK_DIR
    from tutor.cli import cli

    result = CliRunner().invoke(cli, [*args, "--pack", str(PACK_DIR), "--learner", "ada"])
    assert result.exit_code == 0, result.output
    return result.stdout


async def test_the_score_counts_hints_and_solutions_as_the_gradebook_does(make_app) -> None:
    import csv
    import io

    from tests.app.helpers import command, show_solution, type_and_submit
    from tutor.app.screens.home import HomeScreen

    app = make_app(client=RightAway())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        await command(pilot, "h")  # a hint, then the right choice
        view.focus_answer()
        await pilot.press("1", "enter")
        assert (await verdict_after(pilot, view)).startswith("✓")
        await pilot.press("escape")
        await command(pilot, "n")
        view = await exercise(pilot, screen, "half-surprise")
        await show_solution(pilot, app)  # the solution, then the right number
        assert (await type_and_submit(pilot, view, "0.6931")).startswith("✓")
        await pilot.press("escape")
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, PlacesScreen))
        heading = str(app.screen.heading)
        entries = _entries(app.screen)
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        home = next(e for e in _entries(app.screen) if "Every block" in e and "/6" in e)

    lms = list(csv.reader(io.StringIO(_cli("export", "--format", "lms"))))
    (total, out_of) = (float(lms[1][1]), int(lms[1][2]))
    rows = {
        r["exercise_id"]: r for r in csv.DictReader(io.StringIO(_cli("export", "--format", "csv")))
    }
    assert (rows["pick"]["score"], rows["pick"]["best_score"]) == ("0.75", "1")  # a hint: -1/4
    assert (rows["half-surprise"]["score"], rows["half-surprise"]["best_score"]) == ("0", "1")
    expected = f"{total / out_of:.0%}"
    assert expected == "12%"  # 0.75 of 6, not the 2 of 6 solved (33%)
    assert f"Your score: {expected}." in heading  # the overview says what export counts
    assert f"score {expected}" in home  # and so does the lessons list
    pick = next(e for e in entries if "Exercise 1" in e)
    half = next(e for e in entries if "Exercise 2" in e)
    assert "score 75%" in pick and "score 0%" in half
    assert f" {expected} " in _cli("progress") + " "  # and `ce-tutor progress`'s cell
