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


ACCEPT = """\
---
id: accept
title: Other ways to say it
---

## Step

```exercise
id: shape
type: predict
prompt: What happens?
code: |
  torch.zeros(2, 3).view(4)
accept: [报错, it raises]
misconceptions:
  - answer: tensor
    tag: reshaped
    feedback: view cannot make 6 elements into 4.
```
"""


def test_an_accepted_alternative_is_graded_correct(tmp_path: Path) -> None:
    from tests.pack.helpers import write_pack
    from tutor.grading import grade
    from tutor.pack.loader import load_pack

    assert validate_lesson(tmp_path / "v", ACCEPT) == []
    pack, _ = load_pack(write_pack(tmp_path / "p", {"01.md": ACCEPT}))
    lesson = pack.lessons[0]
    exercise = lesson.exercises[0]
    assert grade(pack, lesson, exercise, "报错", "ada").correct
    assert grade(pack, lesson, exercise, "RuntimeError", "ada").correct
    assert not grade(pack, lesson, exercise, "tensor", "ada").correct


def test_an_accepted_text_that_is_a_misconception_is_an_error(tmp_path: Path) -> None:
    lesson = ACCEPT.replace("accept: [报错, it raises]", "accept: [报错, tensor]")
    errors = validate_lesson(tmp_path / "p", lesson)
    assert any(
        "`accept` lists `tensor`, which is misconception `reshaped`'s answer" in e.message
        for e in errors
    ), errors
