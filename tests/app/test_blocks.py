"""Derivations revealed with their proofs, plots drawn, code edited in $EDITOR."""

from __future__ import annotations

import contextlib
import shlex
import sys

from textual.widgets import Static, TextArea

from tests.app.helpers import exercise, open_step, text_of, wait_until
from tutor.app.tutor_app import TutorApp
from tutor.app.widgets.derivation_view import DerivationView
from tutor.app.widgets.math_block import MathBlock
from tutor.app.widgets.plot_view import PlotView


async def test_a_derivation_is_revealed_step_by_step_with_proof_marks(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "A derivation and a plot")
        view = screen.query_one(DerivationView)
        await wait_until(pilot, lambda: view.proved, timeout=60)
        shown = view.query_one(".steps", MathBlock)
        first = shown.text
        assert "✓" not in first  # the first step is the start: nothing to prove
        assert "Step 1/3" in text_of(view.query_one(".derivation-keys", Static))
        await pilot.press("d")
        assert view.revealed == 2 and shown.text.startswith(first.split("\n")[0])
        assert "✓ proved" in shown.text or "≈" in shown.text
        await pilot.press("d", "d")  # past the end: stays on the last step
        assert view.revealed == 3
        assert "all steps shown" in text_of(view.query_one(".derivation-keys", Static))


async def test_a_plot_draws_the_lesson_curve(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "A derivation and a plot")
        await wait_until(pilot, lambda: bool(screen.query(PlotView)))
        plot = screen.query_one(PlotView)
        from tutor.app.widgets.plot_view import curves_of

        xs, curves, problems = curves_of(plot.plot_block)
        assert problems == [] and [label for label, _ in curves] == ["nats"]
        ys = curves[0][1]
        assert abs(ys[-1] - 0.0) < 1e-9 and abs(ys[0] - 2.9957) < 1e-3  # -log(1), -log(0.05)
        assert xs[0] == 0.05 and len(xs) == len(ys)


async def test_code_is_edited_in_the_learners_editor(make_app, monkeypatch) -> None:
    fixed = "def total(x):\n    return x.sum()\n"
    script = f"import sys; open(sys.argv[1], 'w').write({fixed!r})"
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}")
    monkeypatch.delenv("VISUAL", raising=False)
    # the test driver cannot hand the terminal over; a real terminal does
    monkeypatch.setattr(TutorApp, "suspend", lambda self: contextlib.nullcontext())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Code")
        view = await exercise(pilot, screen, "write-sum")
        editor = view.query_one(TextArea)
        editor.focus()
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: editor.text == fixed)
