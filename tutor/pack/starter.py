"""`ce-tutor new-pack DIR`: a small pack that validates clean, to start from.

It shows each kind of thing an author writes first: front matter, steps,
math, a choice exercise with a tagged misconception, and a number exercise
with per-learner parameters checked by torch and by the symbolic engine.
"""

from __future__ import annotations

import re
from pathlib import Path

from tutor.i18n import _

_MANIFEST = """\
# The pack's identity. `id` keys every learner's progress: do not change it
# once a class has started. Bump `version` when you change lessons.
id = "{pack_id}"
title = "{title}"
version = "0.1.0"
authors = ["Your name"]
description = "A first pack made with `ce-tutor new-pack`."
requires = ">=0.1"
# lessons = ["01-first-lesson.md"]   # optional: the order (default: file names sorted)
"""

_LESSON = """\
---
id: first-lesson
title: A first lesson
summary: Surprise, in one step of prose and two exercises.
minutes: 5
---

# A first lesson

## Surprise

An event of probability $q$ carries a *surprise* of $-\\log q$ nats: the
rarer the event, the larger the surprise. A sure event ($q = 1$) surprises
no one: $-\\log 1 = 0$.

Each `## ` heading starts a step; run `ce-tutor validate` after every edit.

```exercise
id: rarer-is-more
type: choice
prompt: Which event is the more surprising?
choices:
  - text: an event of probability 0.1
    correct: true
    feedback: Rarer means more surprising, since -log q grows as q shrinks.
  - text: an event of probability 0.9
    feedback: That one is the likelier, so the less surprising.
    tag: surprise-backwards
hints:
  - Compare -log 0.1 and -log 0.9.
```

## Your own numbers

Every learner gets their own $q$, drawn from a seed of the pack, the
lesson, the exercise and the learner.

```exercise
id: surprise-in-nats
type: number
prompt: |
  An event has probability q = {{q}}. What is its surprise in nats?
params:
  q: uniform(0.05, 0.95)
reference: -torch.log(q)
formula: -log(q)
tolerance: {{rel: 1e-3}}
misconceptions:
  - reference: -torch.log2(q)
    tag: nats-vs-bits
    feedback: That is the surprise in bits. Nats use the natural logarithm.
hints:
  - The surprise is -log q, with the natural logarithm.
```
"""


class StarterExists(Exception):
    """The target folder already holds files; nothing was written."""


def _pack_id(root: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", root.resolve().name.lower()).strip("-")
    return slug or "my-pack"


def folder_pack_id(root: Path) -> str:
    """The id a folder's name suggests (`My Course` -> `my-course`)."""
    return _pack_id(root)


def write_starter_pack(root: Path, pack_id: str | None = None) -> list[Path]:
    """Write `pack.toml` and one lesson into `root` (new or empty); return the files.

    `pack_id` keys every learner's grades, so it is the author's choice, not
    an accident of the folder's name; without one, the folder's name is used.
    """
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise StarterExists(
            _("{root} already exists and is not empty; nothing was written").format(root=root)
        )
    if pack_id is not None and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", pack_id):
        raise ValueError(
            _("a pack id is lowercase letters, digits, - or _, not `{id}`").format(id=pack_id)
        )
    root.mkdir(parents=True, exist_ok=True)
    pack_id = pack_id or _pack_id(root)
    title = pack_id.replace("-", " ").capitalize()
    files = {
        root / "pack.toml": _MANIFEST.format(pack_id=pack_id, title=title),
        root / "01-first-lesson.md": _LESSON.format(),
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)
