"""`validate` reads the math a learner would see (issue 15.8)."""

from __future__ import annotations

from pathlib import Path

from tests.pack.helpers import line_of, validate_lesson

LESSON = """\
---
id: text
title: Text
---

## Step

Prose with $a \\qquad b$ and $\\frac{1}{2$.

```plot
x: q
y: [-log(q)]
range: [0.01, 1]
title: The surprise $-\\log q$
```

```exercise
id: pick
type: choice
prompt: Which is $D_{KL}(p \\| q)$?
choices:
  - text: $\\sum p \\log(p/q)$
    correct: true
  - text: the other one
    feedback: That is $\\mathrm{H} \\qquad q$.
hints:
  - Use $\\texttt{kl_div}$ if you like.
```
"""


def test_unknown_macros_unbalanced_braces_and_raw_dollars(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", LESSON)
    found = [(e.line, e.message) for e in errors]
    prose, pick = line_of(LESSON, "Prose with"), line_of(LESSON, "id: pick")
    assert any(line == prose and "uses `\\qquad`" in m for line, m in found), found
    assert any(line == prose and "unbalanced braces" in m for line, m in found), found
    # choices and feedback are rendered by the app: their math is checked, not refused
    assert any(line == pick and "feedback of a choice" in m and "qquad" in m for line, m in found)
    plot = line_of(LESSON, "x: q")
    assert any(line == plot and "shows `$-\\log q$` as typed" in m for line, m in found), found
    assert len(errors) == 4, errors  # \\texttt, the choice text and the prompt render


def test_the_word_a_learner_would_see_is_named(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", LESSON)
    assert any('learners would see the word "qquad"' in e.message for e in errors), errors
