"""How many authoring faults `ce-tutor validate` catches, each at the right line.

A clean one-lesson pack (every block type) is copied; each fault of the
corpus is injected alone (a text replacement), the copy validated with the
engines, and the fault counts as caught when a problem is reported at the
line the fault is on. The blocks that did not change are remembered clean
(the check cache), so each fault costs the check of its own block.

/work/main/.venv/bin/python benchmarks/validate_faults.py [--only NAME]

Prints one line per fault and `validate_faults_caught: N/M`; exits 1 when a
fault is missed or the clean pack is not clean.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CLEAN = r"""---
id: faults
title: A clean lesson for fault injection
---

## Every block

Entropy is $H(p) = -\sum_i p_i \log p_i$.

```python
import torch
print(torch.tensor([1.0, 2.0]).sum())
```

```output
tensor(3.)
```

```derivation
title: KL as cross-entropy minus entropy
symbols:
  p: {kind: distribution, size: K}
  q: {kind: distribution, size: K}
steps:
  - expr: sum(p*log(p/q))
  - expr: -sum(p*log(q)) + sum(p*log(p))
    reason: log of a quotient
```

```plot
x: q
y: [-log(q)]
range: [0.01, 1]
title: Surprise
```

```exercise
id: pick
type: choice
prompt: Which sums to one?
choices:
  - text: "[0.5, 0.5]"
    correct: true
  - text: "[0.5, 0.6]"
    feedback: It sums to 1.1.
hints:
  - Add the entries.
```

```exercise
id: loss-value
type: number
prompt: "logits = {logits}, target = {target}. What is the loss?"
params:
  logits: randn(3, 4)
  target: randint(0, 4, shape=(3,))
reference: F.cross_entropy(logits, target)
formula: mean(logsumexp(logits, 1) - take(logits, target))
tolerance: {rel: 1e-3, abs: 1e-3}
misconceptions:
  - reference: F.cross_entropy(logits, target, reduction='sum')
    tag: sum-not-mean
    feedback: The default reduction is the mean.
hints:
  - Average the per-sample losses.
```

```exercise
id: entropy
type: formula
prompt: Write the entropy of p.
symbols:
  p: {kind: distribution, size: K}
answer: -sum(p*log(p))
misconceptions:
  - answer: sum(p*log(p))
    tag: sign
    feedback: Entropy is not negative.
solution: "`-sum(p*log(p))`"
```

```exercise
id: write-lse
type: code
entry: lse
prompt: Write a logsumexp over dim 0 that does not overflow.
starter: |
  def lse(z):
      ...
args:
  z: randn(5)
cases: 3
edge_cases:
  - z: 1000 * randn(5)
reference: |
  def lse(z):
      return torch.logsumexp(z, 0)
forbid: [torch.logsumexp]
misconceptions:
  - code: |
      def lse(z):
          return z.exp().sum().log()
    tag: overflow
    feedback: Subtract the max first.
solution: |
  def lse(z):
      m = z.max()
      return m + (z - m).exp().sum().log()
```

```exercise
id: sum-predict
type: predict
prompt: What does this print?
code: |
  print(torch.tensor([1, 2]).sum())
misconceptions:
  - answer: tensor(4)
    tag: off-by-one
    feedback: Count again.
solution: "`tensor(3)`: one plus two."
```
"""


@dataclass(frozen=True)
class Fault:
    """One authoring mistake: a replacement, and the line that must be named."""

    name: str
    old: str
    new: str
    at: str  # a text on the line the problem must be reported at (after the change)
    occurrence: int = 1


FAULTS = [
    Fault("reference-raises", "      return torch.logsumexp(z, 0)", "      return z.view(2, 2)",
          "id: write-lse"),
    Fault("tolerance-unreachable", "tolerance: {rel: 1e-3, abs: 1e-3}", "tolerance: {rel: 1e-6}",
          "id: loss-value"),
    Fault("misconception-sometimes-right", "tolerance: {rel: 1e-3, abs: 1e-3}",
          "tolerance: {abs: 2.0}", "  - reference: F.cross_entropy(logits, target, "
          "reduction='sum')"),
    Fault("predict-not-deterministic", "  print(torch.tensor([1, 2]).sum())",
          "  print(torch.randn(2))", "id: sum-predict"),
    Fault("code-solution-body-only", "solution: |\n  def lse(z):\n      m = z.max()\n"
          "      return m + (z - m).exp().sum().log()", "solution: |\n  m = z.max()\n"
          "  return m + (z - m).exp().sum().log()", "id: write-lse"),
    Fault("code-solution-wrong", "      return m + (z - m).exp().sum().log()",
          "      return (z - m).exp().sum().log()", "id: write-lse"),
    Fault("predict-solution-wrong", "`tensor(3)`: one plus two.", "`tensor(4)`: one plus two.",
          "id: sum-predict"),
    Fault("formula-solution-wrong", 'solution: "`-sum(p*log(p))`"', 'solution: "`sum(p*log(p))`"',
          "id: entropy"),
    Fault("plot-unknown-variable", "y: [-log(q)]", "y: [-log(r)]", "x: q"),
    Fault("plot-unreadable", "y: [-log(q)]", 'y: ["-log(q"]', "x: q"),
    Fault("fence-misspelt", "```derivation", "```derivaton", "```derivaton"),
    Fault("fence-closed-early", "prompt: What does this print?",
          "prompt: |\n  What does this print?\n  ```python\n  x = 1\n  ```",
          "  ```", 2),
    Fault("latex-unknown-macro", r"$H(p) = -\sum_i p_i \log p_i$", r"$H(p) \qquad -\sum_i p_i$",
          "Entropy is"),
    Fault("latex-unbalanced", r"$H(p) = -\sum_i p_i \log p_i$", r"$H(p) = -\sum_{i p_i$",
          "Entropy is"),
    Fault("unknown-latex-in-feedback", 'feedback: It sums to 1.1.',
          r"feedback: It sums to $1 \qquad 1$.", "id: pick"),
    Fault("raw-math-in-plot-title", "title: Surprise", r"title: Surprise $-\log q$", "x: q"),
    Fault("yaml-backtick-start", "prompt: Which sums to one?", "prompt: `p` sums to one?",
          "prompt: `p`"),
    Fault("yaml-tab-indent", "hints:\n  - Add the entries.", "hints:\n\t- Add the entries.",
          "\t- Add the entries."),
    Fault("yaml-comment-cuts-hint", "  - Add the entries.", "  - Add the entries #then compare",
          "  - Add the entries #then"),
    Fault("yaml-anchor", "prompt: Which sums to one?", "prompt: &which sums to one?",
          "prompt: &which"),
    Fault("wrong-entry-name", "entry: lse", "entry: logsumexp_", "id: write-lse"),
    Fault("misconception-syntax-error", "          return z.exp().sum().log()",
          "          return z.exp().sum(.log()", "  - code: |"),
    Fault("stability-without-large-case", "edge_cases:\n  - z: 1000 * randn(5)\n", "",
          "id: write-lse"),
    Fault("code-misconception-sometimes-right", "  - z: 1000 * randn(5)",
          "  - z: choice([0.0, 1000.0]) * randn(5)", "  - code: |"),
    Fault("forbid-names-nothing", "forbid: [torch.logsumexp]", "forbid: [torch.logsumexpp]",
          "id: write-lse"),
    Fault("misspelt-key", "hints:\n  - Average", "hint:\n  - Average", "hint:"),
    Fault("unknown-exercise-type", "type: formula", "type: formla", "type: formla"),
    Fault("wrong-output-claim", "tensor(3.)\n```", "tensor(4.)\n```", "```output"),
    Fault("false-derivation-step", "  - expr: -sum(p*log(q)) + sum(p*log(p))",
          "  - expr: -sum(q*log(p)) + sum(p*log(p))", "  - expr: -sum(q*log(p))"),
    Fault("formula-misconception-is-answer", "  - answer: sum(p*log(p))",
          "  - answer: -sum(log(p)*p)", "  - answer: -sum(log(p)*p)"),
    Fault("number-formula-disagrees", "formula: mean(logsumexp(logits, 1) - take(logits, target))",
          "formula: sum(logsumexp(logits, 1) - take(logits, target))", "id: loss-value"),
    Fault("duplicate-exercise-id", "id: entropy", "id: pick", "id: pick", 2),
    Fault("unknown-placeholder", "What is the loss?", "What is {loss}?", "prompt: \"logits"),
    Fault("predict-misconception-is-outcome", "  - answer: tensor(4)", "  - answer: tensor(3)",
          "  - answer: tensor(3)"),
    Fault("code-misconception-passes", "          return z.exp().sum().log()",
          "          return torch.logsumexp(z, 0)", "  - code: |"),
    Fault("unquoted-colon", "    feedback: It sums to 1.1.", "    feedback: Sum: 1.1.",
          "feedback: Sum: 1.1."),
    Fault("no-choice-correct", "    correct: true\n", "", "choices:"),
    Fault("distinct-from-unknown-tag", "tolerance: {rel: 1e-3, abs: 1e-3}",
          "tolerance: {rel: 1e-3, abs: 1e-3}\ndistinct_from: [sum-not-man]", "distinct_from:"),
]  # fmt: skip


def _line(text: str, needle: str, occurrence: int) -> int | None:
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1] if len(hits) >= occurrence else None


def validate(root: Path, cache: Path) -> list:
    from tutor.grading.pack_checks import check_pack
    from tutor.pack.loader import load_pack

    pack, errors = load_pack(root)
    return sorted(set(errors + check_pack(pack, cache_dir=cache).errors))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="run the faults whose name contains this")
    only = parser.parse_args().only
    with tempfile.TemporaryDirectory(prefix="ce-tutor-faults-") as folder:
        root, cache = Path(folder) / "pack", Path(folder) / "cache"
        root.mkdir()
        (root / "pack.toml").write_text('id = "faults"\ntitle = "Faults"\n', encoding="utf-8")
        lesson = root / "01-faults.md"
        lesson.write_text(CLEAN, encoding="utf-8")
        clean = validate(root, cache)
        if clean:
            print("the clean pack is not clean:", *clean, sep="\n  ")
            return 1
        caught, missed, started = 0, [], time.perf_counter()
        faults = [f for f in FAULTS if only is None or only in f.name]
        for fault in faults:
            if CLEAN.count(fault.old) != 1:
                print(f"{fault.name}: the corpus is wrong (the text to replace is not unique)")
                return 1
            text = CLEAN.replace(fault.old, fault.new)
            lesson.write_text(text, encoding="utf-8")
            line = _line(text, fault.at, fault.occurrence)
            errors = validate(root, cache)
            at_line = [e for e in errors if e.path.name == lesson.name and e.line == line]
            if at_line:
                caught += 1
                print(f"caught  {fault.name:<34} {line}: {at_line[0].message.splitlines()[0][:90]}")
            else:
                missed.append(fault.name)
                found = "; ".join(f"{e.line}: {e.message.splitlines()[0][:60]}" for e in errors)
                print(f"MISSED  {fault.name:<34} wanted line {line}; got {found or 'nothing'}")
        seconds = time.perf_counter() - started
    print(f"validate_faults_caught: {caught}/{len(faults)} ({seconds:.1f} s)")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
