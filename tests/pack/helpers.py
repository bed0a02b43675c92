"""Write small packs to disk for loader and CLI tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

CLEAN_LESSON = """\
---
id: tiny
title: A tiny lesson
summary: One step, one question.
minutes: 5
---

## Entropy

Prose with $H(p) = -\\sum_i p_i \\log p_i$.

```exercise
id: pick
type: choice
prompt: Which is a distribution?
choices:
  - text: "[0.5, 0.5]"
    correct: true
    feedback: Non-negative and sums to one.
  - text: "[0.5, 0.6]"
    feedback: It sums to 1.1.
    tag: not-normalised
hints:
  - Add the entries.
```
"""


def write_pack(root: Path, lessons: dict[str, str], manifest: str | None = None) -> Path:
    """A pack folder with `pack.toml` and the given lesson files (dedented)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pack.toml").write_text(
        manifest if manifest is not None else 'id = "test-pack"\ntitle = "Test pack"\n',
        encoding="utf-8",
    )
    for name, text in lessons.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def validate_lesson(root: Path, lesson: str, *, deep: bool = True) -> list:
    """Every `PackError` `ce-tutor validate` reports for a one-lesson pack (loader, then engines)."""
    from tutor.grading.pack_checks import check_pack
    from tutor.pack.loader import load_pack

    pack, errors = load_pack(write_pack(root, {"01-lesson.md": lesson}))
    if deep and not errors:
        errors = errors + check_pack(pack).errors
    return errors


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line of `text` containing `needle`."""
    hits = [n for n, line in enumerate(textwrap.dedent(text).splitlines(), 1) if needle in line]
    return hits[occurrence - 1]
