"""Everything graded or run by the real grading service (torch in its own process).

Kept in one file so that, with pytest-xdist's `--dist loadfile`, one worker
starts the service once for all of them.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from textual.widgets import Input, Static, TextArea

from tests.app.helpers import (
    attempts_of,
    exercise,
    open_step,
    text_of,
    type_and_submit,
    verdict_after,
    wait_until,
)
from tutor.app.widgets.code_example_view import CodeExampleView
from tutor.app.widgets.math_block import MathBlock

PROJECT_ROOT = Path(__file__).resolve().parents[2]


async def test_number_right_and_wrong(make_app, service) -> None:
    app = make_app(client=service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        wrong = await type_and_submit(pilot, view, "0.5")
        assert wrong.startswith("✗ Not quite.")
        view.query_one(Input).clear()
        right = await type_and_submit(pilot, view, "0.6931")
        assert right.startswith("✓ Correct.")
    assert [s for s, _, _ in attempts_of("half-surprise")] == ["incorrect", "correct"]


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
        right = await type_and_submit(pilot, view, "-sum(p*log(q))")
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
        wrong = await type_and_submit(pilot, view, "tensor(1.3863)")
        assert wrong.startswith("✗")
        view.query_one(Input).clear()
        right = await type_and_submit(
            pilot, view, "RuntimeError: expected target dtype to be Long or Byte, but got Float"
        )
        assert right.startswith("✓ Correct.")


async def test_without_the_service_no_verdict_is_faked(make_app) -> None:
    app = make_app()  # an offline client
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        note = await type_and_submit(pilot, view, "0.6931")
        assert "not available" in note and "no attempt was counted" in note
        assert "✓" not in note and "✗" not in note
    assert attempts_of("half-surprise") == []


async def test_an_example_runs_in_the_service_and_shows_its_real_output(make_app, service) -> None:
    app = make_app(client=service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Math and an example")
        example = screen.query_one(CodeExampleView)
        result = example.query_one(".run-result", Static)
        assert not result.display  # nothing run yet: no empty box
        await pilot.press("r")
        await wait_until(pilot, lambda: "run just now" in text_of(result), timeout=60)
        shown = text_of(result)
        assert "  tensor(3.)" in shown and "✓ same as the lesson states" in shown


async def test_a_learners_own_numbers_are_drawn_outside_the_app(make_app, service) -> None:
    app = make_app(client=service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "your-surprise")
        prompt = " ".join(m.source for m in view.query("Markdown"))
        assert "{q}" not in prompt and "q = 0." in prompt
        q = float(re.search(r"q = (\d+\.\d+)", prompt).group(1))

        view.focus_answer()
        await pilot.press(*f"{-math.log(q):.4f}", "enter")
        assert (await verdict_after(pilot, view)).startswith("✓ Correct.")


async def test_a_derivation_is_drawn_and_proved_by_the_service(make_app, service) -> None:
    from tutor.app.widgets.derivation_view import DerivationView

    app = make_app(client=service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "A derivation and a plot")
        view = screen.query_one(DerivationView)
        await wait_until(pilot, lambda: view.proved, timeout=90)
        await pilot.press("d")
        shown = view.query_one(".steps", MathBlock).text
        assert "✓ proved" in shown or "≈" in shown
        assert view.problem is None and view.step_count == 3


def test_the_app_never_imports_sympy_when_a_service_draws(tmp_path) -> None:
    """A whole formula, derivation and plot session: sympy stays in the service."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import asyncio, os, sys
        from tests.app.conftest import PACK_DIR
        from tests.app.helpers import exercise, open_step, text_of, wait_until
        from textual.widgets import Static
        from tutor.app.grading_link import GradingLink
        from tutor.app.tutor_app import TutorApp
        from tutor.app.widgets.derivation_view import DerivationView
        from tutor.app.widgets.plot_view import PlotView
        from tutor.pack.loader import load_pack

        async def main():
            pack, _ = load_pack(PACK_DIR)
            app = TutorApp(pack, learner="ada", grading=GradingLink(pack, "ada"))
            async with app.run_test(size=(80, 24)) as pilot:
                screen = await open_step(pilot, app, "A derivation and a plot")
                view = screen.query_one(DerivationView)
                await wait_until(pilot, lambda: view.proved, timeout=120)
                await wait_until(pilot, lambda: bool(screen.query(PlotView)))
                await pilot.press("escape")
                screen = await open_step(pilot, app, "Formula")
                view = await exercise(pilot, screen, "ce-formula")
                view.focus_answer()
                await pilot.press(*"-sum(p*log(q))")
                label = view.query_one(".preview-label", Static)
                await wait_until(pilot, lambda: text_of(label) == "Read as:", timeout=60)
            print("sympy" in sys.modules, "torch" in sys.modules)

        asyncio.run(main())
        """
    )
    env = {**os.environ, "CE_TUTOR_HOME": str(tmp_path)}
    env.pop("CE_TUTOR_GRADING_SOCKET", None)
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["False", "False"]
