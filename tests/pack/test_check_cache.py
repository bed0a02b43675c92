"""`validate` re-checks only what changed: blocks found clean are kept by content."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pack.helpers import write_pack
from tutor.grading import pack_checks
from tutor.pack.loader import load_pack

LESSON = """\
---
id: cached
title: Cached
---

## Step

```python
print(1 + 1)
```

```output
2
```

```exercise
id: pick
type: number
prompt: "What is 2 + {n}?"
params:
  n: randint(1, 5)
reference: 2 + n
```
"""


@pytest.fixture
def calls(monkeypatch) -> list[object]:
    seen: list[object] = []
    real = pack_checks._problems

    def counted(pack, lesson, block):
        seen.append(block)
        return real(pack, lesson, block)

    real_examples = pack_checks.check_code_examples

    def counted_examples(examples):  # examples are re-run several to a request
        seen.extend(examples)
        return real_examples(examples)

    monkeypatch.setattr(pack_checks, "_problems", counted)
    monkeypatch.setattr(pack_checks, "check_code_examples", counted_examples)
    return seen


def _check(root: Path, cache: Path):
    pack, errors = load_pack(root)
    assert errors == []
    return pack_checks.check_pack(pack, cache_dir=cache)


def test_a_second_run_skips_blocks_found_clean(tmp_path: Path, calls) -> None:
    root = write_pack(tmp_path / "p", {"01.md": LESSON})
    assert _check(root, tmp_path / "cache").errors == []
    assert len(calls) == 2
    assert _check(root, tmp_path / "cache").errors == []
    assert len(calls) == 2  # nothing checked again


def test_a_changed_block_is_checked_again_and_a_problem_is_never_kept(
    tmp_path: Path, calls
) -> None:
    root = write_pack(tmp_path / "p", {"01.md": LESSON})
    _check(root, tmp_path / "cache")
    (root / "01.md").write_text(LESSON.replace("\n2\n```", "\n3\n```"), encoding="utf-8")
    first = _check(root, tmp_path / "cache")
    assert [e.message.splitlines()[0] for e in first.errors] == ["the example prints"]
    assert len(calls) == 3  # only the changed example
    assert len(_check(root, tmp_path / "cache").errors) == 1
    assert len(calls) == 4  # the problem is checked again, not remembered


def test_without_a_cache_every_block_is_checked(tmp_path: Path, calls) -> None:
    root = write_pack(tmp_path / "p", {"01.md": LESSON})
    pack, _ = load_pack(root)
    pack_checks.check_pack(pack)
    pack_checks.check_pack(pack)
    assert len(calls) == 4
