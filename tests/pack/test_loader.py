"""The lesson-pack loader: a valid pack becomes the model; every fault a line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pack.helpers import CLEAN_LESSON, write_pack
from tutor.pack.discovery import builtin_pack_dir
from tutor.pack.errors import PackNotFound
from tutor.pack.loader import load_pack
from tutor.pack.model import (
    ChoiceExercise,
    CodeExample,
    CodeExercise,
    Derivation,
    FormulaExercise,
    NumberExercise,
    Plot,
    PredictExercise,
    Prose,
)
from tutor.symbolic.domain import SymbolKind

FULL_LESSON = """\
---
id: full
title: Every block
---

Intro before the first step.

## Exercises of every type

```exercise
id: a-choice
type: choice
prompt: Pick the right ones.
multiple: true
points: 2
attempts: 5
choices:
  - text: right one
    correct: true
  - text: also right
    correct: true
  - text: wrong
    feedback: No.
    tag: wrong-pick
hints: [first hint, second hint]
solution: The first two.
```

```exercise
id: a-number
type: number
prompt: |
  Logits {logits}, targets {target}.
params:
  logits: randn(3, 4)
  target: randint(0, 4, shape=(3,))
reference: F.cross_entropy(logits, target)
formula: mean(logsumexp(logits, 1) - take(logits, target))
tolerance: {rel: 1e-3, abs: 1.0e-6}
distinct_from: [double-softmax]
misconceptions:
  - reference: F.cross_entropy(softmax(logits, 1), target)
    tag: double-softmax
    feedback: CrossEntropyLoss applies log_softmax itself.
```

```exercise
id: a-formula
type: formula
prompt: Write $D_{KL}(p \\| q)$.
symbols:
  p: {kind: distribution, size: K}
  q: {kind: distribution, size: K}
  T: {kind: real, range: [0.1, 2]}
answer: sum(p*log(p/q))
check: F.kl_div(log(q), p, reduction='sum')
misconceptions:
  - answer: sum(q*log(q/p))
    tag: reverse-kl
    feedback: That is D(q||p).
```

```exercise
id: a-code
type: code
entry: cross_entropy
prompt: Write it.
starter: |
  def cross_entropy(logits, target):
      ...
args:
  logits: randn(5, 4)
  target: randint(0, 4, shape=(5,))
cases: 20
edge_cases:
  - {logits: "1000 * randn(3, 6)", target: "randint(0, 6, shape=(3,))"}
reference: |
  def cross_entropy(logits, target):
      return F.cross_entropy(logits, target)
compare: result
tolerance: {rel: 1e-5, abs: 1e-6}
forbid: [F.cross_entropy, nn.CrossEntropyLoss]
misconceptions:
  - code: |
      def cross_entropy(logits, target):
          return -torch.log_softmax(logits, 1)[range(len(target)), target].sum()
    tag: sum-not-mean
    feedback: The default reduction is the mean.
```

```exercise
id: a-predict
type: predict
prompt: What happens?
code: |
  x = torch.randn(3, 4)
  y = torch.tensor([3., 2., 1.])
  print(nn.CrossEntropyLoss()(x, y))
misconceptions:
  - answer: a tensor
    tag: float-class-indices
    feedback: Float indices are refused.
```

## Blocks

```python
print(1 + 1)
```

```output
2
```

```derivation
use: kl-as-ce-minus-entropy
```

```derivation
title: Own steps
symbols:
  p: {kind: distribution, size: K}
steps:
  - expr: sum(p*log(p))
  - expr: -(-sum(p*log(p)))
    reason: double negation
```

```plot
title: Surprise
x: q
y: [-log(q), -log2(q)]
labels: [nats, bits]
range: [0.01, 1]
```
"""


def test_full_lesson_parses_every_block_and_key(tmp_path: Path) -> None:
    pack, errors = load_pack(write_pack(tmp_path / "p", {"01-full.md": FULL_LESSON}))
    assert errors == []
    lesson = pack.lessons[0]
    assert (lesson.id, lesson.title, lesson.intro) == (
        "full",
        "Every block",
        "Intro before the first step.",
    )
    choice, number, formula, code, predict = lesson.exercises
    assert isinstance(choice, ChoiceExercise) and choice.multiple and choice.points == 2.0
    assert choice.attempts == 5 and choice.hints == ["first hint", "second hint"]
    assert [c.correct for c in choice.choices] == [True, True, False]
    assert choice.choices[2].tag == "wrong-pick" and choice.solution == "The first two."
    assert isinstance(number, NumberExercise)
    assert number.params == {"logits": "randn(3, 4)", "target": "randint(0, 4, shape=(3,))"}
    assert number.tolerance.rel == pytest.approx(1e-3) and number.tolerance.abs == pytest.approx(
        1e-6
    )
    assert number.misconceptions[0].reference == "F.cross_entropy(softmax(logits, 1), target)"
    assert number.misconceptions[0].tag == "double-softmax"
    assert number.distinct_from == ["double-softmax"]
    assert isinstance(formula, FormulaExercise)
    assert formula.symbols["p"].kind is SymbolKind.DISTRIBUTION and formula.symbols["p"].size == "K"
    assert (formula.symbols["T"].low, formula.symbols["T"].high) == (0.1, 2.0)
    assert formula.misconceptions[0].answer == "sum(q*log(q/p))"
    assert isinstance(code, CodeExercise)
    assert code.entry == "cross_entropy" and code.cases == 20
    assert code.edge_cases == [
        {"logits": "1000 * randn(3, 6)", "target": "randint(0, 6, shape=(3,))"}
    ]
    assert code.forbid == ["F.cross_entropy", "nn.CrossEntropyLoss"]
    assert code.misconceptions[0].code.startswith("def cross_entropy")
    assert isinstance(predict, PredictExercise) and "CrossEntropyLoss" in predict.code
    blocks = lesson.steps[1].blocks
    assert [type(b) for b in blocks] == [CodeExample, Derivation, Derivation, Plot]
    assert blocks[0].output == "2" and blocks[0].location.line < blocks[0].output_location.line
    assert blocks[1].use == "kl-as-ce-minus-entropy"
    assert [s.reason for s in blocks[2].steps] == ["", "double negation"]
    assert blocks[3].y == ["-log(q)", "-log2(q)"] and blocks[3].range == (0.01, 1.0)


def test_items_keep_their_lines(tmp_path: Path) -> None:
    pack, _ = load_pack(write_pack(tmp_path / "p", {"01-full.md": FULL_LESSON}))
    lesson = pack.lessons[0]
    text = FULL_LESSON.splitlines()
    choice = lesson.exercises[0]
    assert text[choice.location.line - 1] == "id: a-choice"
    assert text[lesson.steps[1].location.line - 1] == "## Blocks"
    prose = lesson.steps[0].blocks
    assert not any(isinstance(b, Prose) for b in prose)
    step_two = lesson.steps[1].blocks[2]
    assert text[step_two.steps[1].location.line - 1].strip().startswith("- expr: -(-sum")


def test_clean_pack_and_sorted_lesson_order(tmp_path: Path) -> None:
    second = CLEAN_LESSON.replace("id: tiny", "id: tiny-two")
    root = write_pack(
        tmp_path / "p", {"02-b.md": second, "01-a.md": CLEAN_LESSON, "README.md": "# notes"}
    )
    pack, errors = load_pack(root)
    assert errors == []
    assert [lesson.id for lesson in pack.lessons] == ["tiny", "tiny-two"]
    assert pack.id == "test-pack"


def test_builtin_pack_is_clean() -> None:
    pack, errors = load_pack(builtin_pack_dir())
    assert errors == []
    assert any(lesson.id == "two-target-forms" for lesson in pack.lessons)
    assert (
        sum(isinstance(e, ChoiceExercise) for lesson in pack.lessons for e in lesson.exercises) >= 3
    )


def test_not_a_pack(tmp_path: Path) -> None:
    with pytest.raises(PackNotFound):
        load_pack(tmp_path)


def _messages(tmp_path: Path, lesson: str, manifest: str | None = None) -> list[str]:
    root = write_pack(tmp_path / "p", {"01-x.md": lesson}, manifest)
    _, errors = load_pack(root)
    return [f"{e.path.name}:{e.line}: {e.message}" for e in errors]


def _exercise_lesson(body: str) -> str:
    return f"---\nid: x\ntitle: X\n---\n\n## Step\n\n```exercise\n{body}\n```\n"


@pytest.mark.parametrize(
    ("lesson", "expected"),
    [
        ("---\nid: x\ntitle: [unclosed\n---\n\n## S\n", "01-x.md:3: front matter: bad YAML"),
        (
            "---\nid: x\ntitle: X\nsumary: s\n---\n\n## S\n",
            "01-x.md:4: unknown key `sumary` in front matter (did you mean `summary`?)",
        ),
        (
            "---\nid: x\n---\n\n## S\n",
            "01-x.md:2: front matter is missing the required key `title`",
        ),
        ("# no front matter\n\n## S\n", "01-x.md:1: a lesson starts with `---` YAML front matter"),
        (
            "---\nid: x\ntitle: X\n---\n\nno steps\n",
            "01-x.md:5: a lesson needs at least one `## ` step",
        ),
        (
            _exercise_lesson("id: e\ntype: chioce\nprompt: p"),
            "01-x.md:10: unknown exercise type `chioce` (did you mean `choice`?)",
        ),
        (
            _exercise_lesson("id: e\ntype: number\nprompt: p"),
            "01-x.md:9: exercise `e` is missing the required key `reference`",
        ),
        (
            _exercise_lesson("id: e\ntype: number\nprompt: p\nreference: r\nhint: [h]"),
            "01-x.md:13: unknown key `hint` in exercise `e` (did you mean `hints`?)",
        ),
        (
            _exercise_lesson("id: e\ntype: number\nprompt: p\nreference: [r"),
            "01-x.md:12: exercise: bad YAML",
        ),
        (
            _exercise_lesson("id: e\ntype: number\nprompt: p\nprompt: q\nreference: r"),
            "01-x.md:12: exercise: duplicate key `prompt`",
        ),
        (
            _exercise_lesson(
                "id: e\ntype: choice\nprompt: p\nchoices:\n  - text: yes\n    correct: true\n  - b"
            ),
            "01-x.md:13: `text` must be text; YAML reads a bare yes/no",
        ),
        (
            _exercise_lesson("id: e\ntype: choice\nprompt: p\nchoices: [a, b]"),
            "01-x.md:12: no choice is marked `correct: true`",
        ),
        (
            _exercise_lesson(
                "id: e\ntype: formula\nprompt: p\nanswer: a\nsymbols:\n  p: {kind: distro, size: K}"
            ),
            "01-x.md:14: unknown symbol kind `distro` (did you mean `distribution`?)",
        ),
        (
            _exercise_lesson(
                "id: e\ntype: number\nprompt: 'loss for {logit}'\nreference: r\nparams:\n  logits: randn(3)"
            ),
            "01-x.md:11: the prompt shows `{logit}` but there is no parameter `logit` (did you mean `logits`?)",
        ),
        (
            _exercise_lesson(
                "id: e\ntype: number\nprompt: p\nreference: r\nparams:\n  x: randn(3\n  z: 1"
            ),
            "01-x.md:14: `x: randn(3`:",
        ),
        (
            _exercise_lesson(
                "id: e\ntype: number\nprompt: p\nreference: r\nparams:\n  y: randint(0, K, shape=(3,))\n  K: choice([3, 4])"
            ),
            "01-x.md:14: `y: randint(0, K, shape=(3,))`: column 12: unknown name 'K'",
        ),
        (
            _exercise_lesson(
                "id: e\ntype: number\nprompt: p\nreference: r\nhints:\n  - Note: quote me"
            ),
            "01-x.md:13: `hints` must be a list of text items (an item containing `: ` must be quoted",
        ),
        (
            "---\nid: x\ntitle: X\n---\n\n## S\n\n```output\n1\n```\n",
            "01-x.md:8: an `output` block must directly follow a `python` block",
        ),
        (
            "---\nid: x\ntitle: X\n---\n\n## S\n\n```python\nprint(1)\n",
            "01-x.md:8: fenced block opened here is never closed",
        ),
        (
            "---\nid: x\ntitle: X\n---\n\n## S\n\n```derivation\nuse: a\nsteps: []\n```\n",
            "01-x.md:9: a derivation has either `use: NAME` or its own `steps`, not both",
        ),
        (
            _exercise_lesson(
                "id: e\ntype: code\nprompt: p\nentry: f\nreference: r\nargs: {x: randn(3)}\nedge_cases:\n  - {x: randn(3, 6)}"
            ),
            "01-x.md:16: an edge case is a mapping of argument name to generator text (inside `{…}`, quote",
        ),
        (
            "---\nid: x\ntitle: X\n---\n\n## S\n\n```plot\ny: x\nrange: [1, 0]\n```\n",
            "01-x.md:10: `range` must be `[low, high]` with low < high",
        ),
    ],
)
def test_each_fault_is_reported_with_its_line(tmp_path: Path, lesson: str, expected: str) -> None:
    messages = _messages(tmp_path, lesson)
    assert any(m.startswith(expected) for m in messages), messages


def test_duplicate_exercise_and_lesson_ids(tmp_path: Path) -> None:
    block = "```exercise\nid: same\ntype: choice\nprompt: p\nchoices:\n  - text: a\n    correct: true\n  - b\n```\n"
    lesson = f"---\nid: x\ntitle: X\n---\n\n## S\n\n{block}\n{block}"
    root = write_pack(tmp_path / "p", {"01-x.md": lesson, "02-y.md": lesson})
    _, errors = load_pack(root)
    messages = [f"{e.path.name}:{e.line}: {e.message}" for e in errors]
    assert "01-x.md:19: duplicate exercise id `same` (first at line 9)" in messages
    assert any(m.startswith("02-y.md:2: duplicate lesson id `x`") for m in messages)


def test_manifest_faults(tmp_path: Path) -> None:
    manifest = 'id = "p"\ntitle = "P"\nlessons = ["01-x.md", "02-gone.md"]\nverison = "1"\nrequires = ">=99"\n'
    messages = _messages(tmp_path, CLEAN_LESSON, manifest)
    assert "pack.toml:3: `lessons` names `02-gone.md`, which does not exist" in messages
    assert "pack.toml:4: unknown key `verison` in pack.toml (did you mean `version`?)" in messages
    assert any(m.startswith("pack.toml:5: this pack requires ce-tutor >=99") for m in messages)


def test_bad_toml_and_non_utf8(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", {}, 'id = "p"\ntitle = \n')
    (root / "01-x.md").write_bytes(b"---\nid: x\ntitle: X\n---\n\n## S\n\ncaf\xe9\n")
    _, errors = load_pack(root)
    messages = [f"{e.path.name}:{e.line}: {e.message}" for e in errors]
    assert any(m.startswith("pack.toml:2: bad TOML") for m in messages), messages
    assert "01-x.md:8: not UTF-8 text (byte 0xe9)" in messages


def test_every_fault_of_a_broken_lesson_at_once(tmp_path: Path) -> None:
    lesson = (
        "---\nid: x\ntitle: X\nextra: 1\n---\n\n## S\n\n"
        "```exercise\nid: a\ntype: number\nprompt: p\n```\n\n"
        "```exercise\nid: b\ntype: choice\nprompt: p\nchoices: [a, b]\nbogus: 1\n```\n"
    )
    messages = _messages(tmp_path, lesson)
    assert len(messages) == 4, messages
