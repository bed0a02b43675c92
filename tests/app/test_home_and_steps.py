"""Home, moving through a lesson, keys, palette, resume: driven with the keyboard only."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Markdown, Static

from tests.app.helpers import open_step, text_of, wait_until
from tutor.app.screens.home import HomeScreen
from tutor.app.screens.keys import KeysScreen
from tutor.app.screens.lesson import LessonScreen
from tutor.app.screens.packs import PacksScreen
from tutor.app.widgets.marked_option_list import MarkedOptionList
from tutor.app.widgets.math_block import MathBlock
from tutor.app.widgets.step_indicator import StepIndicator
from tutor.progress.store import open_store


def _prompts(options: MarkedOptionList) -> list[str]:
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_home_lists_lessons_with_progress_and_a_pointer(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)):
        assert isinstance(app.screen, HomeScreen)
        prompts = _prompts(app.screen.query_one(MarkedOptionList))
        assert prompts[0].startswith("▶ ") and "Every block" in prompts[0]
        assert "░" * 12 + " 0/6 exercises" in prompts[0]
        assert "Other lesson packs" in prompts[-1]
        assert not any("Continue" in p for p in prompts)  # nothing to continue yet


async def test_steps_move_with_n_and_p_and_the_position_is_saved(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Math and an example")
        indicator = screen.query_one(StepIndicator)
        assert text_of(indicator).startswith("Step 1/7 ●○○○○○○")
        await pilot.press("n", "n")
        await wait_until(pilot, lambda: screen.step == 2)
        assert screen.step == 2 and text_of(indicator).startswith("Step 3/7 ●●●○○○○  Choice")
        await pilot.press("p")
        await wait_until(pilot, lambda: screen.step == 1)
        store = open_store()
        assert store.position("ada", "app-test-pack", "every-block") == 1
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        assert "Continue: Every block" in _prompts(app.screen.query_one(MarkedOptionList))[0]


async def test_math_is_rendered_never_raw_latex(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Math and an example")
        await wait_until(pilot, lambda: bool(screen.query(MathBlock)))
        display = text_of(screen.query_one(MathBlock).query_one(Static))
        assert "\\" not in display and "H(p, q)" in display and "Σ" in display
        prose = " ".join(m.source for m in screen.query(Markdown))
        assert "$" not in prose and "\\log" not in prose and "log q" in prose


async def test_ascii_terminal_gets_ascii_math_and_glyphs(make_app) -> None:
    app = make_app(ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        first = _prompts(app.screen.query_one(MarkedOptionList))[0]
        assert first.startswith("> ") and "-" * 12 + " 0/6" in first
        screen = await open_step(pilot, app, "Math and an example")
        await wait_until(pilot, lambda: bool(screen.query(MathBlock)))
        display = text_of(screen.query_one(MathBlock).query_one(Static))
        assert display.isascii() and "sum" in display.lower()
        assert text_of(screen.query_one(StepIndicator)).isascii()


async def test_question_mark_lists_every_key(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, KeysScreen)
        keys = text_of(app.screen.query_one("#keys-text", Static))
        for expected in ("ctrl+p", "next step", "ctrl+o", "$EDITOR", "hint", "solution"):
            assert expected in keys
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_palette_opens_a_lesson_and_switches_theme(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "tutor-dark"
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"theme light")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.theme == "tutor-light")
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"open lesson every")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        assert app.screen.lesson.id == "every-block"


async def test_restart_resumes_at_the_same_step(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")  # the lesson, from its first step
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("n", "n", "n", "n")
        await wait_until(pilot, lambda: app.screen.step == 4)
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        prompts = _prompts(again.screen.query_one(MarkedOptionList))
        assert prompts[0].startswith("▶ Continue: Every block") and "step 5/7" in prompts[0]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(again.screen, LessonScreen))
        assert again.screen.step == 4


async def test_other_packs_are_reachable_from_home(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, PacksScreen))
        options = app.screen.query_one(MarkedOptionList)
        await wait_until(pilot, lambda: options.highlighted == 0)
        assert any("built-in" in p for p in _prompts(options))
        await pilot.press("enter")  # the built-in pack
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.pack.id != "app-test-pack"
