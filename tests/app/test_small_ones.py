"""The small things that cost trust (issue 17, defect 11)."""

from __future__ import annotations

import pytest

from tests.app.helpers import exercise, open_step, text_of, verdict_after, wait_until
from tests.app.test_type_ahead import burst
from tutor.app.widgets.code_example_view import CodeExampleView
from tutor.pack.loader import load_pack

TWO_EXAMPLES = """\
---
id: examples
title: Two examples
---

## Run them

```python
print("first")
```

Some words between the two examples, long enough to push the second one
down the screen when the terminal is short.

More words.

```python
print("second")
```

```exercise
id: two-ways
type: choice
shuffle: false
prompt: Pick one.
choices:
  - text: right
    correct: true
  - text: wrong
attempts: 3
solution: The first.
```
"""


@pytest.fixture
def examples_pack(tmp_path):
    from tests.pack.helpers import write_pack

    pack, errors = load_pack(write_pack(tmp_path / "pack", {"01-examples.md": TWO_EXAMPLES}))
    assert errors == []
    return pack


async def test_ten_j_in_a_burst_scroll_ten_lines(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 9)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        await exercise(pilot, screen, "pick")
        body = screen.query_one("#step-body")
        await wait_until(pilot, lambda: body.max_scroll_y >= 3)
        burst(app, *"j" * 10)
        await pilot.pause(0.5)
        assert body.scroll_y == min(10, body.max_scroll_y), (body.scroll_y, body.max_scroll_y)


async def test_the_step_title_is_said_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        await exercise(pilot, screen, "pick")
        assert not screen.query(".step-title")  # the header line has it whole
    narrow = make_app()
    async with narrow.run_test(size=(24, 24)) as pilot:
        screen = await open_step(pilot, narrow, "A derivation and a plot")
        await wait_until(pilot, lambda: bool(screen.query(".step-title")))
        assert text_of(screen.query_one(".step-title")) == "A derivation and a plot"


async def test_r_without_focus_runs_the_example_in_view(make_app, examples_pack) -> None:
    ran = []

    class Runs:
        def start(self) -> None:
            pass

        def close(self) -> None:
            pass

        def run_example(self, code: str):
            from types import SimpleNamespace

            ran.append(code)
            return SimpleNamespace(status="ok", message=None, shown=code)

    app = make_app(pack=examples_pack, client=Runs())
    async with app.run_test(size=(80, 14)) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(app.screen.query(CodeExampleView)) == 2)
        screen = app.screen
        first, second = screen.query(CodeExampleView)
        body = screen.query_one("#step-body")
        await wait_until(pilot, lambda: body.max_scroll_y > 0)
        body.scroll_to(y=second.virtual_region.y, animate=False)
        await wait_until(pilot, lambda: not first.region.overlaps(body.region))
        await pilot.press("r")
        await wait_until(pilot, lambda: bool(ran))
        assert ran == ['print("second")\n'] or ran == ['print("second")']


async def test_two_choices_leave_one_try_and_a_late_answer_says_so(make_app, examples_pack) -> None:
    app = make_app(pack=examples_pack)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        view = await exercise(pilot, app.screen, "two-ways")
        view.focus_answer()
        await pilot.press("2", "enter")
        await verdict_after(pilot, view)
        title = str(view.border_title)
        assert "1 tried" in title and "left" in title and "2 left" not in title
        # one wrong pick of two: the solution shows, and an answer after it says so
        await wait_until(pilot, lambda: view.solution_shown)
        await pilot.press("1", "enter")
        late = await verdict_after(pilot, view)
        assert late.startswith("✓") and "The solution was shown before this answer" in late


async def test_ascii_marks_right_with_ok_and_shows_no_unicode_ellipsis(make_app) -> None:
    from tutor.app.widgets.key_bar import KeyBar
    from tutor.app.widgets.verdict_view import VerdictView

    app = make_app(ascii=True)
    async with app.run_test(size=(40, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        view.focus_answer()
        await pilot.press("1", "enter")
        assert (await verdict_after(pilot, view)).startswith("ok Correct.")
        assert text_of(view.query_one(VerdictView)).isascii()
        footer = screen.query_one(KeyBar)
        assert "…" not in str(footer.render()) and str(footer.render()).isascii()


class _Draws:
    """A service that draws the learner's numbers (and grades nothing)."""

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    def show(self, root, lesson_id, exercise_id, learner):
        return {"prompt": "q = 0.3333333. Its surprise?", "params": {"q": 1 / 3, "x": [[1.5, 2]]}}


async def test_c_copies_your_numbers_or_the_example_as_python(make_app) -> None:
    app = make_app(client=_Draws())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "your-surprise")
        await wait_until(pilot, lambda: bool(view.params))
        screen.set_focus(view.answer_field())
        await pilot.press("escape", "c")
        await wait_until(pilot, lambda: app.clipboard != "")
        assert app.clipboard == (
            "import torch\n\nq = 0.3333333333333333\nx = torch.tensor([[1.5, 2]])\n"
        )
        app.open_lesson("every-block", 0)  # the example's step
        await wait_until(pilot, lambda: bool(app.screen.query(CodeExampleView)))
        app.screen.query_one(CodeExampleView).focus()
        await pilot.press("c")
        await wait_until(pilot, lambda: "print(torch.tensor" in app.clipboard)


class _DrawsAMatrix(_Draws):
    def show(self, root, lesson_id, exercise_id, learner):
        return {"prompt": "(filled by the service)", "params": {"q": [[0.5, -1.25], [12.0, 3]]}}


async def test_a_matrix_in_a_prompt_shows_one_row_per_line_aligned(make_app) -> None:
    from tests.app.test_nothing_cut_off import _screen

    app = make_app(client=_DrawsAMatrix())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        await exercise(pilot, screen, "your-surprise")
        await wait_until(pilot, lambda: "[12.0000,       3]]." in _screen(app))
        lines = _screen(app).splitlines()
        first = next(line for line in lines if "[[ 0.5000, -1.2500]," in line)
        second = next(line for line in lines if "[12.0000,       3]]." in line)
        assert "What is its surprise in nats?" in _screen(app)  # the words after it, whole
        # the rows start in the same column, one under the other
        assert first.index("[ 0.5000") == second.index("[12.0000")


TWO_CURVES = """\
---
id: curves
title: Two curves
---

## Plot

```plot
title: Two curves
x: q
y: [-log(q), 1 - q]
labels: [surprise, linear]
range: [0.05, 1]
```
"""


async def test_two_curves_in_ascii_have_markers_of_their_own(make_app, tmp_path) -> None:
    from tests.pack.helpers import write_pack
    from tutor.app.widgets.plot_view import PlotView

    pack, errors = load_pack(write_pack(tmp_path / "curves", {"01-curves.md": TWO_CURVES}))
    assert errors == []
    app = make_app(pack=pack, ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(app.screen.query(PlotView)))
        await pilot.pause(0.3)
        drawn = str(app.screen.query_one(PlotView).render())
        assert "* surprise" in drawn and "o linear" in drawn, drawn


async def test_a_long_failing_case_shows_its_start_and_v_shows_the_rest(make_app) -> None:
    from tutor.app.widgets.verdict_view import FEEDBACK_LINES, VerdictView
    from tutor.grading.verdict import Status, Verdict

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Code")
        view = await exercise(pilot, screen, "write-sum")
        tensors = "\n".join(f"tensor row {n}" for n in range(40))
        view._graded("def total(x): ...", Verdict(Status.INCORRECT, feedback=tensors))
        shown = text_of(view.query_one(VerdictView))
        assert f"tensor row {FEEDBACK_LINES - 1}" in shown and "tensor row 39" not in shown
        assert f"({40 - FEEDBACK_LINES} more lines: v shows them)" in shown
        await pilot.press("v")
        await wait_until(pilot, lambda: "tensor row 39" in text_of(view.query_one(VerdictView)))


MARKED_UP = """\
---
id: marked
title: Marked up
---

## Why `reshape(-1)` and $p_i$

```exercise
id: marks
type: choice
shuffle: false
prompt: Pick one.
choices:
  - text: "`target.reshape(-1)` keeps *every* index"
    correct: true
    feedback: "Right: `reshape(-1)` flattens; the loss is $-\\\\log p_i$."
  - text: it drops one
hints:
  - "Think of **shapes**."
```
"""


async def test_no_backticks_dollars_or_stars_where_a_learner_reads(make_app, tmp_path) -> None:
    from tests.app.test_nothing_cut_off import _screen
    from tests.pack.helpers import write_pack
    from tutor.app.widgets.step_indicator import StepIndicator

    pack, errors = load_pack(write_pack(tmp_path / "marked", {"01-marked.md": MARKED_UP}))
    assert errors == []
    app = make_app(pack=pack)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        view = await exercise(pilot, app.screen, "marks")
        view.focus_answer()
        await pilot.press("1", "enter")
        await verdict_after(pilot, view)
        await pilot.press("escape", "h")
        await wait_until(pilot, lambda: "Think of shapes." in _screen(app))
        screen = _screen(app)
        assert "target.reshape(-1) keeps every index" in screen
        assert "Right: reshape(-1) flattens" in screen and "log" in screen
        assert "Why reshape(-1) and" in text_of(app.screen.query_one(StepIndicator))
        for raw in ("`", "$", "*every*", "**"):
            assert raw not in screen, raw


async def test_an_ascii_terminal_gets_no_other_character_on_any_step(make_app) -> None:
    from tests.app.test_nothing_cut_off import _screen
    from tutor.app.screens.lesson import LessonScreen

    app = make_app(ascii=True)
    async with app.run_test(size=(60, 20)) as pilot:
        lesson = app.pack.lessons[0]
        for step in range(len(lesson.steps)):
            app.open_lesson(lesson.id, step)
            await wait_until(
                pilot, lambda s=step: isinstance(app.screen, LessonScreen) and app.screen.step == s
            )
            await pilot.pause(0.2)
            shown = _screen(app)
            assert shown.isascii(), (step, sorted({c for c in shown if not c.isascii()}))
