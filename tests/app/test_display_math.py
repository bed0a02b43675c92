"""Display math at 80x24 (issue 17 #10): a fraction drawn in 2-D in the step's first frame."""

from __future__ import annotations

from textual.widgets import Static

from tests.app.helpers import open_step, text_of
from tutor.app.widgets.math_block import MathBlock


def _softmax(screen) -> str:
    blocks = [text_of(block.query_one(Static)) for block in screen.query(MathBlock)]
    return next(text for text in blocks if "C" in text)


async def test_a_display_fraction_is_drawn_in_2d_at_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Math and an example")
        rows = _softmax(screen).splitlines()  # no wait: laid out when the step is composed
        assert len(rows) == 6 and "──────────" in rows[2] and rows[2].startswith("qₖ = ")
        assert "Σ" in rows[4] and "C-1" in rows[3] and "j=0" in rows[5]
        assert "/" not in "".join(rows) and "^(" not in "".join(rows)


async def test_in_ascii_the_fraction_is_2d_and_ascii(make_app) -> None:
    app = make_app(ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Math and an example")
        drawn = _softmax(screen)
        assert drawn.isascii() and "-----" in drawn.splitlines()[2] and "sum" in drawn
