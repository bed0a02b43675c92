"""YAML a teacher cannot decode gets a sentence and the fix (issue 15.10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pack.helpers import validate_lesson

LESSON = """\
---
id: yaml
title: YAML traps
---

## Step

```exercise
id: pick
type: choice
prompt: PROMPT
choices:
  - text: "yes"
    correct: true
  - text: "no"
hints:
  - HINT
```
"""


def _errors(tmp_path: Path, prompt: str = "Which?", hint: str = "Think.") -> list[str]:
    lesson = LESSON.replace("PROMPT", prompt).replace("HINT", hint)
    return [f"{e.line}: {e.message}" for e in validate_lesson(tmp_path / "p", lesson, deep=False)]


@pytest.mark.parametrize(
    ("prompt", "meaning"),
    [
        ("`x` is what?", "cannot start with ` (a code span)"),
        ("*bold* question", "read as a YAML alias"),
        ("!important question", "read as a YAML tag"),
        ("%done?", "starts a directive"),
        ("@you: which?", "reserved"),
    ],
)
def test_a_value_starting_with_a_yaml_character(tmp_path: Path, prompt: str, meaning: str) -> None:
    errors = _errors(tmp_path, prompt=prompt)
    assert any(meaning in e and "put the whole text in quotes" in e for e in errors), errors


def test_an_anchor_silently_eating_a_word(tmp_path: Path) -> None:
    errors = _errors(tmp_path, prompt="&more which?")
    assert errors == ["11: `&more` at the start of a value is read as a YAML anchor and silently "
                      "dropped: put the whole text in quotes"]  # fmt: skip


def test_a_tab_used_for_indentation(tmp_path: Path) -> None:
    lesson = LESSON.replace("PROMPT", "Which?").replace("  - HINT", "\t- Think.")
    errors = [e.message for e in validate_lesson(tmp_path / "p", lesson, deep=False)]
    assert any("a tab cannot indent YAML: indent with spaces" in e for e in errors), errors


def test_a_comment_cutting_a_hint(tmp_path: Path) -> None:
    errors = _errors(tmp_path, hint="Sum first #then divide")
    assert errors == ["17: ` #` starts a YAML comment, so `Sum first` is all that is kept and "
                      "`#then divide` is silently dropped: put the whole text in quotes"]  # fmt: skip


def test_quoted_and_block_texts_keep_their_hash(tmp_path: Path) -> None:
    assert _errors(tmp_path, hint='"Sum first #then divide"') == []
    assert _errors(tmp_path, prompt="|\n  Sum first #then divide") == []
