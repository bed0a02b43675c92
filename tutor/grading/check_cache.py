"""Which blocks `validate` found clean before, by content, so a re-check skips them.

A deep check runs engines and the sandbox (a simulated class of 400 learners
per number exercise, every reference on its cases): seconds for a pack. An
author edits one lesson and validates again; every block whose content, ids
and place are unchanged, checked by the very same engines, is clean again.

A block's key is the SHA-256 of its model (the pack cache's JSON encoding,
so every field and its line), the pack and lesson ids (they seed the
learners' numbers) and a fingerprint of the checking code: every `.py` of
ce-tutor's engines, ce-tutor's and torch's versions. Only clean results are
kept: a problem is always re-checked (a time limit under load must not
stick), and an engine change re-checks everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from contextlib import suppress
from functools import lru_cache
from pathlib import Path

ENGINE_PACKAGES = ("grading", "numeric", "pack", "symbolic")


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """The checking code and its runtime: a different one re-checks everything."""
    from importlib.metadata import PackageNotFoundError, version

    import tutor

    digest = hashlib.sha256()
    with suppress(PackageNotFoundError):  # torch is a dependency; still, never fail here
        digest.update(version("torch").encode())
    digest.update(f"{tutor.__version__}\x1f{sys.version}".encode())
    root = Path(tutor.__file__).parent
    for package in ENGINE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def block_key(pack_id: str, lesson_id: str, block: object) -> str | None:
    """The content key of one block, or None when it cannot be encoded."""
    from tutor.pack.cache import NotEncodable, encode

    try:
        text = json.dumps(encode(block), sort_keys=True, separators=(",", ":"))
    except NotEncodable:
        return None
    parts = (engine_fingerprint(), pack_id, lesson_id, text)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class CleanBlocks:
    """The keys of blocks checked clean, read from and written back to one file per pack."""

    def __init__(self, directory: Path | None, root: Path) -> None:
        self.path = None
        self.before: set[str] = set()
        self.now: set[str] = set()
        if directory is None:
            return
        name = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:24]
        self.path = directory / "checks" / f"{name}.json"
        try:
            self.before = set(json.loads(self.path.read_text(encoding="utf-8"))["clean"])
        except (OSError, ValueError, KeyError, TypeError):
            self.before = set()

    def known_clean(self, key: str | None) -> bool:
        if key is not None and key in self.before:
            self.now.add(key)
            return True
        return False

    def clean(self, key: str | None) -> None:
        if key is not None:
            self.now.add(key)

    def keep_the_rest(self) -> None:
        """A run over some lessons keeps what the others' blocks had (they were not checked)."""
        self.now |= self.before

    def save(self) -> None:
        """Keep this run's clean blocks only (so the file never grows past the pack)."""
        if self.path is None or self.now == self.before:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"clean": sorted(self.now)}, out)
            os.replace(temporary, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time
