"""Each exercise type answered right and wrong, hints, solutions: the real grading service.

Choice is graded in the app's process; every other type goes through the
grading service (torch in its own process), started once for this module.
"""

from __future__ import annotations

from textual.widgets import Input, Static, TextArea

from tests.app.helpers import exercise, open_step, text_of, verdict_after, wait_until
from tutor.app.widgets.choice_answer import ChoiceAnswer
from tutor.app.widgets.hint_list import HintList
from tutor.app.widgets.math_block import MathBlock
from tutor.progress.store import open_store


def _attempts(exercise_id: str) -> list[tuple[str, str | None, bool]]:
    return [
        (a.status, a.mistake, a.solution_shown)
        for a in open_store().attempts(learner="ada")
        if a.exercise_id == exercise_id
    ]


async def _type_and_submit(pilot, view, text: str) -> str:
    view.focus_answer()
    await pilot.pause()
    await pilot.press(*text)
    await pilot.press("enter")
    return await verdict_after(pilot, view)


async def test_choice_wrong_then_right_with_number_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        view.focus_answer()
        await pilot.press("2")
        assert view.query_one(ChoiceAnswer).highlighted == 1
        await pilot.press("enter")
        wrong = await verdict_after(pilot, view)
        assert wrong.startswith("✗ Not quite.") and "Mistake: indices-vs-probabilities" in wrong
        await pilot.press("up", "enter")
        right = await verdict_after(pilot, view)
        assert right.startswith("✓ Correct.") and "class indices" in right
        assert "✓ solved" in str(view.border_title)
    assert _attempts("pick") == [
        ("incorrect", "indices-vs-probabilities", False),
        ("correct", None, False),
    ]


async def test_hints_one_at_a_time_then_the_solution_on_request(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        hints = view.query_one(HintList)
        assert not hints.display
        await pilot.press("h")
        assert text_of(hints) == "Hint 1/2: Look at the dtype."
        await pilot.press("h")
        assert text_of(hints).endswith("Hint 2/2: And at the shape.")
        await pilot.press("h")  # no third hint: nothing changes
        assert text_of(hints).count("Hint") == 2
        await pilot.press("s")
        assert text_of(hints).endswith("Solution: Class indices.")
        view.focus_answer()
        await pilot.press("1", "enter")
        await verdict_after(pilot, view)
    # the reveal is recorded as such, and the later answer carries hints and solution
    assert _attempts("pick") == [("solution", None, True), ("correct", None, True)]
    recorded = [a for a in open_store().attempts(learner="ada") if a.status == "correct"]
    assert recorded[0].hints_used == 2


async def test_the_solution_appears_after_the_attempts_run_out(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        hints = view.query_one(HintList)
        view.focus_answer()
        await pilot.press("3", "enter")
        await verdict_after(pilot, view)
        assert "Solution" not in text_of(hints)
        await pilot.press("2", "enter")  # the second of `attempts: 2`
        await verdict_after(pilot, view)
        assert text_of(hints).endswith("Solution: Class indices.")
        assert "2 tried, 0 left" in str(view.border_title)
    assert [s for s, _, _ in _attempts("pick")] == ["incorrect", "incorrect", "solution"]


async def test_number_right_and_wrong(make_app, service) -> None:
    app = make_app(client=service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        wrong = await _type_and_submit(pilot, view, "0.5")
        assert wrong.startswith("✗ Not quite.")
        view.query_one(Input).clear()
        right = await _type_and_submit(pilot, view, "0.6931")
        assert right.startswith("✓ Correct.")
    assert [s for s, _, _ in _attempts("half-surprise")] == ["incorrect", "correct"]


async def test_formula_preview_then_wrong_and_right(make_app, service) -> None:
    app = make_app(client=service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Formula")
        view = await exercise(pilot, screen, "ce-formula")
        view.focus_answer()
        await pilot.press(*"-sum(q*log(p")
        label = view.query_one(".preview-label", Static)
        await wait_until(pilot, lambda: text_of(label).startswith("Cannot read yet"))
        await pilot.press(")", ")")
        await wait_until(pilot, lambda: text_of(label) == "Read as:")
        preview = text_of(view.query_one(".preview", MathBlock).query_one(Static))
        assert "log" in preview and "\\" not in preview and len(preview.splitlines()) >= 2
        await pilot.press("enter")
        wrong = await verdict_after(pilot, view)
        assert wrong.startswith("✗") and "Mistake: swapped-arguments" in wrong
        view.query_one(Input).clear()
        right = await _type_and_submit(pilot, view, "-sum(p*log(q))")
        assert right.startswith("✓ Correct.")


async def test_code_wrong_shows_the_first_failing_case_then_right(make_app, service) -> None:
    app = make_app(client=service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Code")
        view = await exercise(pilot, screen, "write-sum")
        editor = view.query_one(TextArea)
        assert editor.text.startswith("def total(x):") and editor.language == "python"
        editor.load_text("def total(x):\n    return x.mean()\n")
        editor.focus()
        await pilot.press("ctrl+r")
        wrong = await verdict_after(pilot, view)
        assert wrong.startswith("✗") and "x = " in wrong and "Cases passed: 0 of" in wrong
        editor.load_text("def total(x):\n    return x.sum()\n")
        await pilot.press("ctrl+r")
        right = await verdict_after(pilot, view)
        assert right.startswith("✓ Correct.")


async def test_predict_wrong_and_right(make_app, service) -> None:
    app = make_app(client=service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Predict")
        view = await exercise(pilot, screen, "float-indices")
        assert "torch.tensor([3., 2., 1.])" in view.query_one(".predict-answer .code").content.code
        wrong = await _type_and_submit(pilot, view, "tensor(1.3863)")
        assert wrong.startswith("✗")
        view.query_one(Input).clear()
        right = await _type_and_submit(
            pilot, view, "RuntimeError: expected target dtype to be Long or Byte, but got Float"
        )
        assert right.startswith("✓ Correct.")


async def test_without_the_service_no_verdict_is_faked(make_app) -> None:
    app = make_app()  # an offline client
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        note = await _type_and_submit(pilot, view, "0.6931")
        assert "not available" in note and "no attempt was counted" in note
        assert "✓" not in note and "✗" not in note
    assert _attempts("half-surprise") == []
