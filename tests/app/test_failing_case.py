"""A failing code case at 80x24 (issue 17 #9): its one-line summary shown, its tensors on `v`."""

from __future__ import annotations

from tests.app.helpers import exercise, open_step, text_of, wait_until
from tutor.app.widgets.verdict_view import VerdictView
from tutor.grading.verdict import Status, Verdict

SUMMARY = (
    "Not yet on case 2 of 5 (random case 2): output shape (4,) as expected; "
    "first difference at [1] (1 of 4 differ): yours 0.6931, expected 1.3863."
)


async def test_the_summary_shows_and_the_whole_case_is_one_key_away(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Code")
        view = await exercise(pilot, screen, "write-sum")
        words = "\n".join(f"why, line {n}" for n in range(9))  # a mistake's long feedback
        tensors = "\n".join(f"  x = tensor row {n}" for n in range(30))
        feedback = f"{words}\n\n{SUMMARY}\nThe whole case:\n{tensors}"
        verdict = Verdict(
            Status.INCORRECT,
            feedback=feedback,
            mistake="sum-not-mean",
            details={"summary": SUMMARY},
        )
        view._graded("def total(x): ...", verdict)
        shown = text_of(view.query_one(VerdictView))
        assert SUMMARY in shown and "Mistake: sum-not-mean" in shown  # past the first 8 lines
        assert "tensor row 0" not in shown and "(31 more lines: v shows them)" in shown
        await pilot.press("v")
        await wait_until(pilot, lambda: "tensor row 29" in text_of(view.query_one(VerdictView)))
