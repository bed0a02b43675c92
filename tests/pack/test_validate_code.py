"""`validate` on code exercises: a reference that raises is the author's error (issue 15.1)."""

from __future__ import annotations

from pathlib import Path

from tests.pack.helpers import line_of, validate_lesson

RAISING = """\
---
id: raising
title: A raising reference
---

## Step

```exercise
id: reshape
type: code
entry: f
prompt: Reshape x to 2 by 2.
args:
  x: randn(3)
reference: |
  def f(x):
      return x.view(2, 2)
```
"""


def test_a_reference_that_raises_on_its_cases_is_an_error(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", RAISING)
    at = [e for e in errors if e.line == line_of(RAISING, "id: reshape")]
    assert at, errors
    message = at[0].message
    assert "the reference raises RuntimeError" in message
    assert "every learner's correct function would be graded wrong" in message
    assert "declare `raises: RuntimeError`" in message


def test_a_declared_raise_is_accepted(tmp_path: Path) -> None:
    lesson = RAISING.replace("entry: f\n", "entry: f\nraises: RuntimeError\n")
    assert validate_lesson(tmp_path / "p", lesson) == []


def test_a_declared_raise_of_another_type_is_still_an_error(tmp_path: Path) -> None:
    lesson = RAISING.replace("entry: f\n", "entry: f\nraises: ValueError\n")
    errors = validate_lesson(tmp_path / "p", lesson)
    assert any("raises RuntimeError" in e.message for e in errors), errors


def test_a_declared_raise_the_reference_never_makes(tmp_path: Path) -> None:
    lesson = RAISING.replace("entry: f\n", "entry: f\nraises: RuntimeError\n").replace(
        "x.view(2, 2)", "x * 2"
    )
    errors = validate_lesson(tmp_path / "p", lesson)
    assert any("raises on none of its cases" in e.message for e in errors), errors


ARGS_IN_ANOTHER_ORDER = """\
---
id: order
title: Arguments listed in another order than the signature's
---

## Step

```exercise
id: ce
type: code
entry: ce
prompt: Cross-entropy of logits and class indices.
args:
  target: randint(0, 3, shape=(4,))
  logits: randn(4, 3)
edge_cases:
  - target: randint(0, 3, shape=(4,))
    logits: 1000 * randn(4, 3)
reference: |
  def ce(logits, target):
      return F.cross_entropy(logits, target)
```
"""


def test_the_reference_is_checked_in_its_own_parameter_order(tmp_path: Path) -> None:
    """Grading calls it as `ce(logits, target)`; so must the check that it does not raise
    (it called `ce(target, logits)` and reported a raise no learner would meet)."""
    assert validate_lesson(tmp_path / "p", ARGS_IN_ANOTHER_ORDER) == []


def test_raises_must_be_an_exception_name(tmp_path: Path) -> None:
    lesson = RAISING.replace("entry: f\n", "entry: f\nraises: a runtime error\n")
    errors = validate_lesson(tmp_path / "p", lesson, deep=False)
    assert any("`raises` is an exception's name" in e.message for e in errors), errors


def test_a_learner_never_sees_reference_code_or_server_paths(sandbox) -> None:
    """The verdict says what the reference raised, never its lines; no site-packages frames."""
    from tutor.grading.code import grade_code
    from tutor.pack.model import CodeExercise, Location

    exercise = CodeExercise(
        id="reshape",
        prompt="",
        location=Location(Path("x.md"), 1),
        entry="f",
        reference="def f(x):\n    secret_name = 2\n    return x.view(secret_name, 2)\n",
        args={"x": "randn(3)"},
        raises="RuntimeError",
    )
    wrong = grade_code(exercise, "def f(x):\n    return x * 2\n", seed=1, sandbox=sandbox)
    assert "RuntimeError" in wrong.feedback
    assert "secret_name" not in wrong.feedback and "<pack code>" not in wrong.feedback
    inside_torch = (
        "import torch.nn.functional as F\n"
        "def f(x):\n"
        "    return F.cross_entropy(x, torch.tensor([5]))\n"
    )
    crashed = grade_code(exercise, inside_torch, seed=1, sandbox=sandbox)
    assert "<your code>" in crashed.feedback  # the learner's own line is shown
    assert "site-packages" not in crashed.feedback and "torch/" not in crashed.feedback, (
        crashed.feedback
    )


MISTAKES = """\
---
id: mistakes
title: Author mistakes in code
---

## Step

```exercise
id: double
type: code
entry: double
prompt: Return 2 x.
args:
  x: randn(3)
reference: |
  def double(x):
      return 2 * x
misconceptions:
  - code: |
      def double(x):
          return x.view(2, 2)
    tag: raises
    feedback: It raises.
  - code: |
      def double(x)
          return x + x + x
    tag: typo
    feedback: A typo.
```
"""


def test_a_wrong_entry_name_is_the_authors_error_in_words(tmp_path: Path) -> None:
    lesson = MISTAKES.replace("entry: double", "entry: dubble")
    errors = validate_lesson(tmp_path / "p", lesson)
    messages = [e.message for e in errors if e.line == line_of(lesson, "id: double")]
    assert messages == [
        "the reference defines no function `dubble` (it defines `double`): `entry:` names the "
        "function learners write, and the reference and every misconception's code must define "
        "it too"
    ], errors
    assert not any("internal error" in e.message or "PackCodeError" in e.message for e in errors)


def test_author_code_messages_say_what_it_raised_and_never_your(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", MISTAKES)
    raises = [e.message for e in errors if e.line == line_of(MISTAKES, "  - code: |")]
    assert raises and "it raises RuntimeError: shape '[2, 2]' is invalid" in raises[0], errors
    typo = [e.message for e in errors if e.line == line_of(MISTAKES, "  - code: |", 2)]
    assert typo == ["misconception `typo` does not read: expected ':' (its line 1)"], errors
    assert not any("your" in e.message.lower() for e in errors), errors


STABILITY = """\
---
id: stability
title: Stability
---

## Step

```exercise
id: lse
type: code
entry: lse
prompt: Write log(sum(exp(z))) so that it does not overflow.
args:
  z: randn(4)
reference: |
  def lse(z):
      return torch.logsumexp(z, 0)
```
"""


def test_a_stability_exercise_without_large_inputs_is_an_error(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", STABILITY)
    messages = [e.message for e in errors if e.line == line_of(STABILITY, "id: lse")]
    assert messages and 'is about numerical stability (its text says "overflow")' in messages[0]
    assert "magnitude 50 or more" in messages[0]


def test_a_large_edge_case_satisfies_it(tmp_path: Path) -> None:
    lesson = STABILITY.replace(
        "  z: randn(4)\n", "  z: randn(4)\nedge_cases:\n  - z: 1000 * randn(4)\n"
    )
    assert validate_lesson(tmp_path / "p", lesson) == []


def test_a_forbid_name_that_names_nothing_is_an_error(tmp_path: Path) -> None:
    lesson = STABILITY.replace(
        "  z: randn(4)\n", "  z: randn(4)\nedge_cases:\n  - z: 1000 * randn(4)\n"
    ).replace("entry: lse\n", "entry: lse\nforbid: [torch.logsumexpp, torch.special.logsumexp]\n")
    errors = validate_lesson(tmp_path / "p", lesson)
    assert [e.message for e in errors] == [
        "`forbid` names `torch.logsumexpp`, which is no torch function or class: it forbids "
        "nothing (did you mean `logsumexp`?)"
    ]


SOMETIMES = """\
---
id: sometimes
title: A mistake some learners' cases cannot catch
---

## Step

```exercise
id: square
type: code
entry: square
prompt: Return n squared.
args:
  n: choice([1, 2, 3])
reference: |
  def square(n):
      return torch.tensor(n * n)
misconceptions:
  - code: |
      def square(n):
          return torch.tensor(n + n)
    tag: doubled
    feedback: That is 2n.
```
"""


def test_a_code_misconception_some_learners_cases_cannot_catch(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", SOMETIMES)
    at = [e.message for e in errors if e.line == line_of(SOMETIMES, "  - code: |")]
    assert any(
        "misconception `doubled` gives the reference's values on every case of" in m
        and "of 8 simulated learners" in m
        for m in at
    ), errors
