"""Keys act on the exercise the learner is in, stray letters fire nothing (issue 17, defects 2-4)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from tests.app.helpers import attempts_of, command, wait_until
from tests.app.test_type_ahead import burst
from tutor.app.screens.confirm import ConfirmScreen
from tutor.app.screens.lesson import LessonScreen
from tutor.app.widgets.exercise_view import ExerciseView
from tutor.app.widgets.hint_list import HintList
from tutor.app.widgets.key_bar import KeyBar
from tutor.pack.loader import load_pack

LESSON = """\
---
id: where
title: Where you are
---

## Two numbers

```python
print(1 + 1)
```

```exercise
id: first
type: number
prompt: What is 1 + 1?
reference: torch.tensor(2.0)
hints:
  - Count.
solution: Two.
```

```exercise
id: second
type: number
prompt: What is 2 + 2?
reference: torch.tensor(4.0)
hints:
  - Count again.
  - On your fingers.
solution: Four.
```

## Two editors

```exercise
id: edit-one
type: code
entry: one
prompt: Write `one(x)`.
starter: |
  def one(x):
      ...
args:
  x: randn(4)
reference: |
  def one(x):
      return x.sum()
```

```exercise
id: edit-two
type: code
entry: two
prompt: Write `two(x)`.
starter: |
  def two(x):
      ...
args:
  x: randn(4)
reference: |
  def two(x):
      return x.mean()
```
"""


@pytest.fixture
def where_pack(tmp_path):
    from tests.pack.helpers import write_pack

    pack, errors = load_pack(write_pack(tmp_path / "pack", {"01-where.md": LESSON}))
    assert errors == []
    return pack


async def _open(pilot, app, step: int) -> LessonScreen:
    lesson = app.pack.lessons[0]
    app.session.save_position(lesson, step)
    await pilot.press("c")
    await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
    screen = app.screen
    await wait_until(pilot, lambda: len(screen.query(ExerciseView)) == 2)
    await wait_until(
        pilot, lambda: all(v.answer_field() is not None for v in screen.query(ExerciseView))
    )
    return screen


def _view(screen, exercise_id: str) -> ExerciseView:
    return next(v for v in screen.query(ExerciseView) if v.exercise.id == exercise_id)


def _footer(screen) -> str:
    return str(screen.query_one(KeyBar).render())


async def test_h_after_esc_acts_on_the_exercise_last_in_focus(make_app, where_pack) -> None:
    app = make_app(pack=where_pack)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, 0)
        second = _view(screen, "second")
        assert "Hint #1" in _footer(screen)  # none focused yet: the first unsolved
        screen.set_focus(second.answer_field())
        await pilot.pause()
        await pilot.press("escape")  # leave the answer: the focus is on no exercise now
        assert not isinstance(app.focused, Input)
        assert "Hint #2" in _footer(screen)
        await command(pilot, "h")
        assert "Count again." in str(second.query_one(HintList).render())
        assert not _view(screen, "first").query_one(HintList).display
        assert "Hint #2" in _footer(screen) and "Solution #2" in _footer(screen)
        assert str(second.border_title).startswith("▶")  # the title marks it too
    assert attempts_of("second") == [("hint", None, False)] and attempts_of("first") == []


async def test_the_solution_is_shown_only_once_confirmed(make_app, where_pack) -> None:
    app = make_app(pack=where_pack)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, 0)
        first = _view(screen, "first")
        await command(pilot, "s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # anything but y: not shown
        await wait_until(pilot, lambda: app.screen is screen)
        assert not first.solution_shown and screen.step == 0
        await command(pilot, "s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: first.solution_shown)
    assert attempts_of("first") == [("solution", None, True)]


async def test_a_formula_typed_outside_any_answer_fires_no_command(make_app, where_pack) -> None:
    app = make_app(pack=where_pack)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, 0)
        second = _view(screen, "second")
        screen.set_focus(second.answer_field())
        await pilot.press("escape")
        await pilot.press("tab")  # on to the example after it... (wraps to the top of the step)
        assert not isinstance(app.focused, Input)
        # the learner believes they are in the answer and types in one burst
        burst(app, *"sqrt(p)*s", "h", "q")
        field = second.answer_field()
        await pilot.pause(0.5)
        assert isinstance(field, Input) and field.value == "sqrt(p)*shq", field.value
        await pilot.pause(0.3)
        assert app.is_running and screen.step == 0 and app.screen is screen
        assert not second.solution_shown and second.hints_shown == 0
    assert attempts_of("second") == [] and attempts_of("first") == []


async def test_a_command_letter_alone_still_acts(make_app, where_pack) -> None:
    app = make_app(pack=where_pack)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, 0)
        burst(app, "n")
        await wait_until(pilot, lambda: screen.step == 1)
        burst(app, "p", "p")  # two commands in a burst: both act, in order (one step back only)
        await wait_until(pilot, lambda: screen.step == 0)


async def test_esc_from_an_editor_then_tab_goes_to_the_next_exercise(make_app, where_pack) -> None:
    app = make_app(pack=where_pack)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, 1)
        one, two = _view(screen, "edit-one"), _view(screen, "edit-two")
        screen.set_focus(one.answer_field())
        await pilot.pause()
        burst(app, "tab")  # indents, stays in the editor
        await wait_until(pilot, lambda: "    " in one.query_one(TextArea).text.splitlines()[0])
        assert app.focused is one.query_one(TextArea)
        burst(app, "escape")
        await wait_until(pilot, lambda: app.focused is not one.query_one(TextArea))
        assert str(one.border_title).startswith("▶")  # still on its exercise
        burst(app, "tab")
        await wait_until(pilot, lambda: app.focused is two.query_one(TextArea))


async def test_enter_in_the_editor_keeps_the_indentation(make_app, where_pack) -> None:
    app = make_app(pack=where_pack)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, 1)
        editor = _view(screen, "edit-one").query_one(TextArea)
        editor.load_text("def one(x):")
        screen.set_focus(editor)
        editor.move_cursor((0, len("def one(x):")))
        await pilot.press("enter", *"y = x", "enter", *"return y")
        assert editor.text == "def one(x):\n    y = x\n    return y"
