"""`ce-tutor validate` checks every claim with the engines, at the claim's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pack.helpers import write_pack
from tutor.grading.pack_checks import check_pack
from tutor.pack.loader import load_pack

WRONG_CLAIMS = """\
---
id: wrong
title: Wrong claims
---

## Claims

```python
import torch
print(torch.tensor([1.0, 2.0]).sum())
```

```output
tensor(4.)
```

```derivation
title: A false step
symbols:
  p: {kind: distribution, size: K}
  q: {kind: distribution, size: K}
steps:
  - expr: sum(p*log(p/q))
  - expr: sum(q*log(q/p))
    reason: swapped, which is wrong
```

```derivation
use: no-such-derivation
```

```exercise
id: kl
type: formula
prompt: KL
symbols:
  p: {kind: distribution, size: K}
  q: {kind: distribution, size: K}
answer: sum(p*log(p/q))
check: F.kl_div(log(p), q, reduction='sum')
misconceptions:
  - answer: sum(p*log(p)) - sum(p*log(q))
    tag: not-a-mistake
    feedback: This is the same formula.
```

```exercise
id: loss
type: number
prompt: "{logits} {target}"
params:
  logits: randn(3, 4)
  target: randint(0, 4, shape=(3,))
reference: F.cross_entropy(logits, target)
formula: mean(logsumexp(logits, 1))
misconceptions:
  - reference: F.cross_entropy(logits, target, reduction='mean')
    tag: same-as-reference
    feedback: Identical.
```

```exercise
id: write-it
type: code
entry: ce
prompt: Write it.
args:
  logits: randn(4, 3)
  target: randint(0, 3, shape=(4,))
reference: |
  def ce(logits, target):
      return F.cross_entropy(logits, target)
forbid: [F.cross_entropy]
misconceptions:
  - code: |
      def ce(logits, target):
          return -torch.log_softmax(logits, 1)[range(len(target)), target].mean()
    tag: actually-right
    feedback: This one is right.
```

```exercise
id: guess
type: predict
prompt: What prints?
code: |
  print(torch.tensor([1, 2]).sum())
misconceptions:
  - answer: tensor(3)
    tag: true-answer
    feedback: This is what it prints.
```
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = write_pack(tmp_path_factory.mktemp("packs") / "wrong", {"01-wrong.md": WRONG_CLAIMS})
    pack, errors = load_pack(root)
    assert errors == []
    return check_pack(pack)


def _at(report, line: int) -> list[str]:
    return [e.message for e in report.errors if e.line == line]


def line_of(text: str, occurrence: int = 1) -> int:
    lines = WRONG_CLAIMS.splitlines()
    hits = [number for number, line in enumerate(lines, start=1) if text in line]
    return hits[occurrence - 1]


def test_a_wrong_printed_output_is_reported(report) -> None:
    messages = _at(report, line_of("```output"))
    assert any("tensor(3.)" in m and "tensor(4.)" in m for m in messages), report.errors


def test_a_false_derivation_step_is_reported_at_its_line(report) -> None:
    messages = _at(report, line_of("- expr: sum(q*log(q/p))"))
    assert any("step 2 does not follow from step 1" in m for m in messages), report.errors


def test_an_unknown_builtin_derivation(report) -> None:
    assert any(
        "no built-in derivation `no-such-derivation`" in m
        for m in _at(report, line_of("use: no-such"))
    )


def test_formula_check_and_a_misconception_equal_to_the_answer(report) -> None:
    messages = [
        e.message for e in report.errors if line_of("id: kl") <= e.line < line_of("id: loss")
    ]
    assert any("not-a-mistake" in m and "equals the answer" in m for m in messages), messages


def test_number_reference_and_formula_must_agree(report) -> None:
    messages = _at(report, line_of("id: loss"))
    assert any("disagree" in m for m in messages), report.errors


def test_a_code_misconception_that_passes_is_reported(report) -> None:
    messages = _at(report, line_of("  - code: |"))
    assert any("`actually-right` passes every case" in m for m in messages), report.errors


def test_a_predict_misconception_that_is_the_real_output(report) -> None:
    messages = _at(report, line_of("  - answer: tensor(3)"))
    assert any("`true-answer` is what the snippet really does" in m for m in messages), (
        report.errors
    )


def test_the_report_counts_what_it_checked(report) -> None:
    assert report.checked == {
        "python examples": 1,
        "derivations": 2,
        "formula exercises": 1,
        "number exercises": 1,
        "code exercises": 1,
        "predict exercises": 1,
    }


def test_a_correct_pack_has_no_deep_problems(tmp_path: Path) -> None:
    from tests.pack.test_loader import FULL_LESSON

    pack, errors = load_pack(write_pack(tmp_path / "full", {"01-full.md": FULL_LESSON}))
    assert errors == []
    assert check_pack(pack).errors == []
