"""`validate` sends several runs in one sandbox request; each still runs in a process of its own."""

from __future__ import annotations

from pathlib import Path

from tests.pack.helpers import line_of, validate_lesson
from tutor.grading import pack_checks

EXAMPLES = """\
---
id: batch
title: Examples side by side
---

## Step

```python
torch.set_default_dtype(torch.float64)
print(torch.get_default_dtype())
```

```output
torch.float64
```

```python
print(torch.get_default_dtype())
```

```output
torch.float32
```

```python
print(2 * 3)
```

```output
7
```
"""


def test_examples_sent_together_run_apart_and_fail_at_their_own_line(tmp_path: Path) -> None:
    assert pack_checks.EXAMPLES_PER_REQUEST >= 3  # the three go in one request
    errors = validate_lesson(tmp_path / "p", EXAMPLES)
    # the second example is not changed by the first's default dtype: its own process
    assert [(e.line, "the example prints\n6\n" in e.message) for e in errors] == [
        (line_of(EXAMPLES, "```output", 3), True)
    ], errors


PID = """\
---
id: pid
title: Two runs, two processes
---

## Step

```exercise
id: which
type: predict
prompt: What does this print?
code: |
  import os
  print(os.getpid() % 1000003)
```
"""


def test_the_two_runs_of_a_predict_snippet_are_two_processes(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", PID)
    assert [e.line for e in errors if "different outcome on a second run" in e.message] == [
        line_of(PID, "id: which")
    ], errors
