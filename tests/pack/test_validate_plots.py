"""`validate` reads every plot curve as the app draws it (issue 15.6)."""

from __future__ import annotations

from pathlib import Path

from tests.pack.helpers import validate_lesson

PLOT = """\
---
id: plots
title: Plots
---

## Step

```plot
x: q
y: [-log(q), CURVE]
range: [0.01, 1]
```
"""


def test_a_readable_plot_is_clean(tmp_path: Path) -> None:
    assert validate_lesson(tmp_path / "p", PLOT.replace("CURVE", "-log(1 - q)")) == []


def test_an_unknown_variable_is_an_error_at_the_plot(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", PLOT.replace("CURVE", "-log(r)"))
    assert [(e.line, e.message.split(";")[0]) for e in errors] == [
        (9, "the curve -log(r): unknown name `r` at column 6 (the symbols here are: q)")
    ]
    assert "the app would leave it out" in errors[0].message


def test_a_curve_that_does_not_read_is_an_error(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", PLOT.replace("CURVE", '"-log(q"'))
    assert any("a bracket is not closed" in e.message for e in errors), errors


def test_a_curve_with_nothing_to_draw_is_an_error(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", PLOT.replace("CURVE", "log(-q)"))
    assert any("has no finite value in `range`" in e.message for e in errors), errors
