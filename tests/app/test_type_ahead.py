"""Keys that arrive in one burst, as over a slow SSH link, act in the order typed.

Textual sends each key to the widget focused when the key arrives. Keys that
move the focus (Tab, shift+Tab, Esc in a lesson) therefore act at once; if
they did not, "Tab 0.69" in one burst would type "0.69" where the focus was
before the Tab, and the learner's answer would vanish. Found under load by
`ce-tutor bench`: at a stress pace, answers typed after a Tab were lost.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, TextArea

from tests.app.helpers import exercise, open_step, wait_until
from tutor.app.screens.lesson import LessonScreen


def burst(app, *keys: str) -> None:
    """Queue every key before the app handles the first one."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_a_number_typed_right_after_tab_lands_in_the_answer(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        burst(app, "tab", "0", ".", "6", "9")
        answer = view.query_one(Input)
        await wait_until(pilot, lambda: answer.value == "0.69")
        assert app.focused is answer


async def test_escape_then_n_leaves_the_answer_and_goes_to_the_next_step(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        start, answer = screen.step, view.query_one(Input)
        burst(app, "tab", "1", "escape", "n")
        await wait_until(
            pilot, lambda: isinstance(app.screen, LessonScreen) and screen.step > start
        )
        assert answer.value == "1"  # the n moved on to the next step; it was not typed


async def test_tab_still_indents_in_the_code_editor(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Code")
        view = await exercise(pilot, screen, "write-sum")
        editor = view.query_one(TextArea)
        editor.focus()
        await pilot.pause()
        before = editor.text
        burst(app, "tab", "x")
        await wait_until(pilot, lambda: editor.text != before and "x" in editor.text)
        assert app.focused is editor
        line = editor.document.get_line(editor.cursor_location[0])
        assert line.lstrip(" ").startswith("x") and line.startswith("    ")


def _in_exercise(app, exercise_id: str) -> bool:
    """The focus is in that exercise's answer."""
    from tutor.app.widgets.exercise_view import ExerciseView

    node = app.focused
    while node is not None and not isinstance(node, ExerciseView):
        node = node.parent
    return node is not None and node.exercise.id == exercise_id


@pytest.mark.parametrize(
    ("start", "key", "moved", "lands_in"),
    [("Choice", "n", 1, "half-surprise"), ("Number", "p", -1, "pick")],
)
async def test_tab_right_after_a_step_change_acts_on_the_new_step(
    make_app, start: str, key: str, moved: int, lands_in: str
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, start)
        await wait_until(pilot, lambda: bool(screen.query(".answer > *")))
        before = screen.step
        burst(app, key, "tab")
        await wait_until(pilot, lambda: screen.step == before + moved)
        await wait_until(pilot, lambda: _in_exercise(app, lands_in), timeout=5)
        await pilot.pause(0.3)  # and it stays there: nothing moves it back to the step left
        assert _in_exercise(app, lands_in)


async def test_n_right_after_enter_on_a_choice_records_it_and_goes_on(make_app) -> None:
    from tests.app.helpers import attempts_of

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        view.focus_answer()
        await pilot.pause()
        start = screen.step
        burst(app, "enter", "n", "tab")
        await wait_until(pilot, lambda: screen.step == start + 1)
        await wait_until(pilot, lambda: attempts_of("pick") != [])
        assert attempts_of("pick") == [("correct", None, False)]  # the first choice, as shown
        await wait_until(pilot, lambda: _in_exercise(app, "half-surprise"), timeout=5)
        assert app.is_running and app.return_code is None
