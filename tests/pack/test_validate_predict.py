"""`validate` fails a predict snippet whose outcome changes between runs (issue 15.4)."""

from __future__ import annotations

from pathlib import Path

from tests.pack.helpers import line_of, validate_lesson

RANDOM = """\
---
id: random
title: A snippet nobody can predict
---

## Step

```exercise
id: draw
type: predict
prompt: What does this print?
code: |
  print(torch.randn(2))
```
"""


def test_an_unseeded_random_snippet_is_an_error(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", RANDOM)
    at = [e.message for e in errors if e.line == line_of(RANDOM, "id: draw")]
    assert at, errors
    assert "different outcome on a second run" in at[0]
    assert "torch.manual_seed(0)" in at[0]


def test_python_random_is_caught_too(tmp_path: Path) -> None:
    lesson = RANDOM.replace("print(torch.randn(2))", "import random\n  print(random.random())")
    errors = validate_lesson(tmp_path / "p", lesson)
    assert any("different outcome on a second run" in e.message for e in errors), errors


def test_a_seeded_snippet_is_clean(tmp_path: Path) -> None:
    lesson = RANDOM.replace(
        "print(torch.randn(2))", "torch.manual_seed(0)\n  print(torch.randn(2))"
    )
    assert validate_lesson(tmp_path / "p", lesson) == []


def test_a_warning_with_its_line_number_is_the_same_outcome(tmp_path: Path) -> None:
    lesson = RANDOM.replace(
        "print(torch.randn(2))",
        "import warnings, sys\n  warnings.showwarning = lambda m, c, f, n, *a: print(f'{f}:{n}: {m}')\n"
        "  warnings.warn('careful')",
    )
    assert validate_lesson(tmp_path / "p", lesson) == []
