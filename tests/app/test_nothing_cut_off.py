"""Nothing is cut off at 80 columns with no way to see it (issue 17, defect 5)."""

from __future__ import annotations

import pytest
from textual.widgets import Static, TextArea

from tests.app.helpers import exercise, open_step, text_of, wait_until
from tutor.app.widgets.code_example_view import CodeExampleView
from tutor.app.widgets.derivation_view import DerivationView
from tutor.app.widgets.math_block import MathBlock
from tutor.pack.loader import load_pack

LONG = "loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), target.reshape(-1))"
LESSON = f"""\
---
id: long
title: Long lines
---

## A long example

```python
{LONG}  # the key part is at the end
print(loss)
```
"""


def _screen(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@pytest.fixture
def long_pack(tmp_path):
    from tests.pack.helpers import write_pack

    pack, errors = load_pack(write_pack(tmp_path / "pack", {"01-long.md": LESSON}))
    assert errors == []
    return pack


async def test_a_long_example_line_wraps_with_its_lines_numbered(make_app, long_pack) -> None:
    app = make_app(pack=long_pack)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(app.screen.query(CodeExampleView)))
        await pilot.pause(0.3)
        screen = _screen(app)
        assert "target.reshape(-1))" in screen and "the key part is at the end" in screen
        lines = [line for line in screen.splitlines() if "1 " in line and "loss =" in line]
        assert lines, screen  # numbered: the wrapped part reads as the same line continued
        assert any(" 2 " in line and "print(loss)" in line for line in screen.splitlines())


async def test_the_editor_wraps_a_long_line_instead_of_scrolling_sideways(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Code")
        view = await exercise(pilot, screen, "write-sum")
        editor = view.query_one(TextArea)
        editor.load_text("def total(x):\n    return " + " + ".join(["x.sum()"] * 15) + "\n")
        await pilot.pause()
        assert editor.soft_wrap and editor.wrapped_document.height > editor.document.line_count
        assert editor.scroll_x == 0


async def test_a_wide_derivation_step_scrolls_sideways_from_the_keyboard(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(36, 30)) as pilot:
        screen = await open_step(pilot, app, "A derivation and a plot")
        await wait_until(pilot, lambda: bool(screen.query(DerivationView)))
        derivation = screen.query_one(DerivationView)
        await wait_until(pilot, lambda: bool(derivation.renderings), timeout=60)
        block = derivation.query_one(".steps", MathBlock)
        derivation.focus()
        await pilot.press("d", "d")  # every step: the last ones are the widest
        await wait_until(pilot, lambda: block.max_scroll_x > 0)
        await wait_until(
            pilot,
            lambda: (
                "shift+arrows: see the rest"
                in text_of(derivation.query_one(".derivation-keys", Static))
            ),
        )
        await pilot.press("shift+right")
        await wait_until(pilot, lambda: block.scroll_x > 0)
