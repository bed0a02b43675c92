"""`validate` grades every solution through its exercise's grader (issue 15.5)."""

from __future__ import annotations

from pathlib import Path

from tests.pack.helpers import line_of, validate_lesson

LESSON = """\
---
id: solutions
title: Solutions a learner copies
---

## Step

```exercise
id: double
type: code
entry: double
prompt: Return 2 x.
starter: |
  def double(x):
      ...
args:
  x: randn(3)
reference: |
  def double(x):
      return 2 * x
solution: |
  def double(x):
      return 2 * x
```

```exercise
id: shown
type: predict
prompt: What prints?
code: |
  print(torch.tensor([1, 2]).sum())
solution: "`tensor(3)`: one plus two."
```

```exercise
id: formula
type: formula
prompt: The entropy.
symbols:
  p: {kind: distribution, size: K}
answer: -sum(p*log(p))
solution: "H(p) = `-sum(p*log(p))`."
```
"""


def _at(errors, needle: str, text: str = LESSON) -> list[str]:
    return [e.message for e in errors if e.line == line_of(text, needle)]


def test_right_solutions_are_clean(tmp_path: Path) -> None:
    assert validate_lesson(tmp_path / "p", LESSON) == []


def test_a_code_solution_that_is_only_a_body_is_an_error(tmp_path: Path) -> None:
    lesson = LESSON.replace(
        "solution: |\n  def double(x):\n      return 2 * x", "solution: |\n  return 2 * x"
    )
    messages = _at(validate_lesson(tmp_path / "p", lesson), "id: double", lesson)
    assert any("not a whole function `double`" in m for m in messages), messages


def test_a_code_solution_that_fails_is_an_error(tmp_path: Path) -> None:
    lesson = LESSON.replace(
        "solution: |\n  def double(x):\n      return 2 * x",
        "solution: |\n  def double(x):\n      return x.view(2, 2)",
    )
    messages = _at(validate_lesson(tmp_path / "p", lesson), "id: double", lesson)
    assert any(
        "the solution, pasted as a learner's answer, is graded crashed" in m for m in messages
    )


def test_a_wrong_predict_solution_is_an_error(tmp_path: Path) -> None:
    lesson = LESSON.replace("`tensor(3)`: one plus two.", "`tensor(4)`: one plus two.")
    messages = _at(validate_lesson(tmp_path / "p", lesson), "id: shown", lesson)
    assert any("the solution's answer `tensor(4)` is graded incorrect" in m for m in messages)


def test_a_wrong_formula_solution_is_an_error(tmp_path: Path) -> None:
    lesson = LESSON.replace("H(p) = `-sum(p*log(p))`.", "H(p) = `sum(p*log(p))`.")
    messages = _at(validate_lesson(tmp_path / "p", lesson), "id: formula", lesson)
    assert any("`sum(p*log(p))` is graded incorrect" in m for m in messages), messages


def test_prose_a_grader_cannot_read_is_left_to_the_review(tmp_path: Path) -> None:
    lesson = LESSON.replace("H(p) = `-sum(p*log(p))`.", "Weight each surprise by its probability.")
    assert validate_lesson(tmp_path / "p", lesson) == []
