"""Fences an author gets wrong: a misspelt block name, a block closed early (issue 15.7)."""

from __future__ import annotations

from pathlib import Path

from tests.pack.helpers import line_of, validate_lesson

HEAD = """\
---
id: fences
title: Fences
---

## Step

"""

MISSPELT = (
    HEAD
    + """\
```derivaton
use: ce-gradient
```
"""
)

NESTED = (
    HEAD
    + """\
```exercise
id: nested
type: choice
prompt: |
  What does this print?
  ```python
  print(1)
  ```
choices:
  - text: "1"
    correct: true
  - text: "2"
```
"""
)


def test_a_misspelt_block_name_gets_did_you_mean(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", MISSPELT, deep=False)
    assert [(e.line, e.message.split(":")[0]) for e in errors] == [
        (
            line_of(MISSPELT, "```derivaton"),
            "unknown block `derivaton` (did you mean `derivation`?)",
        )
    ]


def test_other_languages_are_left_alone(tmp_path: Path) -> None:
    lesson = MISSPELT.replace("```derivaton", "```bash")
    assert validate_lesson(tmp_path / "p", lesson, deep=False) == []


def test_a_nested_fence_closing_the_exercise_early_is_named(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", NESTED, deep=False)
    closing = line_of(NESTED, "  ```", 2)
    at = [e.message for e in errors if e.line == closing]
    assert at, errors
    assert "closes the `exercise` block opened at line 8" in at[0]
    assert "````exercise" in at[0]


def test_four_backticks_keep_the_inner_fence_inside(tmp_path: Path) -> None:
    lesson = NESTED.replace("```exercise", "````exercise").replace("\n```\n", "\n````\n")
    assert validate_lesson(tmp_path / "p", lesson, deep=False) == []
