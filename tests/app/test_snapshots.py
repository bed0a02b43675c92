"""The key screens at 80x24, pinned as SVG snapshots (regenerate with --snapshot-update).

Snapshots depend on the exact Textual version (pinned in the test extra).
"""

from __future__ import annotations

from tests.app.helpers import exercise, open_step, verdict_after, wait_until
from tutor.app.screens.keys import KeysScreen
from tutor.app.screens.stray_keys import BURST

SIZE = (80, 24)


def test_home(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE)


def test_home_in_ascii(snap_compare, make_app) -> None:
    assert snap_compare(make_app(ascii=True), terminal_size=SIZE)


def test_keys(snap_compare, make_app) -> None:
    app = make_app()

    async def open_keys(pilot) -> None:
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, KeysScreen))

    assert snap_compare(app, terminal_size=SIZE, run_before=open_keys)


def test_choice_answered_wrong(snap_compare, make_app) -> None:
    app = make_app()

    async def answer(pilot) -> None:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        view.focus_answer()
        await pilot.press("2", "enter")
        await verdict_after(pilot, view)
        await pilot.press("h")
        await pilot.pause(BURST + 0.1)  # a held letter acts after BURST (stray_keys.py)

    assert snap_compare(app, terminal_size=SIZE, run_before=answer)


def test_lesson_step_in_ascii(snap_compare, make_app) -> None:
    app = make_app(ascii=True)

    async def open_choice(pilot) -> None:
        screen = await open_step(pilot, app, "Choice")
        await exercise(pilot, screen, "pick")

    assert snap_compare(app, terminal_size=SIZE, run_before=open_choice)


def _course_end(app):
    async def run_before(pilot) -> None:
        from tutor.app.screens.course_end import CourseEndScreen

        app.action_course_end()
        await wait_until(pilot, lambda: isinstance(app.screen, CourseEndScreen))

    return run_before


def test_course_end(snap_compare, make_app) -> None:
    app = make_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=_course_end(app))


def test_course_end_at_60x20(snap_compare, make_app) -> None:
    app = make_app()
    assert snap_compare(app, terminal_size=(60, 20), run_before=_course_end(app))


def _ask_for_the_solution(app):
    async def ask(pilot) -> None:
        from tutor.app.screens.confirm import ConfirmScreen

        screen = await open_step(pilot, app, "Choice")
        await exercise(pilot, screen, "pick")
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))

    return ask


def test_solution_asks_first(snap_compare, make_app) -> None:
    app = make_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=_ask_for_the_solution(app))


def test_solution_asks_first_at_60x20(snap_compare, make_app) -> None:
    app = make_app()
    assert snap_compare(app, terminal_size=(60, 20), run_before=_ask_for_the_solution(app))


def _overview(app):
    async def run_before(pilot) -> None:
        from tests.app.test_where_am_i import _wrong_then_right
        from tutor.app.widgets.marked_option_list import MarkedOptionList

        await _wrong_then_right(pilot, app)
        await pilot.press("o")
        await wait_until(pilot, lambda: bool(app.screen.query(MarkedOptionList)))

    return run_before


def test_lesson_overview(snap_compare, make_app) -> None:
    app = make_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=_overview(app))


def test_lesson_overview_at_60x20(snap_compare, make_app) -> None:
    app = make_app()
    assert snap_compare(app, terminal_size=(60, 20), run_before=_overview(app))


def test_review_my_mistakes(snap_compare, make_app) -> None:
    app = make_app()

    async def mistakes(pilot) -> None:
        from tests.app.test_where_am_i import _wrong_then_right
        from tutor.app.widgets.marked_option_list import MarkedOptionList

        await _wrong_then_right(pilot, app)
        app.action_mistakes()
        await wait_until(pilot, lambda: bool(app.screen.query(MarkedOptionList)))

    assert snap_compare(app, terminal_size=SIZE, run_before=mistakes)


def test_display_fraction(snap_compare, make_app) -> None:
    """A display formula with a fraction, drawn in 2-D at 80x24 (issue 17 #10)."""
    app = make_app()

    async def open_math(pilot) -> None:
        await open_step(pilot, app, "Math and an example")

    assert snap_compare(app, terminal_size=SIZE, run_before=open_math)
